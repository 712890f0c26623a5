/**
 * KQL datetime values as Palisade stores and prints them: every table's Timestamp to the 100 ns tick
 * (the seven fractional digits a sensor sends), every other datetime column to the microsecond (the
 * write path carries them as microseconds since the Unix epoch, UTC), printed as ISO-8601 with a `Z`
 * and the fraction trimmed of trailing zeros (as MDE prints `2022-11-07T16:45:19.295067Z`); the KQL
 * engine counts 100 ns ticks since 0001-01-01.
 */

/**
 * Whether a datetime column is stored to the 100 ns tick rather than the microsecond: the Timestamp
 * of every table (always within a day of now or the retention window, so well inside the range a
 * tick-precise store holds, 1677–2262; other datetime columns may hold any year, e.g. certificates
 * that expire in 9999).
 */
export function storedToTheTick(column: string): boolean {
  return column === 'Timestamp';
}

/**
 * True for ISO-8601 UTC text with a `Z` and at most seven fractional digits (e.g. `2024-05-01T10:00:00.5Z`):
 * the form stored as sent. Says nothing about the date being valid.
 */
export function isCanonicalUtc(text: string): boolean {
  return CANONICAL_UTC.test(text);
}

const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse, in integer arithmetic). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * Microseconds since the epoch of canonical UTC text `YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z` — the form
 * sensors send and the pipeline stores — as a plain number (exact for years 1–9999; a seventh digit,
 * the tick within the microsecond, is left to canonicalUtcTick), without a regular expression or
 * bigint arithmetic: the hot path of ingest. NaN when the text is not exactly that form or names an
 * impossible date (2023-02-29, 24:00:00); use parseDatetimeMicros for the rest.
 */
export function canonicalUtcMicros(s: string): number {
  const len = s.length;
  if (len < 20 || len > 28 || s.charCodeAt(len - 1) !== 90 /* Z */) return Number.NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const mo = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  const h = digit(s, 11) * 10 + digit(s, 12);
  const mi = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  if (d > daysInMonth(y, mo)) return Number.NaN;
  let frac = 0;
  if (len > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || len === 21) return Number.NaN;
    let scale = 100_000;
    for (let i = 20; i < len - 1; i++) {
      const c = digit(s, i);
      if (c < 0) return Number.NaN;
      if (scale >= 1) frac += c * scale;
      scale /= 10;
    }
  }
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1_000_000 + frac;
}

/** The seventh fractional digit (the 100 ns tick within the microsecond) of canonical UTC text; 0 when it has none. */
export function canonicalUtcTick(s: string): number {
  return s.length === 28 && s.charCodeAt(27) === 90 /* Z */ && s.charCodeAt(19) === 46 /* . */ ? s.charCodeAt(26) - 48 : 0;
}

/**
 * Ticks (100 ns) since 0001-01-01 of datetime text parseDatetimeMicros reads, keeping a seventh
 * fractional digit; null when it reads none.
 */
export function parseDatetimeTicksUtc(text: string): bigint | null {
  const micros = parseDatetimeMicros(text);
  if (micros === null) return null;
  const frac = ISO.exec(text.trim())?.[7] ?? '';
  return (micros + EPOCH_TICKS / 10n) * 10n + BigInt(frac.length >= 7 ? Number(frac[6]) : 0);
}

/** Prints ticks since 0001-01-01 as ISO-8601 UTC with `Z`, fraction trimmed (none when zero), to the tick. */
export function formatDatetimeTicksTrimmed(ticks: bigint): string {
  const micros = ticks / 10n - EPOCH_TICKS / 10n;
  const tick = ticks % 10n;
  const text = formatDatetimeMicros(micros);
  if (tick === 0n) return text;
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${text.slice(0, 19)}.${fraction.toString().padStart(6, '0')}${tick}Z`;
}

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
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  let micros = BigInt(secs) * 1_000_000n + BigInt(frac.length === 0 ? 0 : Number((frac + '00000').slice(0, 6)));
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

/** Ticks (100 ns) between 0001-01-01, where KQL's datetimes count from, and the Unix epoch. */
export const EPOCH_TICKS = 621_355_968_000_000_000n;
/** The last tick of KQL's datetime range (9999-12-31 23:59:59.9999999), counted from 0001-01-01. */
export const MAX_DATETIME_TICKS = 3_155_378_975_999_999_999n;

/** True for ticks within KQL's datetime range (years 1 to 9999). */
export function inDatetimeRange(ticks: bigint): boolean {
  return ticks >= 0n && ticks <= MAX_DATETIME_TICKS;
}

/** Formats ticks since 0001-01-01 as `YYYY-MM-DDTHH:MM:SS.fffffffZ` (the IR's datetime form, all 7 digits). */
export function formatDatetimeTicks(ticks: bigint): string {
  let secs = ticks / 10_000_000n;
  let frac = ticks % 10_000_000n;
  if (frac < 0n) {
    frac += 10_000_000n;
    secs -= 1n;
  }
  const base = new Date(Number(secs - EPOCH_TICKS / 10_000_000n) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(7, '0')}Z`;
}

const TWO_32 = 4294967296;

/**
 * Writes nanoseconds since the epoch, `micros * 1000 + tick * 100`, as the little-endian int64 at
 * slot `i` of `halves` (an Int32Array over int64 slots: low half, then high half), exactly and
 * without bigint arithmetic (the product exceeds 2^53): the write path of tick-precise columns.
 */
export function writeNanos(halves: Int32Array, i: number, micros: number, tick: number): void {
  const mh = Math.floor(micros / TWO_32);
  let lo = (micros - mh * TWO_32) * 1000 + tick * 100;
  const carry = Math.floor(lo / TWO_32);
  lo -= carry * TWO_32;
  halves[2 * i] = lo;
  halves[2 * i + 1] = mh * 1000 + carry;
}

/** Microseconds and the tick within the microsecond of datetime text (canonical or not), or null. */
export function microsAndTick(text: string): { micros: number; tick: number } | null {
  const fast = canonicalUtcMicros(text);
  if (!Number.isNaN(fast)) return { micros: fast, tick: canonicalUtcTick(text) };
  const ticks = parseDatetimeTicksUtc(text);
  if (ticks === null) return null;
  return { micros: Number(ticks / 10n - EPOCH_TICKS / 10n), tick: Number(ticks % 10n) };
}
