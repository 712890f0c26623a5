import { describe, expect, it } from 'vitest';
import { cellMatches, compareTables } from './compare.ts';

describe('docs result comparison', () => {
  it('normalizes cells by type', () => {
    expect(cellMatches(true, 'True', 'bool')).toBe(true);
    expect(cellMatches(false, '0', 'bool')).toBe(true);
    expect(cellMatches(0.33333, '0.333', 'real')).toBe(true);
    expect(cellMatches(0.34, '0.333', 'real')).toBe(false);
    expect(cellMatches(1048576, '1,048,576', 'long')).toBe(true);
    expect(cellMatches('2024-01-01T10:00:00.1234567Z', '2024-01-01 10:00:00.1', 'datetime')).toBe(true);
    expect(cellMatches('2024-01-01T10:00:01.0000000Z', '2024-01-01 10:00:00', 'datetime')).toBe(false);
    // every digit printed counts, the seventh (100 ns) too
    expect(cellMatches('2017-01-01T23:59:59.9999990Z', '2017-01-01 23:59:59.9999999', 'datetime')).toBe(false);
    expect(cellMatches('2017-01-01T23:59:59.9999990Z', '2017-01-01 23:59:59.999999', 'datetime')).toBe(true);
    expect(cellMatches('1.00:00:00', '1.00:00:00', 'timespan')).toBe(true);
    expect(cellMatches({ b: 1, a: [1, 2] }, '{"a": [1, 2], "b": 1}', 'dynamic')).toBe(true);
    expect(cellMatches(['x'], "['x']", 'dynamic')).toBe(true);
    expect(cellMatches(null, '', 'long')).toBe(true);
  });

  it('compares rows as a multiset unless ordered', () => {
    const actual = { columns: [{ name: 'a', type: 'long' }], rows: [[2], [1]] };
    expect(compareTables(actual, { columns: ['a'], rows: [['1'], ['2']] }, false).ok).toBe(true);
    expect(compareTables(actual, { columns: ['a'], rows: [['1'], ['2']] }, true).ok).toBe(false);
    expect(compareTables(actual, { columns: ['a'], rows: [['1']] }, false).ok).toBe(false);
  });

  it('fails on column names that differ, unless the known documentation errors give others', () => {
    const r = compareTables({ columns: [{ name: 'x', type: 'long' }], rows: [[1]] }, { columns: ['y'], rows: [['1']] }, false);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/columns differ/);
    expect(compareTables({ columns: [{ name: 'x', type: 'long' }], rows: [[1]] }, { columns: ['y'], rows: [['1']] }, false, ['x']).ok).toBe(true);
  });

  it('matches integers exactly, beyond 2^53 too', () => {
    expect(cellMatches(9007199254740993n, '9007199254740993', 'long')).toBe(true);
    expect(cellMatches(9007199254740992, '9007199254740993', 'long')).toBe(false);
    expect(cellMatches(10, '10.0', 'long')).toBe(false);
    expect(cellMatches({ n: 1000000001 }, '{"n": 1000000000}', 'dynamic')).toBe(false);
  });

  it('compares strings as printed but for the whitespace the docs lose', () => {
    expect(cellMatches('a\n  b', 'a b', 'string')).toBe(true);
    expect(cellMatches('a b', 'a  b', 'string')).toBe(false);
    expect(cellMatches('ab', 'a b', 'string')).toBe(false);
    expect(cellMatches('see http://x.example/', 'see <http://x.example/>', 'string')).toBe(true);
  });
});
