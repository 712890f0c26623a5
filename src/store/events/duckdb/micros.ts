/**
 * Datetime values as microseconds since the Unix epoch in a plain number (exact for every datetime
 * DuckDB stores, years 1–9999: |micros| < 2^53), for the write path where bigint arithmetic per value
 * would cost more than the rest of the conversion.
 */
import { parseDatetimeMicros } from '../../../schema/datetime.ts';

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * Microseconds of canonical UTC text `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z` (what the ingest pipeline
 * produces), or NaN when the text is not exactly that shape or names an impossible date.
 */
export function canonicalUtcMicros(s: string): number {
  const len = s.length;
  if (len < 20 || len > 27 || s.charCodeAt(len - 1) !== 90 /* Z */) return Number.NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const mo = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  const h = digit(s, 11) * 10 + digit(s, 12);
  const mi = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1])) return Number.NaN;
  let frac = 0;
  if (len > 20) {
    // ".f" … ".ffffff" then Z
    if (s.charCodeAt(19) !== 46 || len === 21) return Number.NaN;
    let scale = 100_000;
    for (let i = 20; i < len - 1; i++) {
      const c = digit(s, i);
      if (c < 0) return Number.NaN;
      frac += c * scale;
      scale /= 10;
    }
  } else if (len !== 20) {
    return Number.NaN;
  }
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1_000_000 + frac;
}

/**
 * Microseconds of any datetime value the store accepts — ISO-8601 text (any offset), a Date, or bigint
 * micros — or null when `v` is none of these.
 */
export function toMicros(v: unknown): number | null {
  if (typeof v === 'string') {
    const fast = canonicalUtcMicros(v);
    if (!Number.isNaN(fast)) return fast;
    const slow = parseDatetimeMicros(v);
    return slow === null ? null : Number(slow);
  }
  if (v instanceof Date) {
    const ms = v.getTime();
    return Number.isNaN(ms) ? null : ms * 1000;
  }
  if (typeof v === 'bigint') return Number(v);
  return null;
}
