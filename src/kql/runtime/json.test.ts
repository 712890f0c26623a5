import { describe, expect, it } from 'vitest';
import { canonicalJson } from './json.ts';

describe('canonicalJson', () => {
  it('sorts keys ordinally at every level and drops whitespace', () => {
    expect(canonicalJson('{"Y10": {}, "X8": {"c3": 1, "a4": 6}, "D1": 114, "A14": [15, 13, 18], "A1": 12}'))
      .toBe('{"A1":12,"A14":[15,13,18],"D1":114,"X8":{"a4":6,"c3":1},"Y10":{}}');
    expect(canonicalJson('{"b":1,"B":2,"a":3}')).toBe('{"B":2,"a":3,"b":1}');
  });

  it('keeps number text (big integers, 1.0) and scalars as they are', () => {
    expect(canonicalJson('[9007199254740993, 1.0, -2.5e3]')).toBe('[9007199254740993,1.0,-2.5e3]');
    expect(canonicalJson('"a\\"b"')).toBe('"a\\"b"');
    expect(canonicalJson('null')).toBe('null');
  });

  it('gives null for text that is not JSON', () => {
    expect(canonicalJson('{"a":')).toBeNull();
    expect(canonicalJson('[1] x')).toBeNull();
  });
});
