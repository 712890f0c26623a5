import { describe, expect, it } from 'vitest';
import { markerOfError } from './query-error.ts';

describe('markerOfError', () => {
  it('covers the word at the reported line and column', () => {
    const text = 'DeviceInfo\n| where Nope == 1';
    expect(markerOfError(text, { error: { code: 'BadRequest', message: "Unknown column 'Nope'", line: 2, column: 9 } }))
      .toEqual({ startLineNumber: 2, startColumn: 9, endLineNumber: 2, endColumn: 13, message: "Unknown column 'Nope'" });
  });

  it('marks one character past the end of a line and clamps positions to the text', () => {
    expect(markerOfError('T |', { error: { message: 'Expected an operator', line: 1, column: 4 } }))
      .toMatchObject({ startLineNumber: 1, startColumn: 4, endColumn: 5 });
    expect(markerOfError('T', { error: { message: 'x', line: 9, column: 99 } })).toMatchObject({ startLineNumber: 1, startColumn: 2 });
  });

  it('gives no marker for an error without a position', () => {
    expect(markerOfError('T', { error: { code: 'Forbidden', message: 'no' } })).toBeNull();
    expect(markerOfError('T', {})).toBeNull();
  });
});
