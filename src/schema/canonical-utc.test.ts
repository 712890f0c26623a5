import { describe, expect, it } from 'vitest';
import { canonicalUtcMicros, canonicalUtcTick, formatDatetimeTicksTrimmed, parseDatetimeMicros, parseDatetimeTicksUtc, writeNanos } from './datetime.ts';

describe('canonical UTC text', () => {
  it('parses exactly as the schema parser does', () => {
    for (const s of ['1970-01-01T00:00:00Z', '2024-05-01T10:00:00.5Z', '2024-02-29T23:59:59.999999Z', '1969-12-31T23:59:59.000001Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.123Z', '2000-02-29T12:34:56.78Z']) {
      expect(canonicalUtcMicros(s), s).toBe(Number(parseDatetimeMicros(s)));
    }
  });

  it('reads a seventh fractional digit as the tick within the microsecond', () => {
    expect(canonicalUtcMicros('2024-05-01T10:00:00.1234567Z')).toBe(Date.UTC(2024, 4, 1, 10) * 1000 + 123_456);
    expect(canonicalUtcTick('2024-05-01T10:00:00.1234567Z')).toBe(7);
    expect(canonicalUtcTick('2024-05-01T10:00:00.123456Z')).toBe(0);
    const ticks = parseDatetimeTicksUtc('2024-05-01T12:00:00.1234567+02:00')!;
    expect(formatDatetimeTicksTrimmed(ticks)).toBe('2024-05-01T10:00:00.1234567Z');
    expect(formatDatetimeTicksTrimmed(ticks - 7n)).toBe('2024-05-01T10:00:00.123456Z');
  });

  it('writes nanoseconds as an exact int64 without bigints', () => {
    const slots = new BigInt64Array(3);
    const halves = new Int32Array(slots.buffer);
    const cases: [number, number][] = [[Date.UTC(2024, 4, 1, 10) * 1000 + 123_456, 7], [-1, 9], [9_007_199_254_740, 3]];
    cases.forEach(([us, tick], i) => writeNanos(halves, i, us, tick));
    expect([...slots]).toEqual(cases.map(([us, tick]) => BigInt(us) * 1000n + BigInt(tick) * 100n));
  });

  it('is NaN for other forms and impossible dates', () => {
    for (const s of ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.12345678Z', '2024-05-01 10:00:00Z', '2024-05-01T10:00:00+00:00', '2024-05-01T10:00:00', '']) {
      expect(canonicalUtcMicros(s), s).toBeNaN();
    }
  });
});
