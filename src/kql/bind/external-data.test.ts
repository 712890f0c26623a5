import { describe, expect, it } from 'vitest';
import { parseExternalText } from './external-data.ts';
import type { Column } from '../types.ts';

const cols = (...names: string[]): Column[] => names.map((name) => ({ name, type: 'string' }));

describe('externaldata text formats', () => {
  it('reads delimited text with quotes, a byte-order mark and rows shorter or longer than the schema', () => {
    expect(parseExternalText('\ufeffa,"b,c"\nd\ne,f,g\n', 'csv', cols('x', 'y'), false)).toEqual([['a', 'b,c'], ['d', null], ['e', 'f']]);
    expect(parseExternalText('h1\th2\n1\t2\n', 'tsv', cols('x', 'y'), true)).toEqual([['1', '2']]);
    expect(parseExternalText('1|2\n', 'psv', cols('x', 'y'), false)).toEqual([['1', '2']]);
  });
  it('reads text lines (blank ones kept, the last newline not a row) and raw text', () => {
    expect(parseExternalText('a\r\n\nb\n', 'txt', cols('x'), false)).toEqual([['a'], [''], ['b']]);
    expect(parseExternalText('a\nb', 'raw', cols('x'), false)).toEqual([['a\nb']]);
  });
  it('maps JSON fields to columns by name from an array or from records one after another', () => {
    const c = cols('a', 'b');
    expect(parseExternalText('[{"a": 1, "b": {"k": [1]}}, {"b": "x"}]', 'json', c, false)).toEqual([[1, { k: [1] }], [null, 'x']]);
    expect(parseExternalText('{"a": "{not a brace"}\n{\n  "b": 2\n}\n', 'multijson', c, false)).toEqual([['{not a brace', null], [null, 2]]);
    // a column named like an Object prototype member reads only a field of that name
    expect(parseExternalText('[{"a": 1}, {"constructor": 2}]', 'json', cols('constructor', 'toString'), false)).toEqual([[null, null], [2, null]]);
    expect(() => parseExternalText('{"a": 1', 'multijson', c, false)).toThrow(/ends inside a record/);
  });
});
