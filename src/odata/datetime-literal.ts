/**
 * ISO-8601 datetime literals as OData clients send them to MDE: `2024-01-01T00:00:00.0000000Z`,
 * `2019-11-22T00:00:00Z`, `2018-08-01Z`, `2018-08-01`, `2024-05-19T01:00:05+02:00`. The fraction
 * of a second has 0 to 9 digits: clients send none (Splunk), 6 (XSOAR), 7 (Microsoft's samples) or
 * 9 (Elastic's machine-action cursor).
 */

/**
 * Regex source of a datetime literal. Groups: year, month, day, hour, minute, second, fraction,
 * zone. `dateTimeSeparator` is a character class body for what may separate date and time.
 */
export function dateTimeSource(dateTimeSeparator = 'Tt'): string {
  return (
    '(\\d{4})-(\\d{2})-(\\d{2})' +
    `(?:[${dateTimeSeparator}](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?` +
    '(Z|z|[+-]\\d{2}:?\\d{2})?'
  );
}

const ANCHORED = new RegExp(`^${dateTimeSource('Tt ')}$`);

/**
 * Converts the regex groups of a datetime literal into a canonical UTC string: the
 * `Date.prototype.toISOString` form (`2024-01-01T00:00:00.000Z`), except that a fraction with
 * non-zero digits beyond the millisecond keeps all its digits (`…57.7220239Z`) so stores can
 * compare exactly. A literal without a zone is taken as UTC. Returns null when a component is out
 * of range (month 13, 30 February, hour 24, offset beyond ±14:00…).
 */
export function canonicalDateTime(groups: readonly (string | undefined)[]): string | null {
  const [y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = groups;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number((frac + '000').slice(0, 3));
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 14 || om > 59 || oh * 60 + om > 14 * 60) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const t = date.getTime() - offsetMinutes * 60_000;
  const out = new Date(t);
  if (Number.isNaN(t) || out.getUTCFullYear() < 1 || out.getUTCFullYear() > 9999) return null;
  const iso = out.toISOString();
  return /[1-9]/.test(frac.slice(3)) ? `${iso.slice(0, -5)}.${frac}Z` : iso;
}

/**
 * Parses a complete text as an ISO-8601 datetime literal (date only, date-time, optional fraction
 * of 1 to 9 digits, optional `Z` or ±hh:mm offset; a space may stand in for `T`). Returns the
 * canonical UTC string of {@link canonicalDateTime}, or null when the text is not such a literal.
 */
export function parseIsoDateTime(text: string): string | null {
  const m = ANCHORED.exec(text.trim());
  return m ? canonicalDateTime(m.slice(1)) : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
