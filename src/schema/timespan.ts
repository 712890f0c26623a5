/**
 * KQL timespan values: stored as 100-nanosecond ticks (as .NET and Kusto count them) and printed the
 * way Kusto prints them: `[-][d.]hh:mm:ss[.fffffff]`.
 */

/** Ticks per second. */
export const TICKS_PER_SECOND = 10_000_000n;

const SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** Parses `[-][d.]hh:mm[:ss[.fffffff]]` to ticks; null when the text is not a timespan. */
export function parseTimespanTicks(text: string): bigint | null {
  const m = SPAN.exec(text.trim());
  if (!m) return null;
  const [, neg, d = '0', h, mi, s = '0', f = ''] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const secs = BigInt(d) * 86400n + BigInt(h) * 3600n + BigInt(mi) * 60n + BigInt(s);
  const ticks = secs * TICKS_PER_SECOND + BigInt((f + '0000000').slice(0, 7));
  return neg ? -ticks : ticks;
}

/** Prints ticks as Kusto does: `1.02:03:04.5000000`, `00:00:30`, `-00:05:00`. */
export function formatTimespanTicks(ticks: bigint): string {
  const neg = ticks < 0n;
  let t = neg ? -ticks : ticks;
  const frac = t % TICKS_PER_SECOND;
  t /= TICKS_PER_SECOND;
  const s = t % 60n;
  t /= 60n;
  const mi = t % 60n;
  t /= 60n;
  const h = t % 24n;
  const d = t / 24n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  return `${neg ? '-' : ''}${d > 0n ? `${d}.` : ''}${two(h)}:${two(mi)}:${two(s)}${frac > 0n ? '.' + frac.toString().padStart(7, '0') : ''}`;
}
