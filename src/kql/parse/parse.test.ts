import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../domain/errors.ts';
import { decodeDatetime, decodeLong, decodeTimespan, formatDatetimeTicks, parseDatetimeTicks } from './literals.ts';
import { lineColumn, parseKql } from './parse.ts';

function errorOf(text: string): PalisadeError {
  try {
    parseKql(text);
  } catch (e) {
    if (e instanceof PalisadeError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('parseKql', () => {
  it('returns a plain syntax tree with Kusto node kinds and child names', () => {
    const p = parseKql('T | where x > 1');
    const st = p.root.c.Statements;
    expect(st?.type).toBe('list');
    const expr = st?.type === 'list' && st.items[0].type === 'node' ? st.items[0].c.Expression : null;
    expect(expr?.type === 'node' && expr.kind).toBe('PipeExpression');
    const op = expr?.type === 'node' ? expr.c.Operator : null;
    expect(op?.type === 'node' && op.kind).toBe('FilterOperator');
  });

  it('maps syntax errors to BadRequest with 1-based line and column', () => {
    const e = errorOf('DeviceProcessEvents\n| where FileName ==');
    expect(e.code).toBe('BadRequest');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Syntax error: /);
    expect(e.details).toEqual({ line: 2, column: 20 });
  });

  it('reports the first error of a query with several', () => {
    const e = errorOf('T | summarize by | where');
    expect(e.details?.line).toBe(1);
    expect(Number(e.details?.column)).toBeGreaterThan(1);
  });

  it('refuses an empty query', () => {
    expect(errorOf('   ').message).toBe('The query is empty');
  });

  it('computes line and column with LF and CRLF line breaks', () => {
    expect(lineColumn('ab\ncd', 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumn('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('literal decoding', () => {
  it('decodes longs, including hex and typed nulls', () => {
    expect(decodeLong('42')).toBe(42);
    expect(decodeLong('0x1F')).toBe(31);
    expect(decodeLong('long(null)')).toBeNull();
    expect(decodeLong('9223372036854775807')).toBe(9223372036854775807n);
  });

  it('decodes timespans to 100 ns ticks', () => {
    expect(decodeTimespan('1d')).toBe(864_000_000_000);
    expect(decodeTimespan('1.5h')).toBe(54_000_000_000);
    expect(decodeTimespan('10ms')).toBe(100_000);
    expect(decodeTimespan('time(1.02:03:04.5)')).toBe(864_000_000_000 + 2 * 36_000_000_000 + 3 * 600_000_000 + 4 * 10_000_000 + 5_000_000);
    expect(decodeTimespan('timespan(null)')).toBeNull();
  });

  it('decodes datetimes in ISO, US and RFC-822 forms to UTC', () => {
    expect(decodeDatetime('datetime(2024-01-02 03:04:05.1234560)')).toBe('2024-01-02T03:04:05.1234560Z');
    // every 100 ns tick is kept; digits finer than a tick are dropped
    expect(decodeDatetime('datetime(2024-01-02 03:04:05.1234567)')).toBe('2024-01-02T03:04:05.1234567Z');
    expect(decodeDatetime('datetime(2024-01-02 03:04:05.123456789)')).toBe('2024-01-02T03:04:05.1234567Z');
    expect(decodeDatetime('datetime(9999-12-31 23:59:59.9999999)')).toBe('9999-12-31T23:59:59.9999999Z');
    expect(decodeDatetime('datetime(0001-01-01)')).toBe('0001-01-01T00:00:00.0000000Z');
    expect(decodeDatetime('datetime(2024-01-02)')).toBe('2024-01-02T00:00:00.0000000Z');
    expect(decodeDatetime('datetime(2024-01-02T03:04:05+02:00)')).toBe('2024-01-02T01:04:05.0000000Z');
    expect(decodeDatetime('datetime(01/16/2022 13:00:00)')).toBe('2022-01-16T13:00:00.0000000Z');
    expect(parseDatetimeTicks('Sat, 8 Nov 14 15:05:02 GMT')).toBe(BigInt(Date.UTC(2014, 10, 8, 15, 5, 2)) * 10_000n + 621_355_968_000_000_000n);
    expect(decodeDatetime('datetime(null)')).toBeNull();
    expect(formatDatetimeTicks(621_355_968_010_000_001n)).toBe('1970-01-01T00:00:01.0000001Z');
  });
});

describe('parse cache', () => {
  it('returns the same frozen tree for a repeated text, and still reports errors every time', () => {
    const a = parseKql('DeviceInfo | where DeviceName == "cache-test" | take 1');
    const b = parseKql('DeviceInfo | where DeviceName == "cache-test" | take 1');
    expect(b).toBe(a);
    expect(Object.isFrozen(a.root)).toBe(true);
    expect(Object.isFrozen(a.root.c)).toBe(true);
    expect(() => { (a.root as { kind: string }).kind = 'x'; }).toThrow(TypeError);
    expect(errorOf('DeviceInfo | where (').message).toMatch(/Syntax error/);
    expect(errorOf('DeviceInfo | where (').message).toMatch(/Syntax error/);
  });
});

describe('datetime literal spellings', () => {
  it('accepts parts separated by commas and a date with spaced dashes', () => {
    expect(decodeDatetime('datetime(2025, 6, 14)')).toBe('2025-06-14T00:00:00.0000000Z');
    expect(decodeDatetime('datetime(2025,6,14,13,5,7.25)')).toBe('2025-06-14T13:05:07.2500000Z');
    expect(decodeDatetime('datetime(2017 - 08 - 01)')).toBe('2017-08-01T00:00:00.0000000Z');
    expect(() => decodeDatetime('datetime(2025, 2, 30)')).toThrow(/invalid datetime literal/);
    expect(() => decodeDatetime('datetime(2025, 13, 1)')).toThrow(/invalid datetime literal/);
  });
});
