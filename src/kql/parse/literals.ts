/**
 * Decodes KQL literal tokens (long, real, bool, datetime, timespan, guid) into IR literal values.
 * Microsoft's parser recognizes the tokens; their values are decoded here (the Bridge values are
 * not reliable for hex longs and `time(...)` forms).
 */
import { TICKS } from '../types.ts';

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

/**
 * Parses a datetime value text (ISO-8601 forms with space or T, optional fraction up to 7 digits,
 * optional Z/offset; RFC-822 forms) into microseconds since the Unix epoch, UTC. Undefined if invalid.
 */
export function parseDatetimeText(text: string): number | undefined {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, s, f, tz] = iso;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
    let us = ms * 1000 + (f ? Math.floor(Number(f.padEnd(9, '0')) / 1000) : 0);
    if (tz && tz.toUpperCase() !== 'Z') {
      const m = /([+-])(\d{2}):?(\d{2})/.exec(tz)!;
      const off = (Number(m[2]) * 60 + Number(m[3])) * 60_000_000;
      us += m[1] === '+' ? -off : off;
    }
    return us;
  }
  const us = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*(AM|PM)?)?$/i.exec(t);
  if (us) {
    const [, mo, d, y, h, mi, s, f, ampm] = us;
    let hour = Number(h ?? 0);
    if (ampm) hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, Number(mi ?? 0), Number(s ?? 0)) * 1000 + (f ? Math.floor(Number(f.padEnd(7, '0')) / 10) : 0);
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (compact) return Date.UTC(Number(compact[1]), Number(compact[2]) - 1, Number(compact[3])) * 1000;
  // RFC 822 / 850 / 1123: "Sat, 8 Nov 14 15:05:02 GMT", "Saturday, 08-Nov-14 15:05:02 GMT"
  const rfc = /^(?:[a-z]+,\s*)?(\d{1,2})[\s-]([a-z]{3})[a-z]*[\s-](\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([a-z]+|[+-]\d{4})?$/i.exec(t);
  if (rfc) {
    const mon = MONTHS.indexOf(rfc[2].toLowerCase());
    if (mon < 0) return undefined;
    let y = Number(rfc[3]);
    if (rfc[3].length === 2) y += y < 50 ? 2000 : 1900;
    let us = Date.UTC(y, mon, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6] ?? 0)) * 1000;
    const tz = rfc[7];
    if (tz && /^[+-]\d{4}$/.test(tz)) {
      const off = (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3))) * 60_000_000;
      us += tz[0] === '+' ? -off : off;
    }
    return us;
  }
  return undefined;
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.fffffffZ` (the IR's datetime form). */
export function formatDatetimeMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const subMs = us - ms * 1000;
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19);
  const frac = String(d.getUTCMilliseconds() * 10000 + Math.round(subMs) * 10).padStart(7, '0');
  return `${base}.${frac}Z`;
}

/**
 * The other spellings a datetime literal accepts: its parts separated by commas, year first
 * (`datetime(2025, 6, 14)`, up to seconds with a fraction), and an ISO date written with spaces
 * around the dashes (`datetime(2017 - 08 - 01)`). Microseconds since the epoch, or undefined.
 */
function datetimeParts(t: string): number | undefined {
  const parts = /^(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\.(\d{1,7}))?)?)?)?$/.exec(t);
  if (parts) {
    const [, y, mo, d, h, mi, sec, f] = parts;
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(sec ?? 0) > 59) return undefined;
    const ms = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0))).setUTCFullYear(Number(y));
    if (new Date(ms).getUTCDate() !== Number(d)) return undefined;
    return ms * 1000 + (f ? Math.floor(Number(f.padEnd(7, '0')) / 10) : 0);
  }
  const spaced = /^(\d{4})\s+-\s+(\d{1,2})\s+-\s+(\d{1,2})(.*)$/.exec(t);
  return spaced ? parseDatetimeText(`${spaced[1]}-${spaced[2]}-${spaced[3]}${spaced[4]}`) : undefined;
}

/** A datetime literal (`datetime(2020-01-01 10:00)`, `datetime(null)`) in IR form; null for a typed null. */
export function decodeDatetime(text: string): string | null {
  let t = unwrap(text, ['datetime', 'date']);
  if (t === 'null') return null;
  if (/^(['"]).*\1$/.test(t)) t = t.slice(1, -1);
  const us = parseDatetimeText(t) ?? datetimeParts(t);
  if (us === undefined || Number.isNaN(us)) throw new Error(`invalid datetime literal ${text}`);
  // datetimes are held to the microsecond: a literal finer than that is refused, never truncated
  const frac = /\.(\d+)\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(t)?.[1];
  if (frac && /[1-9]/.test(frac.slice(6))) {
    throw new Error(`The datetime literal ${text.trim()} is finer than a microsecond, which this server does not hold (its datetimes have microsecond precision)`);
  }
  return formatDatetimeMicros(us);
}

/** Microseconds since the epoch of an IR datetime string. */
export function datetimeMicros(iso: string): number {
  const us = parseDatetimeText(iso);
  if (us === undefined) throw new Error(`invalid datetime ${iso}`);
  return us;
}
