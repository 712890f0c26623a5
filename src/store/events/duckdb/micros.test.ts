import { describe, expect, it } from 'vitest';
import { parseDatetimeMicros } from '../../../schema/datetime.ts';
import { canonicalUtcMicros } from '../../../schema/datetime.ts';
import { toMicros } from './micros.ts';

describe('datetime micros as numbers', () => {
  it('agrees with the schema parser on canonical UTC text', () => {
    const samples = [
      '1970-01-01T00:00:00Z', '2024-05-01T10:00:00.5Z', '2024-02-29T23:59:59.999999Z', '1969-12-31T23:59:59.000001Z',
      '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.123Z', '2000-02-29T12:34:56.78Z', '2026-11-21T23:05:06.951Z',
    ];
    for (const s of samples) expect(canonicalUtcMicros(s), s).toBe(Number(parseDatetimeMicros(s)));
  });

  it('refuses what is not exactly canonical or not a real date', () => {
    for (const s of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.12345678Z',
      '2024-05-01 10:00:00Z', '2024-05-01T10:00:00+00:00', '2024-05-01T10:00:00', 'x024-05-01T10:00:00Z', '']) {
      expect(canonicalUtcMicros(s), s).toBeNaN();
    }
  });

  it('converts offsets, Dates and bigint micros, and nothing else', () => {
    expect(toMicros('2024-05-01T12:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 10) * 1000);
    expect(toMicros(new Date(Date.UTC(2024, 4, 1)))).toBe(Date.UTC(2024, 4, 1) * 1000);
    expect(toMicros(1_714_521_600_000_001n)).toBe(1_714_521_600_000_001);
    expect(toMicros('2023-02-30T00:00:00Z')).toBeNull();
    expect(toMicros(new Date(Number.NaN))).toBeNull();
    expect(toMicros(42)).toBeNull();
  });
});
