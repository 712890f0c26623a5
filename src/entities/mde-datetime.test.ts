import { describe, expect, it } from 'vitest';
import { mdeDateTime } from './mde-datetime.ts';

describe('MDE datetime rendering', () => {
  it('keeps every 100 ns tick and trims trailing zeros as MDE prints them', () => {
    expect(mdeDateTime('2024-01-01T10:00:00.1234567Z')).toBe('2024-01-01T10:00:00.1234567Z');
    expect(mdeDateTime('2024-01-01T10:00:00.1234560Z')).toBe('2024-01-01T10:00:00.123456Z');
    expect(mdeDateTime('2019-09-01T13:31:08.5700000Z')).toBe('2019-09-01T13:31:08.57Z');
    expect(mdeDateTime('2019-09-01T13:31:08.0000000Z')).toBe('2019-09-01T13:31:08Z');
    expect(mdeDateTime(null)).toBeNull();
  });
});
