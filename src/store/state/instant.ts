/** Canonical instants: the one datetime text form the state store writes and compares. */

/**
 * Returns `text` as the fixed-width UTC form `YYYY-MM-DDTHH:MM:SS.sssZ` (millisecond precision),
 * in which lexical order equals time order. Throws a RangeError when `text` is not a datetime or
 * lies outside the years 0000–9999 (where the form would stop being fixed-width).
 */
export function canonicalInstant(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`not a datetime: ${JSON.stringify(text)}`);
  return canonicalFromMs(ms);
}

/** The canonical form of a time given in epoch milliseconds (see canonicalInstant). */
export function canonicalFromMs(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) throw new RangeError(`datetime out of the supported range (years 0000-9999): ${iso}`);
  return iso;
}

/**
 * True when `text` carries a non-zero fraction of a second below the millisecond (e.g. the
 * seventh digit of `…57.7220239Z`), which the canonical form cannot represent.
 */
export function hasSubMillisecond(text: string): boolean {
  const m = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(text);
  return m !== null && /[1-9]/.test(m[1].slice(3));
}
