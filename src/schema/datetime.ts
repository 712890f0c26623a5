/**
 * KQL datetime values as Palisade stores and prints them: microseconds since the Unix epoch (UTC), the
 * precision of DuckDB's TIMESTAMP, printed as ISO-8601 with a `Z` and the fraction trimmed of
 * trailing zeros (as MDE prints `2022-11-07T16:45:19.295067Z`).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO-8601 date or date-time (years 0001–9999, optional fraction up to 9 digits, optional
 * `Z` or ±hh[:mm] offset; no offset means UTC, as in Kusto) to microseconds since the epoch.
 * Returns null for anything else, including impossible dates such as 2023-02-30.
 */
export function parseDatetimeMicros(text: string): bigint | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', frac = '', zone] = m;
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis), s = Number(ss);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  let micros = BigInt(date.getTime()) * 1000n + BigInt((frac + '000000').slice(0, 6));
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const oh = BigInt(digits.slice(0, 2)), om = BigInt(digits.slice(2, 4) || '0');
    if (oh > 23n || om > 59n) return null;
    micros -= sign * (oh * 3600n + om * 60n) * 1_000_000n;
  }
  return micros;
}

/** Prints microseconds since the epoch as ISO-8601 UTC with `Z`, fraction trimmed (none when zero). */
export function formatDatetimeMicros(micros: bigint): string {
  let secs = micros / 1_000_000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) {
    frac += 1_000_000n;
    secs -= 1n;
  }
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(6, '0').replace(/0+$/, '');
  return `${base}${f}Z`;
}

/** Microseconds since the epoch of a JS Date. */
export function dateToMicros(d: Date): bigint {
  return BigInt(d.getTime()) * 1000n;
}
