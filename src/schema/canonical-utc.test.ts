import { describe, expect, it } from 'vitest';
import { canonicalUtcMicros, parseDatetimeMicros } from './datetime.ts';

describe('canonical UTC text', () => {
  it('parses exactly as the schema parser does', () => {
    for (const s of ['1970-01-01T00:00:00Z', '2024-05-01T10:00:00.5Z', '2024-02-29T23:59:59.999999Z', '1969-12-31T23:59:59.000001Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.123Z', '2000-02-29T12:34:56.78Z']) {
      expect(canonicalUtcMicros(s), s).toBe(Number(parseDatetimeMicros(s)));
    }
  });

  it('is NaN for other forms and impossible dates', () => {
    for (const s of ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.1234567Z', '2024-05-01 10:00:00Z', '2024-05-01T10:00:00+00:00', '2024-05-01T10:00:00', '']) {
      expect(canonicalUtcMicros(s), s).toBeNaN();
    }
  });
});
