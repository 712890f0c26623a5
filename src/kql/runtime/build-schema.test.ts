import { describe, expect, it } from 'vitest';
import { buildSchema } from './build-schema.ts';

describe('buildschema', () => {
  it('unites the types seen at each place, in the order first seen, arrays as `indexer`', () => {
    const values = '[{"x":1, "y":3.5}, {"x":"somevalue", "z":[1, 2, 3]}, {"y":{"w":"zzz"}, "t":["aa", "bb"], "z":["foo"]}]';
    expect(buildSchema(values)).toBe('{"x":["long","string"],"y":["double",{"w":"string"}],"z":{"`indexer`":["long","string"]},"t":{"`indexer`":"string"}}');
  });

  it('names scalars and ignores nulls', () => {
    expect(buildSchema('[1, 2.0, 1e3, true, "a", null]')).toBe('["long","double","bool","string"]');
    expect(buildSchema('[null, {"a": null, "b": [null, 1]}]')).toBe('{"b":{"`indexer`":"long"}}');
    expect(buildSchema('[]')).toBeNull();
    expect(buildSchema('[null]')).toBeNull();
    expect(buildSchema('not json')).toBeNull();
  });
});
