/**
 * Datetime values as microseconds since the Unix epoch in a plain number (exact for every datetime
 * DuckDB stores, years 1–9999: |micros| < 2^53), for the write path where bigint arithmetic per value
 * would cost more than the rest of the conversion.
 */
import { canonicalUtcMicros, parseDatetimeMicros } from '../../../schema/datetime.ts';

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
