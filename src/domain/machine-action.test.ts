import { describe, expect, it } from 'vitest';
import { isFinal, isForward } from './machine-action.ts';

describe('machine action lifecycle', () => {
  it('moves only forward: Pending → InProgress → final, never out of a final status', () => {
    expect(isForward('Pending', 'InProgress')).toBe(true);
    expect(isForward('Pending', 'Succeeded')).toBe(true);
    expect(isForward('InProgress', 'Failed')).toBe(true);
    expect(isForward('InProgress', 'InProgress')).toBe(false);
    expect(isForward('InProgress', 'Pending')).toBe(false);
    expect(isForward('Succeeded', 'Failed')).toBe(false);
    expect(isForward('Cancelled', 'Succeeded')).toBe(false);
    expect(isForward('TimeOut', 'InProgress')).toBe(false);
  });

  it('knows the final statuses', () => {
    expect(['Pending', 'InProgress'].map((s) => isFinal(s as 'Pending'))).toEqual([false, false]);
    expect(['Succeeded', 'Failed', 'TimeOut', 'Cancelled'].every((s) => isFinal(s as 'Succeeded'))).toBe(true);
  });
});
