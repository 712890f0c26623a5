/** Length bounds of the parse and validate steps: a too-long line or string value is dead-lettered with its reason. */
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, MAX_STRING_CHARS, parseLine, validateLine } from './validate-line.ts';

const NOW = BigInt(Date.parse('2025-06-01T00:00:00Z')) * 1000n;
const line = (row: Record<string, unknown>) => JSON.stringify({ table: 'DeviceProcessEvents', row: { Timestamp: '2025-05-31T23:00:00Z', ...row } });

function validate(text: string) {
  const parsed = parseLine(text);
  return parsed.kind === 'ok' ? validateLine(parsed.value, NOW) : parsed;
}

describe('length bounds', () => {
  it('accepts a string value at the bound and dead-letters one beyond it', () => {
    expect(validate(line({ ProcessCommandLine: 'x'.repeat(MAX_STRING_CHARS) })).kind).toBe('ok');
    expect(validate(line({ ProcessCommandLine: 'x'.repeat(MAX_STRING_CHARS + 1) }))).toEqual({
      kind: 'dead-letter', reason: `column 'ProcessCommandLine': longer than ${MAX_STRING_CHARS} characters`,
    });
  });
  it('dead-letters a line beyond the line bound without parsing it', () => {
    const long = line({ AdditionalFields: { blob: 'y'.repeat(MAX_LINE_CHARS) } });
    expect(validate(long)).toEqual({ kind: 'dead-letter', reason: `line longer than ${MAX_LINE_CHARS} characters` });
  });
});
