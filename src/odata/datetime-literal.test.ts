import { describe, expect, it } from 'vitest';
import { parseIsoDateTime } from './datetime-literal.ts';

describe('parseIsoDateTime', () => {
  it('normalises to UTC, keeping sub-millisecond digits only when they are not zero', () => {
    expect(parseIsoDateTime('2021-01-26T20:33:57.7220239Z')).toBe('2021-01-26T20:33:57.7220239Z');
    expect(parseIsoDateTime('2021-01-26T22:33:57.1230000+02:00')).toBe('2021-01-26T20:33:57.123Z');
    expect(parseIsoDateTime('2021-01-26T22:33:57.0000001+02:00')).toBe('2021-01-26T20:33:57.0000001Z');
    expect(parseIsoDateTime('2019-09-01T13:31:08.5Z')).toBe('2019-09-01T13:31:08.500Z');
    expect(parseIsoDateTime('2018-08-01Z')).toBe('2018-08-01T00:00:00.000Z');
    expect(parseIsoDateTime(' 2018-08-01 ')).toBe('2018-08-01T00:00:00.000Z');
    expect(parseIsoDateTime('2024-01-01T00:30:00+01:00')).toBe('2023-12-31T23:30:00.000Z');
    expect(parseIsoDateTime('2024-01-01T00:30:00+0100')).toBe('2023-12-31T23:30:00.000Z');
    expect(parseIsoDateTime('0099-01-01T00:00:00Z')).toBe('0099-01-01T00:00:00.000Z');
  });

  it('takes 0 to 9 fractional digits, keeping the ones beyond the millisecond', () => {
    expect(parseIsoDateTime('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(parseIsoDateTime('2022-02-17T14:39:01.391001Z')).toBe('2022-02-17T14:39:01.391001Z');
    expect(parseIsoDateTime('2024-01-01T00:00:00.99999999Z')).toBe('2024-01-01T00:00:00.99999999Z');
    expect(parseIsoDateTime('2024-05-01T10:20:30.123456789Z')).toBe('2024-05-01T10:20:30.123456789Z');
    expect(parseIsoDateTime('2024-05-01T10:20:30.120000000Z')).toBe('2024-05-01T10:20:30.120Z');
  });

  it('rejects what is not a real datetime', () => {
    for (const bad of ['2024-1-01', '2024-04-31Z', '2024-01-01T24:00:00Z', '2024-01-01T00:60Z', '2024-01-01T00:00:00+15:00', 'now', '', '2024-01-01T00:00:00.1234567891Z', '2024-01-01T00:00:00.Z']) {
      expect(parseIsoDateTime(bad), bad).toBeNull();
    }
  });
});
