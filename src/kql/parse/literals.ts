/**
 * Decodes KQL literal tokens (long, real, bool, datetime, timespan, guid) into IR literal values.
 * Microsoft's parser recognizes the tokens; their values are decoded here (the Bridge values are
 * not reliable for hex longs and `time(...)` forms).
 */
import { EPOCH_TICKS, formatDatetimeTicks, inDatetimeRange } from '../../schema/datetime.ts';
import { TICKS } from '../types.ts';

export { EPOCH_TICKS, formatDatetimeTicks, inDatetimeRange, MAX_DATETIME_TICKS } from '../../schema/datetime.ts';

/** Strips a `name(...)` wrapper (e.g. `long(5)` → `5`) when present. */
function unwrap(text: string, names: readonly string[]): string {
  const m = /^([A-Za-z]+)\s*\(([\s\S]*)\)$/.exec(text.trim());
  if (m && names.includes(m[1].toLowerCase())) return m[2].trim();
  return text.trim();
}

/** A long literal (`123`, `0x1f`, `long(5)`, `long(null)`); null for a typed null. */
export function decodeLong(text: string): number | bigint | null {
  const t = unwrap(text, ['long', 'int', 'int64', 'int32']);
  if (t === 'null') return null;
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1).trim() : t;
  const big = /^0x/i.test(body) ? BigInt(body) : BigInt(body.replace(/_/g, ''));
  const v = neg ? -big : big;
  if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new Error(`The long literal ${t} is out of range (a long holds -9223372036854775808 to 9223372036854775807)`);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A real literal (`1.5`, `1e3`, `real(nan)`, `double(-inf)`); null for a typed null. */
export function decodeReal(text: string): number | null {
  const t = unwrap(text, ['real', 'double', 'decimal', 'float']).toLowerCase();
  if (t === 'null') return null;
  if (t === 'nan') return NaN;
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  return Number(t);
}

/** A bool literal; null for a typed null. */
export function decodeBool(text: string): boolean | null {
  const t = unwrap(text, ['bool', 'boolean']).toLowerCase();
  if (t === 'null') return null;
  return t === 'true' || t === '1';
}

/** A guid literal's text (lower-case), or null. */
export function decodeGuid(text: string): string | null {
  const t = unwrap(text, ['guid', 'uniqueid']);
  return t === 'null' ? null : t.toLowerCase();
}

const UNIT_TICKS: [RegExp, number][] = [
  [/^(d|days?)$/, TICKS.day],
  [/^(h|hrs?|hours?)$/, TICKS.hour],
  [/^(m|mins?|minutes?)$/, TICKS.minute],
  [/^(s|secs?|seconds?)$/, TICKS.second],
  [/^(ms|millis?|milliseconds?)$/, TICKS.millisecond],
  [/^(microsecond|microseconds|micros?)$/, TICKS.microsecond],
  [/^(ticks?)$/, 1],
  [/^(nanoseconds?|nanos?)$/, 0.01],
];

/**
 * Parses a timespan value text: `1d`, `1.5h`, `10ms`, `[-][d.]hh:mm[:ss[.fffffff]]`, or a bare
 * number of days. Returns ticks (100 ns), or undefined when the text is not a timespan.
 */
export function parseTimespanText(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const unit = /^([+-]?\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(t);
  if (unit) {
    for (const [re, ticks] of UNIT_TICKS) if (re.test(unit[2])) return Math.round(Number(unit[1]) * ticks);
    return undefined;
  }
  const clock = /^([+-])?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(t);
  if (clock) {
    const [, sign, d, h, m, s, f] = clock;
    const ticks = Number(d ?? 0) * TICKS.day + Number(h) * TICKS.hour + Number(m) * TICKS.minute +
      Number(s ?? 0) * TICKS.second + (f ? Number(f.padEnd(7, '0')) : 0);
    return sign === '-' ? -ticks : ticks;
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * TICKS.day);
  return undefined;
}

/** A timespan literal (`1d`, `time(1.02:03:04)`, `timespan(null)`) as ticks; null for a typed null. */
export function decodeTimespan(text: string): number | null {
  const t = unwrap(text, ['time', 'timespan']);
  if (t === 'null') return null;
  const v = parseTimespanText(t);
  if (v === undefined) throw new Error(`invalid timespan literal ${text}`);
  return v;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Ticks since 0001-01-01 of whole milliseconds since the epoch plus a fraction of a second's digits (first 7 kept). */
function ticksOf(ms: number, fraction?: string): bigint {
  return BigInt(ms) * 10_000n + EPOCH_TICKS + (fraction ? BigInt(fraction.padEnd(7, '0').slice(0, 7)) : 0n);
}

/** Ticks of a UTC offset text (`+02:00`, `-0530`) to subtract from a local time. */
function offsetTicks(tz: string): bigint {
  const m = /([+-])(\d{2}):?(\d{2})/.exec(tz)!;
  const off = BigInt((Number(m[2]) * 60 + Number(m[3])) * 60) * 10_000_000n;
  return m[1] === '+' ? off : -off;
}

/**
 * Parses a datetime value text (ISO-8601 forms with space or T, optional fraction of which 7 digits
 * count, optional Z/offset; US and RFC-822 forms) into 100 ns ticks since 0001-01-01, UTC (KQL's own
 * representation). Undefined if invalid; the caller checks the range.
 */
export function parseDatetimeTicks(text: string): bigint | undefined {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, s, f, tz] = iso;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
    if (Number.isNaN(ms)) return undefined;
    const ticks = ticksOf(ms, f);
    return tz && tz.toUpperCase() !== 'Z' ? ticks - offsetTicks(tz) : ticks;
  }
  const us = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*(AM|PM)?)?$/i.exec(t);
  if (us) {
    const [, mo, d, y, h, mi, s, f, ampm] = us;
    let hour = Number(h ?? 0);
    if (ampm) hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, Number(mi ?? 0), Number(s ?? 0));
    return Number.isNaN(ms) ? undefined : ticksOf(ms, f);
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (compact) return ticksOf(Date.UTC(Number(compact[1]), Number(compact[2]) - 1, Number(compact[3])));
  // RFC 822 / 850 / 1123: "Sat, 8 Nov 14 15:05:02 GMT", "Saturday, 08-Nov-14 15:05:02 GMT"
  const rfc = /^(?:[a-z]+,\s*)?(\d{1,2})[\s-]([a-z]{3})[a-z]*[\s-](\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([a-z]+|[+-]\d{4})?$/i.exec(t);
  if (rfc) {
    const mon = MONTHS.indexOf(rfc[2].toLowerCase());
    if (mon < 0) return undefined;
    let y = Number(rfc[3]);
    if (rfc[3].length === 2) y += y < 50 ? 2000 : 1900;
    const ms = Date.UTC(y, mon, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6] ?? 0));
    if (Number.isNaN(ms)) return undefined;
    const tz = rfc[7];
    return tz && /^[+-]\d{4}$/.test(tz) ? ticksOf(ms) - offsetTicks(tz) : ticksOf(ms);
  }
  return undefined;
}

/**
 * The other spellings a datetime literal accepts: its parts separated by commas, year first
 * (`datetime(2025, 6, 14)`, up to seconds with a fraction), and an ISO date written with spaces
 * around the dashes (`datetime(2017 - 08 - 01)`). Ticks since 0001-01-01, or undefined.
 */
function datetimeParts(t: string): bigint | undefined {
  const parts = /^(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\.(\d{1,7}))?)?)?)?$/.exec(t);
  if (parts) {
    const [, y, mo, d, h, mi, sec, f] = parts;
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(sec ?? 0) > 59) return undefined;
    const ms = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0))).setUTCFullYear(Number(y));
    if (new Date(ms).getUTCDate() !== Number(d)) return undefined;
    return ticksOf(ms, f);
  }
  const spaced = /^(\d{4})\s+-\s+(\d{1,2})\s+-\s+(\d{1,2})(.*)$/.exec(t);
  return spaced ? parseDatetimeTicks(`${spaced[1]}-${spaced[2]}-${spaced[3]}${spaced[4]}`) : undefined;
}

/**
 * A datetime literal (`datetime(2020-01-01 10:00:00.1234567)`, `datetime(null)`) in IR form, to the
 * 100 ns tick; null for a typed null. A fraction finer than a tick is dropped, as Kusto does.
 */
export function decodeDatetime(text: string): string | null {
  let t = unwrap(text, ['datetime', 'date']);
  if (t === 'null') return null;
  if (/^(['"]).*\1$/.test(t)) t = t.slice(1, -1);
  const ticks = parseDatetimeTicks(t) ?? datetimeParts(t);
  if (ticks === undefined) throw new Error(`invalid datetime literal ${text}`);
  if (!inDatetimeRange(ticks)) throw new Error(`The datetime literal ${text.trim()} is out of range (years 1 to 9999)`);
  return formatDatetimeTicks(ticks);
}

/** Ticks since 0001-01-01 of an IR datetime string. */
export function datetimeTicks(iso: string): bigint {
  const t = parseDatetimeTicks(iso);
  if (t === undefined) throw new Error(`invalid datetime ${iso}`);
  return t;
}
