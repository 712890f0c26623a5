import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, lockMs, throttleKeys } from './sign-in-throttle.ts';

describe('sign-in throttling', () => {
  it('locks after the free failures, doubling up to 15 minutes', () => {
    expect(lockMs(FREE_FAILURES - 1)).toBe(0);
    expect(lockMs(FREE_FAILURES)).toBe(30_000);
    expect(lockMs(FREE_FAILURES + 1)).toBe(60_000);
    expect(lockMs(FREE_FAILURES + 4)).toBe(480_000);
    expect(lockMs(FREE_FAILURES + 5)).toBe(900_000);
    expect(lockMs(1_000)).toBe(900_000);
  });

  it('keys an attempt by address and by the account name typed, in any case', () => {
    expect(throttleKeys('10.0.0.1', ' Alice@Contoso.com ')).toEqual(['address:10.0.0.1', 'account:alice@contoso.com']);
    expect(throttleKeys('10.0.0.1', '')).toEqual(['address:10.0.0.1']);
    expect(throttleKeys('10.0.0.1')).toEqual(['address:10.0.0.1']);
  });
});
