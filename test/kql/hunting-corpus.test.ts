/**
 * Regression thresholds on the public hunting corpus: the share of Defender queries that compile
 * (queries using externaldata or `invoke FileProfile` reported separately), that every compiled
 * query runs on an empty event store, and that every client-generated query either compiles or
 * fails only for a reason Kusto would report as well (unknown table/name, nothing to return).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from '../../src/domain/ports.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';
import { compileKql } from '../../src/kql/index.ts';
import { classifyFailure, clientQueries, defenderQueries } from './corpus.ts';

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

  it('compiles every client-generated query unless Kusto itself would reject it', () => {
    const cq = clientQueries();
    expect(cq.length).toBe(134);
    const unsupported: string[] = [];
    let ok = 0;
    for (const r of cq) {
      const res = tryCompile(r.query);
      if (res.ok) { ok++; continue; }
      if (classifyFailure(res.message) === 'unsupported') unsupported.push(`${r.name}: ${res.message}`);
    }
    console.info(`client queries: ${ok}/${cq.length} compile`);
    expect(unsupported).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(95);
  });
});

function countBy(xs: string[]): Record<string, number> {
  const o: Record<string, number> = {};
  for (const x of xs) o[x] = (o[x] ?? 0) + 1;
  return o;
}
