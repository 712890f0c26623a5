/**
 * Every KQL function the engine supports (the catalogs of src/kql/functions, deprecated aliases
 * included) is called in at least one golden case (test/kql/golden/*.kql), so that each has its
 * SQL and its rows checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_FUNCTIONS, FUNCTION_ALIASES, SCALAR_FUNCTIONS, WINDOW_FUNCTIONS } from '../../src/kql/functions/catalog.ts';
import { GEO_FUNCTIONS } from '../../src/kql/functions/geo-catalog.ts';

const DIR = join(import.meta.dirname, 'golden');

describe('golden coverage', () => {
  it('calls every supported function in some golden case', () => {
    const text = readdirSync(DIR).filter((f) => f.endsWith('.kql')).map((f) => readFileSync(join(DIR, f), 'utf8')).join('\n').toLowerCase();
    const names = [...new Set([
      ...Object.keys(SCALAR_FUNCTIONS), ...Object.keys(WINDOW_FUNCTIONS), ...Object.keys(AGGREGATE_FUNCTIONS),
      ...Object.keys(GEO_FUNCTIONS), ...Object.keys(FUNCTION_ALIASES),
    ])];
    expect(names.length).toBeGreaterThan(300);
    const called = (n: string) => new RegExp(`(^|[^a-z0-9_])${n.toLowerCase()}\\s*\\(`).test(text);
    expect(names.filter((n) => !called(n))).toEqual([]);
  });
});
