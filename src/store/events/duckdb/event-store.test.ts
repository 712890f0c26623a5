import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PalisadeError } from '../../../domain/errors.ts';
import type { CommitNotice, EventBatch } from '../../../domain/ports.ts';
import { encodeLines } from '../../../ingest/encode-table.ts';
import { validateLine } from '../../../ingest/validate-line.ts';
import { openDuckDbEventStore } from './event-store.ts';
import type { DuckDbEventStore } from './event-store.ts';

const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';
const DEV = 'a'.repeat(40);

let dir: string;
let store: DuckDbEventStore;

function proc(ts: string, extra: Record<string, unknown> = {}) {
  return {
    table: 'DeviceProcessEvents',
    row: { Timestamp: ts, DeviceId: DEV, DeviceName: 'host1', ActionType: 'ProcessCreated', FileName: 'cmd.exe', ProcessId: 4242, ...extra },
  };
}

function batch(batchId: string, rows: EventBatch['rows'], tenantId = T1, rbacGroupId?: number): EventBatch {
  return { tenantId, deviceId: DEV, batchId, rows, rbacGroupId };
}

async function sql(s: string, params: unknown[] = []) {
  return store.query({ sql: s, params, columns: [] }, { timeoutMs: 10_000, maxRows: 10_000 });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-events-'));
  store = await openDuckDbEventStore({ path: join(dir, 'events.duckdb'), threads: 1, now: () => new Date('2024-05-01T12:00:00Z') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DuckDB event store', () => {
  it('round-trips rows with JSON-friendly values and stamps hidden columns', async () => {
    const r = await store.appendBatch(batch('b1', [
      proc('2024-04-30T10:00:00.1234567Z', { FileSize: '9007199254740993', IsProcessRemoteSession: true, ProcessCreationTime: new Date('2024-04-30T09:59:59Z') }),
      { table: 'DeviceEvents', row: { Timestamp: '2024-04-30T10:00:01Z', ActionType: 'DpapiAccessed', AdditionalFields: { CallerProcessID: 4248 }, RemotePort: 443 } },
    ], T1, 7));
    expect(r).toEqual({ duplicate: false, stored: 2 });

    const p = await sql('SELECT "Timestamp", "FileSize", "IsProcessRemoteSession", "ProcessCreationTime", "ProcessId", "__TenantId", "__RbacGroupId", "__IngestTime" FROM "DeviceProcessEvents"');
    expect(p.columns.map((c) => c.type)).toEqual(['datetime', 'long', 'bool', 'datetime', 'long', 'string', 'int', 'datetime']);
    // the Timestamp is stored to the 100 ns tick (TIMESTAMP_NS), other datetimes to the microsecond
    expect(p.rows).toEqual([[
      '2024-04-30T10:00:00.1234567Z', '9007199254740993', true, '2024-04-30T09:59:59Z', 4242, T1, 7, '2024-05-01T12:00:00Z',
    ]]);
    const e = await sql('SELECT "AdditionalFields", "RemotePort" FROM "DeviceEvents"');
    expect(e.columns).toEqual([{ name: 'AdditionalFields', type: 'dynamic' }, { name: 'RemotePort', type: 'int' }]);
    expect(e.rows).toEqual([[{ CallerProcessID: 4248 }, 443]]);
  });

  it('stores a batch id once per tenant and device, also when retried concurrently', async () => {
    const b = batch('dup-1', [proc('2024-04-30T10:00:00Z')]);
    expect(await store.appendBatch(b)).toEqual({ duplicate: false, stored: 1 });
    expect(await store.appendBatch(b)).toEqual({ duplicate: true, stored: 0 });
    const c = batch('dup-2', [proc('2024-04-30T10:00:00Z')]);
    const both = await Promise.all([store.appendBatch(c), store.appendBatch(c), store.appendBatch(c)]);
    expect(both.filter((x) => !x.duplicate)).toHaveLength(1);
    // Same batch id from another tenant is a different batch.
    expect(await store.appendBatch(batch('dup-1', [proc('2024-04-30T10:00:00Z')], T2))).toEqual({ duplicate: false, stored: 1 });
    const n = await sql('SELECT "__TenantId", count(*) FROM "DeviceProcessEvents" GROUP BY 1 ORDER BY 1');
    expect(n.rows).toEqual([[T1, 2], [T2, 1]]);
  });

  it('stores the new batches of a group that also holds a repeated one', async () => {
    await store.appendBatch(batch('seen-1', [proc('2024-04-30T10:00:00Z')]));
    // Pushed together, the repeated id shares a group with a new one: the primary key refuses it and
    // the group is written again with it left out.
    const results = await Promise.all([
      store.appendBatch(batch('new-1', [proc('2024-04-30T10:00:01Z'), proc('2024-04-30T10:00:02Z')])),
      store.appendBatch(batch('seen-1', [proc('2024-04-30T10:00:00Z')])),
      store.appendBatch(batch('new-2', [proc('2024-04-30T10:00:03Z')])),
    ]);
    expect(results).toEqual([{ duplicate: false, stored: 2 }, { duplicate: true, stored: 0 }, { duplicate: false, stored: 1 }]);
    expect((await sql('SELECT count(*) FROM "DeviceProcessEvents"')).rows).toEqual([[4]]);
    const ids = await sql('SELECT batch_id, row_count FROM "__ingest_batches" ORDER BY batch_id');
    expect(ids.rows).toEqual([['new-1', 2], ['new-2', 1], ['seen-1', 1]]);
  });

  it('stores rows in Timestamp order within a flush', async () => {
    await store.appendBatch(batch('o1', [proc('2024-04-30T10:00:03Z'), proc('2024-04-30T10:00:01Z'), proc('2024-04-30T10:00:02Z')]));
    const r = await sql('SELECT "Timestamp" FROM "DeviceProcessEvents" ORDER BY rowid');
    expect(r.rows.flat()).toEqual(['2024-04-30T10:00:01Z', '2024-04-30T10:00:02Z', '2024-04-30T10:00:03Z']);
  });

  it('commits batches that arrive together in one group and resolves each', async () => {
    let tick = 0;
    const s = await openDuckDbEventStore({ path: join(dir, 'group.duckdb'), threads: 1, now: () => new Date(Date.UTC(2024, 4, 1, 12, 0, tick++)) });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.appendBatch(batch(`g${i}`, [proc('2024-04-30T10:00:00Z', { ProcessId: i })]))));
      expect(results.every((r) => !r.duplicate && r.stored === 1)).toBe(true);
      const q = (text: string) => s.query({ sql: text, params: [], columns: [] }, { timeoutMs: 5000, maxRows: 10 });
      // Each flush reads the clock once: fewer distinct stored_at values than batches means they shared commits.
      const groups = await q('SELECT count(DISTINCT stored_at), count(*) FROM "__ingest_batches"');
      expect(groups.rows[0][1]).toBe(20);
      expect(groups.rows[0][0] as number).toBeLessThan(5);
      expect((await q('SELECT count(*) FROM "DeviceProcessEvents"')).rows).toEqual([[20]]);
    } finally {
      await s.close();
    }
  });

  it('fails only the bad batch of a group', async () => {
    const good = Array.from({ length: 5 }, (_, i) => store.appendBatch(batch(`ok${i}`, [proc('2024-04-30T10:00:00Z')])));
    const bad = store.appendBatch(batch('bad', [proc('2024-04-30T10:00:00Z', { ProcessId: 'not-a-number' })]));
    await expect(bad).rejects.toThrow(/DeviceProcessEvents\.ProcessId/);
    for (const g of good) expect(await g).toEqual({ duplicate: false, stored: 1 });
    const n = await sql('SELECT count(*) FROM "DeviceProcessEvents"');
    expect(n.rows).toEqual([[5]]);
    const ids = await sql(`SELECT count(*) FROM "__ingest_batches" WHERE batch_id = 'bad'`);
    expect(ids.rows).toEqual([[0]]);
  });

  it('refuses an unknown table', async () => {
    await expect(store.appendBatch(batch('u', [{ table: 'Nope', row: { Timestamp: '2024-04-30T10:00:00Z' } }]))).rejects.toBeInstanceOf(PalisadeError);
  });

  it('deletes rows and batch ids older than the retention cutoff', async () => {
    await store.appendBatch(batch('r1', [proc('2024-03-01T00:00:00Z'), proc('2024-04-29T00:00:00Z')]));
    await store.appendBatch(batch('r2', [{ table: 'DeviceInfo', row: { Timestamp: '2024-02-01T00:00:00Z', OSPlatform: 'Linux' } }]));
    const deleted = await store.enforceRetention(new Date('2024-04-01T00:00:00Z'));
    expect(deleted).toBe(2);
    const r = await sql('SELECT "Timestamp" FROM "DeviceProcessEvents"');
    expect(r.rows).toEqual([['2024-04-29T00:00:00Z']]);
    // Batch ids stored "now" (2024-05-01) are kept.
    expect((await sql('SELECT count(*) FROM "__ingest_batches"')).rows).toEqual([[2]]);
    expect(await store.enforceRetention(new Date('2024-06-01T00:00:00Z'))).toBe(1);
    // The newest batch id stays: its seq is where the numbering of committed batches resumes.
    expect((await sql('SELECT batch_id FROM "__ingest_batches"')).rows).toEqual([['r2']]);
  });

  it('runs retention from a timer using retentionDays', async () => {
    await store.appendBatch(batch('rt', [proc('2024-03-01T00:00:00Z'), proc('2024-04-30T00:00:00Z')]));
    const runs: number[] = [];
    const stop = store.startRetentionTimer({ intervalMs: 60_000, onRun: (n) => runs.push(n) });
    try {
      await expect.poll(() => runs.length, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      stop();
    }
    // now = 2024-05-01, 30 days: the March row goes, the April row stays.
    expect(runs[0]).toBe(1);
    expect((await sql('SELECT "Timestamp" FROM "DeviceProcessEvents"')).rows).toEqual([['2024-04-30T00:00:00Z']]);
  });

  it('caps rows at maxRows and says the result was truncated', async () => {
    await store.appendBatch(batch('m', Array.from({ length: 30 }, (_, i) => proc(`2024-04-30T10:00:${String(i).padStart(2, '0')}Z`))));
    const q = { sql: 'SELECT "Timestamp" FROM "DeviceProcessEvents" ORDER BY "Timestamp"', params: [], columns: [{ name: 'Timestamp', type: 'datetime' }] };
    const r = await store.query(q, { timeoutMs: 5000, maxRows: 10 });
    expect(r.rows).toHaveLength(10);
    expect(r.truncated).toBe(true);
    const all = await store.query(q, { timeoutMs: 5000, maxRows: 30 });
    expect(all.rows).toHaveLength(30);
    expect(all.truncated).toBe(false);
  });

  it('binds parameters', async () => {
    await store.appendBatch(batch('p', [proc('2024-04-30T10:00:00Z', { FileName: 'a.exe' }), proc('2024-04-30T11:00:00Z', { FileName: 'b.exe' })]));
    const r = await sql('SELECT "FileName" FROM "DeviceProcessEvents" WHERE "Timestamp" > ? AND "__TenantId" = ?', [new Date('2024-04-30T10:30:00Z'), T1]);
    expect(r.rows).toEqual([['b.exe']]);
  });

  it('reuses a prepared statement with new parameters and sees rows committed after it was prepared', async () => {
    const q = 'SELECT count(*) AS n FROM "DeviceProcessEvents" WHERE "FileName" = $1';
    expect((await sql(q, ['a.exe'])).rows).toEqual([[0]]);
    await store.appendBatch(batch('later', [proc('2024-04-30T10:00:00Z', { FileName: 'a.exe' }), proc('2024-04-30T10:00:01Z', { FileName: 'b.exe' })]));
    expect((await sql(q, ['a.exe'])).rows).toEqual([[1]]);
    expect((await sql(q, ['b.exe'])).rows).toEqual([[1]]);
    // a statement that fails at run time is dropped and fails the same way again, not with a stale state
    const bad = 'SELECT CAST($1 AS INTEGER) AS n';
    await expect(sql(bad, ['x'])).rejects.toThrow(/Conversion Error/);
    await expect(sql(bad, ['x'])).rejects.toThrow(/Conversion Error/);
    expect((await sql(bad, ['5'])).rows).toEqual([[5]]);
  });

  it('interrupts a query that runs past its timeout', async () => {
    const started = Date.now();
    const err = await store
      .query({ sql: 'SELECT sum(hash(i)) FROM range(1000000000000) t(i)', params: [], columns: [] }, { timeoutMs: 200, maxRows: 10 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PalisadeError);
    expect(err.details).toEqual({ reason: 'QueryTimeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    // The connection is usable afterwards.
    expect((await sql('SELECT 1')).rows).toEqual([[1]]);
  });

  it('interrupts a query when its signal aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('client went away')), 100);
    await expect(
      store.query({ sql: 'SELECT sum(hash(i)) FROM range(1000000000000) t(i)', params: [], columns: [] }, { timeoutMs: 60_000, maxRows: 10, signal: ac.signal }),
    ).rejects.toThrow('client went away');
  });
});

describe('DuckDB event store layout', () => {
  it('opens a file from before the committed-batch feed: __BatchSeq and seq are added, old rows kept, numbering starts', async () => {
    const d = mkdtempSync(join(tmpdir(), 'palisade-events-'));
    const path = join(d, 'pre-feed.duckdb');
    try {
      let s = await openDuckDbEventStore({ path, threads: 1 });
      await s.appendBatch(batch('old', [proc('2024-04-30T10:00:00Z')]));
      await s.close();
      const inst = await DuckDBInstance.create(path);
      const c = await inst.connect();
      for (const t of ['DeviceProcessEvents', 'DeviceInfo']) await c.run(`ALTER TABLE "${t}" DROP COLUMN "__BatchSeq"`);
      await c.run('ALTER TABLE "__ingest_batches" DROP COLUMN seq');
      await c.run('ALTER TABLE "__ingest_batches" DROP COLUMN rbac_group');
      await c.run('ALTER TABLE "__ingest_batches" DROP COLUMN alerts');
      c.closeSync();
      inst.closeSync();
      s = await openDuckDbEventStore({ path, threads: 1 });
      try {
        expect(await s.lastSeq()).toBe(0);
        await s.appendBatch(batch('new', [proc('2024-04-30T11:00:00Z')]));
        const r = await s.query({ sql: 'SELECT "Timestamp", "__BatchSeq" FROM "DeviceProcessEvents" ORDER BY 1', params: [], columns: [] }, { timeoutMs: 5000, maxRows: 10 });
        expect(r.rows.map((x) => x[1])).toEqual([null, 1]);
        expect((await s.readCommitted(0, 10, 10)).map((b) => [b.seq, b.batchId, b.rows])).toEqual([[1, 'new', 1]]);
      } finally {
        await s.close();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('gives the Timestamp of a file from before ticks (TIMESTAMP) its TIMESTAMP_NS type, keeping its rows', async () => {
    const d = mkdtempSync(join(tmpdir(), 'palisade-events-'));
    const path = join(d, 'micros.duckdb');
    try {
      let s = await openDuckDbEventStore({ path, threads: 1 });
      await s.appendBatch(batch('old', [proc('2024-04-30T10:00:00.123456Z')]));
      await s.close();
      const inst = await DuckDBInstance.create(path);
      const c = await inst.connect();
      await c.run('ALTER TABLE "DeviceProcessEvents" ALTER COLUMN "Timestamp" SET DATA TYPE TIMESTAMP');
      c.closeSync();
      inst.closeSync();
      s = await openDuckDbEventStore({ path, threads: 1 });
      try {
        await s.appendBatch(batch('new', [proc('2024-04-30T11:00:00.1234567Z')]));
        const r = await s.query({ sql: 'SELECT typeof("Timestamp"), "Timestamp" FROM "DeviceProcessEvents" ORDER BY 2', params: [], columns: [] }, { timeoutMs: 5000, maxRows: 10 });
        expect(r.rows).toEqual([['TIMESTAMP_NS', '2024-04-30T10:00:00.123456Z'], ['TIMESTAMP_NS', '2024-04-30T11:00:00.1234567Z']]);
      } finally {
        await s.close();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('rebuilds a table created by an older schema, keeping its rows', async () => {
    const d = mkdtempSync(join(tmpdir(), 'palisade-events-'));
    const path = join(d, 'old.duckdb');
    try {
      const inst = await DuckDBInstance.create(path);
      const c = await inst.connect();
      await c.run(`CREATE TABLE "AlertInfo" ("Timestamp" TIMESTAMP, "AlertId" VARCHAR, "Title" VARCHAR, "__TenantId" VARCHAR NOT NULL, "__RbacGroupId" INTEGER NOT NULL DEFAULT 0, "__IngestTime" TIMESTAMP NOT NULL)`);
      await c.run(`INSERT INTO "AlertInfo" VALUES ('2024-04-30 10:00:00', 'da1', 'Old alert', 't', 0, '2024-04-30 10:00:00')`);
      c.closeSync();
      inst.closeSync();
      const s = await openDuckDbEventStore({ path, threads: 1 });
      try {
        const r = await s.query({ sql: 'SELECT "AlertId", "Title", "Severity" FROM "AlertInfo"', params: [], columns: [] }, { timeoutMs: 5000, maxRows: 10 });
        expect(r.rows).toEqual([['da1', 'Old alert', null]]);
        await s.appendBatch({ tenantId: 't', deviceId: '', batchId: 'x', rows: [{ table: 'AlertInfo', row: { Timestamp: '2024-04-30T11:00:00Z', AlertId: 'da2', Severity: 'High' } }] });
      } finally {
        await s.close();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('DuckDB event store shutdown', () => {
  it('interrupts a running query on close and refuses new work', async () => {
    const d = mkdtempSync(join(tmpdir(), 'palisade-events-'));
    const s = await openDuckDbEventStore({ path: join(d, 'close.duckdb'), threads: 1 });
    try {
      const running = s.query({ sql: 'SELECT sum(hash(i)) FROM range(1000000000000) t(i)', params: [], columns: [] }, { timeoutMs: 60_000, maxRows: 1 }).catch((e) => e);
      await new Promise((r) => setTimeout(r, 100));
      await s.close();
      expect(await running).toBeInstanceOf(Error);
      await expect(s.appendBatch({ tenantId: 't', deviceId: 'd', batchId: 'b', rows: [] })).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('numbers committed batches in commit order, announces them after COMMIT and reads them back as written', async () => {
    const notices: CommitNotice[] = [];
    store.onCommit((bs) => notices.push(...bs));
    const now = BigInt(Date.parse('2024-05-01T12:00:00Z')) * 1000n;
    const lines = [proc('2024-04-30T10:00:02Z', { FileSize: 12, IsProcessRemoteSession: false }), proc('2024-04-30T10:00:01Z', { ProcessCommandLine: 'cmd /c "x"' }), { table: 'DeviceEvents', row: { Timestamp: '2024-04-30T10:00:03Z', AdditionalFields: { a: [1, 2] } } }]
      .map((l) => validateLine(l, now))
      .map((r) => (r.kind === 'ok' ? r.value : expect.unreachable(r.reason)));
    const tables = encodeLines(lines);
    await Promise.all([
      store.appendEncoded({ tenantId: T1, deviceId: DEV, batchId: 'e1', rbacGroupId: 4, tables }),
      store.appendBatch(batch('r1', [proc('2024-04-30T11:00:00Z')])),
      store.appendBatch(batch('r1', [proc('2024-04-30T11:00:00Z')])),
    ]);
    await store.appendEncoded({ tenantId: T2, deviceId: DEV, batchId: 'e2', tables: [] });
    expect(notices.map((n) => [n.seq, n.batchId, n.rows, n.tables === null])).toEqual([[1, 'e1', 3, false], [2, 'r1', 1, true], [4, 'e2', 0, false]]);
    expect(await store.lastSeq()).toBe(4);
    expect(await store.countCommitted(0, 4)).toEqual({ batches: 3, rows: 4 });
    const back = await store.readCommitted(0, 4, 10);
    expect(back.map((b) => [b.seq, b.tenantId, b.batchId, b.rbacGroupId, b.rows])).toEqual([[1, T1, 'e1', 4, 3], [2, T1, 'r1', 0, 1], [4, T2, 'e2', 0, 0]]);
    const sortTables = (ts: typeof tables) => [...ts].sort((a, b) => a.table.localeCompare(b.table));
    expect(sortTables(back[0].tables)).toEqual(sortTables(tables));
    expect(back[1].tables.map((t) => [t.table, t.rows])).toEqual([['DeviceProcessEvents', 1]]);
    expect(await store.readCommitted(1, 4, 1)).toHaveLength(1);
    // After a restart, numbering resumes after the last seq.
    await store.close();
    store = await openDuckDbEventStore({ path: join(dir, 'events.duckdb'), threads: 1, now: () => new Date('2024-05-01T12:00:00Z') });
    const after: CommitNotice[] = [];
    store.onCommit((bs) => after.push(...bs));
    await store.appendBatch(batch('r2', [proc('2024-04-30T11:00:00Z')]));
    expect(after.map((n) => n.seq)).toEqual([5]);
  });
});
