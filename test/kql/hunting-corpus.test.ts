/**
 * Regression thresholds on the public hunting corpus: the share of Defender queries that compile
 * (queries using externaldata or `invoke FileProfile` reported separately), that every compiled
 * query runs on an empty event store, and that every client-generated query compiles and runs on
 * the empty store unless Microsoft's parser or analyzer (given Palisade's schema) rejects it too or
 * the project's allow-list (conformance/corpus-allow-list.json) names it as wrong at its source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from '../../src/domain/ports.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';
import { compileKql } from '../../src/kql/index.ts';
import { allowListed, loadAllowList } from '../../tools/conformance/allow-list.ts';
import { classifyFailure, clientQueries, defenderQueries, kustoRejection } from './corpus.ts';

const opts = { tenantId: '11111111-1111-1111-1111-111111111111', deviceScope: [1, 2], now: new Date('2024-05-01T12:00:00Z') };

function tryCompile(q: string): { ok: true; c: CompiledQuery } | { ok: false; message: string } {
  try {
    return { ok: true, c: compileKql(q, opts) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

let store: DuckDbEventStore;
beforeAll(async () => { store = await openDuckDbEventStore({ path: ':memory:', threads: 1, readConnections: 1 }); });
afterAll(async () => { await store.close(); });

describe('hunting corpus', () => {
  const { main, external } = defenderQueries();
  const results = main.map((r) => ({ r, res: tryCompile(r.query) }));
  const compiled = results.filter((x) => x.res.ok);

  it('compiles at least 90% of the Defender queries (externaldata / FileProfile excluded)', () => {
    const failures = results.filter((x) => !x.res.ok).map((x) => `${x.r.name}: ${(x.res as { message: string }).message}`);
    const rate = compiled.length / main.length;
    console.info(`defender corpus: ${compiled.length}/${main.length} compile (${(100 * rate).toFixed(1)}%); ` +
      `${external.length} use externaldata/FileProfile; failures by kind: ${JSON.stringify(countBy(failures.map((f) => classifyFailure(f.slice(f.indexOf(': ') + 2)))))}`);
    expect(main.length).toBeGreaterThan(500);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });

  it('refuses externaldata and compiles the rest of those queries only when fetching is not needed', () => {
    const withExternal = external.filter((r) => /\bexternaldata\b/i.test(r.query));
    for (const r of withExternal) {
      const res = tryCompile(r.query);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.message).toMatch(/externaldata|not supported|Failed to resolve/);
    }
  });

  it('runs every compiled query on an empty event store without error', async () => {
    const errors: string[] = [];
    for (const { r, res } of compiled) {
      if (!res.ok) continue;
      try {
        const out = await store.query(res.c, { timeoutMs: 20_000, maxRows: 100 });
        expect(out.columns.map((c) => c.name)).toEqual(res.c.columns.map((c) => c.name));
      } catch (e) {
        errors.push(`${r.name}: ${(e as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it('compiles and runs every client query, except those Kusto rejects too or that are wrong at source', async () => {
    const cq = clientQueries();
    expect(cq.length).toBe(134);
    const allowList = loadAllowList();
    const rejected: string[] = [];
    const failures: string[] = [];
    const wrongAtSource = new Set<string>();
    let ran = 0;
    for (const r of cq) {
      const id = `${r.client} ${r.name}`;
      const res = tryCompile(r.query);
      let error: string | null = null;
      if (res.ok) {
        try {
          const out = await store.query(res.c, { timeoutMs: 20_000, maxRows: 100 });
          expect(out.columns.map((c) => c.name)).toEqual(res.c.columns.map((c) => c.name));
          ran++;
          continue;
        } catch (e) {
          error = (e as Error).message;
        }
      } else {
        error = res.message;
      }
      // a failure counts against Palisade unless Microsoft's parser/analyzer rejects the query too,
      // or the project's allow-list names it as wrong at its source
      const why = kustoRejection(r.query);
      const listed = allowListed(allowList, r.name, r.query);
      if (why) rejected.push(`${id}: ${why}`);
      else if (listed) wrongAtSource.add(`${id}: ${error}`);
      else failures.push(`${id}: ${error}`);
    }
    console.info(`client queries: ${ran} of ${cq.length} run; ${rejected.length} rejected by Microsoft's parser/analyzer too:\n  ${rejected.join('\n  ')}\n` +
      `${wrongAtSource.size} distinct ones wrong at source (conformance/corpus-allow-list.json):\n  ${[...wrongAtSource].join('\n  ')}`);
    expect(failures).toEqual([]);
    // every allow-list entry still matters: each names a client query that fails
    for (const e of allowList) expect([...wrongAtSource].some((w) => w.includes(` ${e.name}: `))).toBe(true);
    // the analyzer rejects few: tables Palisade lacks, syntax errors, unknown names
    expect(rejected.length).toBeLessThanOrEqual(24);
    expect(ran).toBeGreaterThanOrEqual(99);
  });
});

function countBy(xs: string[]): Record<string, number> {
  const o: Record<string, number> = {};
  for (const x of xs) o[x] = (o[x] ?? 0) + 1;
  return o;
}
