/**
 * A fast check and parse of canonical UTC datetime text — `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`, the form
 * sensors send and the pipeline stores — without a regular expression or bigint arithmetic. Other
 * forms go through src/schema/datetime.ts.
 */

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * Microseconds since the epoch of canonical UTC text, or NaN when the text is not exactly that form
 * or names an impossible date (2023-02-29, 24:00:00).
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
    if (s.charCodeAt(19) !== 46 || len === 21) return Number.NaN;
    let scale = 100_000;
    for (let i = 20; i < len - 1; i++) {
      const c = digit(s, i);
      if (c < 0) return Number.NaN;
      frac += c * scale;
      scale /= 10;
    }
  }
  // Days since 1970-01-01 (proleptic Gregorian).
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return (days * 86400 + h * 3600 + mi * 60 + sec) * 1_000_000 + frac;
}
