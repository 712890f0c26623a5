/**
 * Every KQL function the engine supports (the catalogs of src/kql/functions, deprecated aliases
 * included) and every tabular operator and evaluate plugin it binds is used in at least one golden
 * case (test/kql/golden/*.kql), so that each has its SQL and its rows (or its refusal) checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_FUNCTIONS, FUNCTION_ALIASES, SCALAR_FUNCTIONS, WINDOW_FUNCTIONS } from '../../src/kql/functions/catalog.ts';
import { GEO_FUNCTIONS } from '../../src/kql/functions/geo-catalog.ts';

const DIR = join(import.meta.dirname, 'golden');

/** The operators and plugins src/kql/bind binds, each with a pattern that finds it in a query. */
const OPERATORS: Record<string, RegExp> = {
  where: /\|\s*where\b/, filter: /\|\s*filter\b/, project: /\|\s*project\s/, 'project-away': /project-away/,
  'project-keep': /project-keep/, 'project-rename': /project-rename/, 'project-reorder': /project-reorder/,
  extend: /\|\s*extend\b/, summarize: /\|\s*summarize\b/, top: /\|\s*top\s/, 'top-nested': /top-nested/,
  sort: /\|\s*sort\b/, order: /\|\s*order\b/, take: /\|\s*take\b/, limit: /\|\s*limit\b/,
  distinct: /\|\s*distinct\b/, count: /\|\s*count\s*($|\|)/m, join: /\|\s*join\b/, union: /\bunion\b/,
  lookup: /\|\s*lookup\b/, 'mv-expand': /mv-expand/, mvexpand: /\bmvexpand\b/, 'mv-apply': /mv-apply/,
  parse: /\|\s*parse\s/, 'parse-where': /parse-where/, 'parse-kv': /parse-kv/, 'make-series': /make-series/,
  as: /\|\s*as\s/, invoke: /\|\s*invoke\b/, search: /\bsearch\b/, getschema: /getschema/, sample: /\|\s*sample\s/,
  serialize: /\|\s*serialize\b/, render: /\|\s*render\b/, consume: /\|\s*consume\b/, scan: /\|\s*scan\b/,
  partition: /\|\s*partition\b/, range: /\brange\s+\w+\s+from\b/, print: /\bprint\b/, datatable: /datatable\s*\(/,
  let: /\blet\b/, materialize: /materialize\s*\(/, find: /\bfind\b/, externaldata: /externaldata/,
  'make-graph': /make-graph/, 'graph-match': /graph-match/, 'graph-to-table': /graph-to-table/,
  'graph-mark-components': /graph-mark-components/, bag_unpack: /evaluate\s+bag_unpack/, pivot: /evaluate\s+pivot/,
  ipv4_lookup: /evaluate\s+ipv4_lookup/, ipv6_lookup: /evaluate\s+ipv6_lookup/, rows_near: /evaluate\s+rows_near/,
  dcount_intersect: /evaluate\s+dcount_intersect/, geo_polygon_lookup: /evaluate\s+geo_polygon_lookup/,
  geo_line_lookup: /evaluate\s+geo_line_lookup/, sliding_window_counts: /evaluate\s+sliding_window_counts/,
  rolling_percentile: /evaluate\s+rolling_percentile/,
};

function goldenText(): string {
  return readdirSync(DIR).filter((f) => f.endsWith('.kql')).map((f) => readFileSync(join(DIR, f), 'utf8')).join('\n').toLowerCase();
}

describe('golden coverage', () => {
  it('calls every supported function in some golden case', () => {
    const text = goldenText();
    const names = [...new Set([
      ...Object.keys(SCALAR_FUNCTIONS), ...Object.keys(WINDOW_FUNCTIONS), ...Object.keys(AGGREGATE_FUNCTIONS),
      ...Object.keys(GEO_FUNCTIONS), ...Object.keys(FUNCTION_ALIASES),
    ])];
    expect(names.length).toBeGreaterThan(300);
    const called = (n: string) => new RegExp(`(^|[^a-z0-9_])${n.toLowerCase()}\\s*\\(`).test(text);
    expect(names.filter((n) => !called(n))).toEqual([]);
  });

  it('uses every supported tabular operator and evaluate plugin in some golden case', () => {
    const text = goldenText();
    expect(Object.keys(OPERATORS).filter((op) => !OPERATORS[op].test(text))).toEqual([]);
  });
});
