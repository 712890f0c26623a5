/**
 * Golden tests of the KQL engine: each test/kql/golden/<name>.kql is compiled for tenant T1 with
 * device groups 1 and 2 at a fixed `now`; the SQL and parameters must equal <name>.sql, and the
 * rows returned by a seeded in-memory event store must equal <name>.rows.json (canonically sorted
 * unless the query's first line says `// ordered`). A query expected to be refused has a
 * <name>.error.json instead. A missing expected file fails its case; run with UPDATE_GOLDEN=1 to
 * write the expected files (nothing is written otherwise). Each case also
 * checks that the JSON rows DuckDB prints for the hunting API (jsonSql) equal the formatted rows.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';
import { compileKqlDiscovering, formatResults } from '../../src/kql/index.ts';
import { parseJsonExact } from './exact-json.ts';
import { NOW, SCOPE, T1, openSeededStore } from './seed.ts';

const DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(DIR).filter((f) => f.endsWith('.kql')).map((f) => f.slice(0, -4)).sort();

const json = (v: unknown) => `${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x), 2)}\n`;

/**
 * Compares `actual` with the expected file. With UPDATE_GOLDEN=1 the file is (re)written instead;
 * otherwise a missing expected file fails the case, so a new golden query needs its files committed.
 */
function expectFile(path: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 to write it, then review and commit it`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

let store: DuckDbEventStore;
beforeAll(async () => { store = await openSeededStore(); });
afterAll(async () => { await store.close(); });

describe('KQL golden files', () => {
  it('has at least one golden case', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const name of cases) {
    it(name, async () => {
      const text = readFileSync(join(DIR, `${name}.kql`), 'utf8');
      const ordered = text.split('\n')[0].includes('// ordered');
      let compiled;
      try {
        compiled = await compileKqlDiscovering(text, { tenantId: T1, deviceScope: SCOPE, now: NOW }, async (q) => (await store.query(q, { timeoutMs: 20_000, maxRows: 10_000 })).rows);
      } catch (e) {
        if (!(e instanceof PalisadeError)) throw e;
        expectFile(join(DIR, `${name}.error.json`), json({ code: e.code, message: e.message, details: e.details ?? null }));
        return;
      }
      expect(existsSync(join(DIR, `${name}.error.json`)) && !UPDATE, `${name} was expected to fail`).toBe(false);
      expectFile(join(DIR, `${name}.sql`), `${compiled.sql}\n-- params: ${JSON.stringify(compiled.params, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}\n`);
      const res = await store.query(compiled, { timeoutMs: 20_000, maxRows: 10_000 });
      const formatted = formatResults(compiled.columns, res.rows);
      // the hunting API's JSON rows (jsonSql: values printed by DuckDB) equal the values formatted here
      expect(compiled.jsonSql, 'the DuckDB dialect prints JSON rows').toBeTypeOf('string');
      const jsonRows = await store.query({ sql: compiled.jsonSql!, params: compiled.params, columns: [{ name: 'row', type: 'string' }] }, { timeoutMs: 20_000, maxRows: 10_000 });
      // longs stay exact (bigint beyond 2^53) as the formatted rows keep them; other numbers are doubles
      const inexact = compiled.columns.filter((c) => c.type !== 'long' && c.type !== 'int').map((c) => c.name);
      const parsed = jsonRows.rows.map((r) => {
        const o = parseJsonExact(r[0] as string) as Record<string, unknown>;
        for (const n of inexact) if (typeof o[n] === 'bigint') o[n] = Number(o[n]);
        return o;
      });
      const key = (o: unknown) => JSON.stringify(o, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
      expect(ordered ? parsed : [...parsed].sort((a, b) => key(a).localeCompare(key(b))))
        .toEqual(ordered ? formatted.results : [...formatted.results].sort((a, b) => key(a).localeCompare(key(b))));
      const results = ordered ? formatted.results : [...formatted.results].sort((a, b) => key(a).localeCompare(key(b)));
      expectFile(join(DIR, `${name}.rows.json`), json({ schema: formatted.schema, results }));
    });
  }
});
