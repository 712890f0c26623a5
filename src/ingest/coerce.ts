/**
 * Validation and lossless coercion of one value to a column's KQL type. Canonical results, which the
 * event stores accept as they are: string → string; long/int/timespan → number (bigint when beyond
 * 2^53); real/decimal → number; bool → boolean; datetime → ISO-8601 UTC text to the 100 ns tick
 * (`2024-05-01T10:00:00.1234567Z`); dynamic → any JSON value; guid → lower-case text.
 * A value is coerced only when nothing is lost (numeric text to long, ISO text to datetime, objects
 * to JSON text for string columns); anything else is refused with a reason naming what was expected.
 */
import { formatDatetimeTicksTrimmed, isCanonicalUtc, parseDatetimeMicros, parseDatetimeTicksUtc } from '../schema/datetime.ts';
import { parseTimespanTicks } from '../schema/timespan.ts';
import type { KqlColumnType } from '../schema/types.ts';

/** A coerced value, or why the value cannot be stored in the column. */
export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const INTEGER_TEXT = /^\s*[-+]?\d+\s*$/;

function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? v.toString() : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function fail(type: string, v: unknown, hint = ''): Coerced {
  return { ok: false, reason: `expected ${type}, got ${show(v)}${hint}` };
}

function integer(v: unknown, type: 'long' | 'int' | 'timespan', min: bigint, max: bigint): Coerced {
  let b: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return fail(type, v);
    if (!Number.isSafeInteger(v)) return fail(type, v, ' (too large to be exact in JSON; send it as a string)');
    b = BigInt(v);
  } else if (typeof v === 'bigint') {
    b = v;
  } else if (typeof v === 'string' && INTEGER_TEXT.test(v)) {
    b = BigInt(v.trim());
  } else {
    return fail(type, v);
  }
  if (b < min || b > max) return { ok: false, reason: `${b} is out of range for ${type}` };
  return { ok: true, value: b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b };
}

function real(v: unknown, type: 'real' | 'decimal'): Coerced {
  if (typeof v === 'number') return { ok: true, value: v };
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return { ok: true, value: Number(t) };
    if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return { ok: true, value: Number(t) };
  }
  return fail(type, v);
}

/** Checks `v` against a column type and returns its canonical form, or why it cannot be stored. */
export function coerceValue(type: KqlColumnType, v: unknown): Coerced {
  if (v === null || v === undefined) return { ok: true, value: null };
  switch (type) {
    case 'string':
      if (typeof v === 'string') return { ok: true, value: v };
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return { ok: true, value: String(v) };
      return { ok: true, value: JSON.stringify(v) };
    case 'guid':
      return typeof v === 'string' && GUID.test(v) ? { ok: true, value: v.toLowerCase() } : fail('guid', v);
    case 'long':
      return integer(v, 'long', INT64_MIN, INT64_MAX);
    case 'int':
      return integer(v, 'int', INT32_MIN, INT32_MAX);
    case 'timespan':
      if (typeof v === 'string' && v.includes(':')) {
        const ticks = parseTimespanTicks(v);
        if (ticks === null) return fail('timespan', v);
        return { ok: true, value: ticks <= MAX_SAFE && ticks >= -MAX_SAFE ? Number(ticks) : ticks };
      }
      return integer(v, 'timespan', INT64_MIN, INT64_MAX);
    case 'real':
    case 'decimal':
      return real(v, type);
    case 'bool':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (v === 0 || v === 1) return { ok: true, value: v === 1 };
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === '1') return { ok: true, value: true };
        if (t === 'false' || t === '0') return { ok: true, value: false };
      }
      return fail('bool', v);
    case 'datetime': {
      if (typeof v !== 'string') return fail('datetime', v, ' (send ISO-8601 text)');
      const us = parseDatetimeMicros(v);
      if (us === null) return fail('datetime', v, ' (send ISO-8601 text)');
      return { ok: true, value: isCanonicalUtc(v) ? v : formatDatetimeTicksTrimmed(parseDatetimeTicksUtc(v)!) };
    }
    case 'dynamic':
      if (typeof v === 'string') {
        const t = v.trimStart();
        if (t.startsWith('{') || t.startsWith('[')) {
          try {
            return { ok: true, value: JSON.parse(v) };
          } catch {
            return { ok: true, value: v };
          }
        }
      }
      return { ok: true, value: v };
  }
  return { ok: false, reason: `unknown column type ${String(type)}` };
}
