import { describe, expect, it } from 'vitest';
import { createMemoryCounters } from '../store/counters/memory-counters.ts';
import { HuntingService, DEFAULT_HUNTING_LIMITS } from './hunting.ts';
import type { CompiledQuery, EventStore, QueryResult } from '../domain/ports.ts';
import type { Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';

const ctx = (perms: string[] = ['AdvancedQuery.Read.All']): Ctx => ({
  tenantId: 't1',
  principal: { kind: 'app', id: 'a', name: 'a', permissions: new Set(perms) as Ctx['principal']['permissions'], deviceGroups: [3] },
  authz: { checked: false },
});

function fakeStore(result: Partial<QueryResult>, elapsedMs = 5): EventStore & { seen: { q: CompiledQuery; opts: unknown }[] } {
  const seen: { q: CompiledQuery; opts: unknown }[] = [];
  return {
    seen,
    appendBatch: async () => ({ duplicate: false, stored: 0 }),
    appendEncoded: async () => ({ duplicate: false, stored: 0 }),
    query: async (q, opts) => {
      seen.push({ q, opts });
      await new Promise((r) => setTimeout(r, elapsedMs));
      return { columns: [{ name: 'x', type: 'long' }], rows: [[1]], truncated: false, stats: { elapsedMs }, ...result };
    },
    enforceRetention: async () => 0,
    close: async () => {},
  };
}
const compile = async (_t: string, o: { tenantId: string; deviceScope: unknown; lookbackDays?: number }) => ({ sql: 'select 1', params: [o.tenantId, o.deviceScope, o.lookbackDays], columns: [{ name: 'x', type: 'long' }] });
const format = (cols: { name: string; type: string }[], rows: unknown[][]) => ({ schema: cols.map((c) => ({ Name: c.name, Type: 'Int64' })), results: rows.map((r) => ({ [cols[0].name]: r[0] })) });

describe('HuntingService', () => {
  it('authorizes, passes tenant, device scope and limits to the compiler and the store', async () => {
    const store = fakeStore({});
    const s = new HuntingService({ compile, events: store, format, counters: createMemoryCounters() });
    const c = ctx();
    const r = await s.run(c, 'T | take 1');
    expect(c.authz.checked).toBe(true);
    expect(JSON.parse(r.resultsJson)).toEqual([{ x: 1 }]);
    expect(store.seen[0].q.params).toEqual(['t1', [3], 30]);
    expect(store.seen[0].opts).toMatchObject({ maxRows: 100_000, timeoutMs: DEFAULT_HUNTING_LIMITS.timeoutMs });
  });
  it('runs the JSON-rows form when the compiler gives one, and the discovery steps the compiler asks for, charging both', async () => {
    const store = fakeStore({ columns: [{ name: 'row', type: 'string' }], rows: [['{"x":1,"d":"a"}'], ['{"x":2,"d":"b"}']] }, 20);
    const withJson = async (_t: string, o: { tenantId: string }, read: (q: CompiledQuery) => Promise<unknown[][]>) => {
      const names = await read({ sql: 'discover', params: [o.tenantId], columns: [{ name: 'n', type: 'string' }] });
      expect(names).toHaveLength(2);
      return { sql: 'select x, d', params: [], columns: [{ name: 'x', type: 'long' }, { name: 'd', type: 'string' }], jsonSql: 'select json' };
    };
    const s = new HuntingService({ compile: withJson, events: store, format, counters: createMemoryCounters(), limits: { ...DEFAULT_HUNTING_LIMITS, cpuMsPerHour: 30 } });
    const r = await s.run(ctx(), 'T | evaluate bag_unpack(d)');
    expect(store.seen.map((x) => x.q.sql)).toEqual(['discover', 'select json']);
    expect(r.schema.map((c) => c.Name)).toEqual(['x', 'd']);
    expect(JSON.parse(r.resultsJson)).toEqual([{ x: 1, d: 'a' }, { x: 2, d: 'b' }]);
    expect(r.stats.rowsReturned).toBe(2);
    // two store calls of 20 ms each exhaust a 30 ms budget
    await expect(s.run(ctx(), 'x')).rejects.toMatchObject({ code: 'TooManyRequests' });
  });
  it('refuses callers without the permission', async () => {
    await expect(new HuntingService({ compile, events: fakeStore({}), format, counters: createMemoryCounters() }).run(ctx(['Machine.Read.All']), 'x')).rejects.toMatchObject({ code: 'Forbidden' });
  });
  it('answers 400 when the result exceeds the row limit', async () => {
    const s = new HuntingService({ compile, events: fakeStore({ truncated: true }), format, counters: createMemoryCounters() });
    await expect(s.run(ctx(), 'x')).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/100000 rows/) });
  });
  it('stops a tenant that used its hourly CPU budget, with Retry-After, and names the quota', async () => {
    const s = new HuntingService({ compile, events: fakeStore({}, 20), format, counters: createMemoryCounters(), limits: { ...DEFAULT_HUNTING_LIMITS, cpuMsPerHour: 30 } });
    await s.run(ctx(), 'x');
    await s.run(ctx(), 'x');
    const err = await s.run(ctx(), 'x').catch((e) => e);
    expect(err).toBeInstanceOf(PalisadeError);
    expect(err.code).toBe('TooManyRequests');
    expect(err.message).toMatch(/CPU quota/);
    expect(Number(err.headers['Retry-After'])).toBeGreaterThan(0);
  });
  it('reserves the execution time before a query runs, so concurrent queries cannot overdraw the budget', async () => {
    const store = fakeStore({}, 20);
    const s = new HuntingService({ compile, events: store, format, counters: createMemoryCounters(), limits: { ...DEFAULT_HUNTING_LIMITS, cpuMsPerHour: 30 } });
    const [first, second] = await Promise.allSettled([s.run(ctx(), 'x'), s.run(ctx(), 'x')]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'TooManyRequests' } });
    // the query ran with what was reserved as its timeout
    expect(store.seen[0].opts).toMatchObject({ timeoutMs: 30 });
  });
  it('refuses a result of more than 64 MB with a clear error', async () => {
    const big = `{"s":"${'x'.repeat(1024 * 1024)}"}`;
    const store = fakeStore({ columns: [{ name: 'row', type: 'string' }], rows: Array.from({ length: 65 }, () => [big]) });
    const withJson = async () => ({ sql: 'select 1', jsonSql: 'select json', params: [], columns: [{ name: 's', type: 'string' }] });
    const s = new HuntingService({ compile: withJson, events: store, format, counters: createMemoryCounters() });
    await expect(s.run(ctx(), 'x')).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/64 MB/) });
  });
  it('bounds the queries one tenant runs at once and serves another tenant meanwhile', async () => {
    let running = 0;
    let most = 0;
    const slow = fakeStore({}, 0);
    const query = slow.query;
    slow.query = async (q, o) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running -= 1;
      return query(q, o);
    };
    const s = new HuntingService({ compile, events: slow, format, counters: createMemoryCounters(), limits: { ...DEFAULT_HUNTING_LIMITS, concurrency: { total: 3, perTenant: 2, queuedPerTenant: 8 } } });
    const other = { ...ctx(), tenantId: 'other-tenant' };
    const runs = [...Array.from({ length: 6 }, () => s.run(ctx(), 'x')), s.run(other, 'x')];
    await Promise.all(runs);
    expect(most).toBe(3);
  });
});
