import { describe, expect, it } from 'vitest';
import { canonicalFromMs, canonicalInstant, hasSubMillisecond } from './instant.ts';

describe('canonicalInstant', () => {
  it('writes every accepted form as fixed-width UTC with milliseconds', () => {
    expect(canonicalInstant('2019-11-22T00:00:00Z')).toBe('2019-11-22T00:00:00.000Z');
    expect(canonicalInstant('2018-08-01Z')).toBe('2018-08-01T00:00:00.000Z');
    expect(canonicalInstant('2019-11-22T02:00:00+02:00')).toBe('2019-11-22T00:00:00.000Z');
    expect(canonicalInstant('2021-01-26T20:33:57.7220239Z')).toBe('2021-01-26T20:33:57.722Z');
    expect(canonicalInstant('2021-01-26T20:33:59.2Z')).toBe('2021-01-26T20:33:59.200Z');
  });

  it('keeps text order equal to time order', () => {
    const texts = ['2025-01-01T00:00:00.5Z', '2024-12-31T23:00:00-02:00', '2025-01-01T00:00:00Z', '0999-01-01T00:00:00Z'];
    const canon = texts.map(canonicalInstant);
    const byText = [...canon].sort();
    const byTime = [...canon].sort((a, b) => Date.parse(a) - Date.parse(b));
    expect(byText).toEqual(byTime);
  });

  it('rejects non-dates and years the fixed width cannot hold', () => {
    expect(() => canonicalInstant('yesterday')).toThrow(RangeError);
    expect(() => canonicalFromMs(Date.UTC(10000, 0, 1))).toThrow(RangeError);
    expect(() => canonicalFromMs(Date.UTC(-1, 0, 1))).toThrow(RangeError);
  });
});

describe('hasSubMillisecond', () => {
  it('detects a non-zero fraction below the millisecond', () => {
    expect(hasSubMillisecond('2021-01-26T20:33:57.7220239Z')).toBe(true);
    expect(hasSubMillisecond('2021-01-26T20:33:57.7220000Z')).toBe(false);
    expect(hasSubMillisecond('2021-01-26T20:33:57.722Z')).toBe(false);
    expect(hasSubMillisecond('2021-01-26T20:33:57Z')).toBe(false);
    expect(hasSubMillisecond('2021-01-26')).toBe(false);
  });
});
