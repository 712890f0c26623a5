import { describe, expect, it } from 'vitest';
import { formatDatetimeMicros, parseDatetimeMicros } from './datetime.ts';
import { formatTimespanTicks, parseTimespanTicks } from './timespan.ts';

describe('datetime', () => {
  it('parses MDE timestamps to microseconds and prints them back trimmed', () => {
    const us = parseDatetimeMicros('2022-11-07T17:07:42.0259186Z')!;
    expect(formatDatetimeMicros(us)).toBe('2022-11-07T17:07:42.025918Z');
    expect(formatDatetimeMicros(parseDatetimeMicros('2021-09-02T18:23:41Z')!)).toBe('2021-09-02T18:23:41Z');
    expect(formatDatetimeMicros(parseDatetimeMicros('2024-08-30T08:55:32.21Z')!)).toBe('2024-08-30T08:55:32.21Z');
  });

  it('treats a missing offset as UTC and applies explicit offsets', () => {
    expect(parseDatetimeMicros('2024-01-01 10:00:00')).toBe(parseDatetimeMicros('2024-01-01T10:00:00Z'));
    expect(parseDatetimeMicros('2024-01-01T12:30:00+02:30')).toBe(parseDatetimeMicros('2024-01-01T10:00:00Z'));
    expect(parseDatetimeMicros('2024-01-01')).toBe(BigInt(Date.UTC(2024, 0, 1)) * 1000n);
  });

  it('rejects impossible or malformed values', () => {
    for (const bad of ['2023-02-30T00:00:00Z', '2023-13-01', 'yesterday', '', '2023-01-01T25:00:00Z', '1700000000']) {
      expect(parseDatetimeMicros(bad), bad).toBeNull();
    }
  });

  it('prints dates before the epoch', () => {
    expect(formatDatetimeMicros(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});

describe('timespan', () => {
  it('round-trips Kusto timespan text through ticks', () => {
    expect(parseTimespanTicks('00:05:00')).toBe(3_000_000_000n);
    expect(formatTimespanTicks(3_000_000_000n)).toBe('00:05:00');
    expect(formatTimespanTicks(parseTimespanTicks('1.02:03:04.5')!)).toBe('1.02:03:04.5000000');
    expect(formatTimespanTicks(-parseTimespanTicks('00:00:30')!)).toBe('-00:00:30');
    expect(parseTimespanTicks('nope')).toBeNull();
  });
});

describe('datetime parsing agrees with the JS Date clock', () => {
  it('matches Date for many instants, leap days and year 1', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((i / 2000) * 8e12 - 1e12);
      expect(parseDatetimeMicros(new Date(ms).toISOString())).toBe(BigInt(ms) * 1000n);
    }
    expect(parseDatetimeMicros('2024-02-29T00:00:00Z')).toBe(BigInt(Date.UTC(2024, 1, 29)) * 1000n);
    expect(parseDatetimeMicros('2023-02-29T00:00:00Z')).toBeNull();
    expect(parseDatetimeMicros('2000-02-29')).not.toBeNull();
    expect(parseDatetimeMicros('1900-02-29')).toBeNull();
    const y1 = new Date(0);
    y1.setUTCFullYear(1, 0, 1);
    expect(parseDatetimeMicros('0001-01-01T00:00:00Z')).toBe(BigInt(y1.getTime()) * 1000n);
    expect(formatDatetimeMicros(parseDatetimeMicros('0001-01-01T00:00:00Z')!)).toBe('0001-01-01T00:00:00Z');
  });
});
