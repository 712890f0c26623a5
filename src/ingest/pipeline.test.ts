import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeError } from '../domain/errors.ts';
import type { EventBatch, EventStore } from '../domain/ports.ts';
import { openDuckDbEventStore } from '../store/events/duckdb/event-store.ts';
import type { DuckDbEventStore } from '../store/events/duckdb/event-store.ts';
import { createIngestPipeline } from './pipeline.ts';
import type { DeadLetter, IngestMetrics } from './pipeline.ts';

const TENANT = '33333333-3333-3333-3333-333333333333';
const DEVICE = 'b'.repeat(40);
const NOW = new Date('2024-05-01T12:00:00Z');
const who = { tenantId: TENANT, deviceId: DEVICE, deviceName: 'sensor-host.corp', rbacGroupId: 3 };

function ndjson(lines: unknown[]): Buffer {
  return Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
}

let store: DuckDbEventStore;

async function rows(sql: string) {
  return (await store.query({ sql, params: [], columns: [] }, { timeoutMs: 5000, maxRows: 1000 })).rows;
}

beforeAll(async () => {
  store = await openDuckDbEventStore({ path: ':memory:', threads: 1, now: () => NOW });
});

afterAll(async () => {
  await store.close();
});

describe('ingest pipeline', () => {
  it('stores valid lines, rejects bad ones by 1-based line number, and stamps identity', async () => {
    const deadLetters: DeadLetter[] = [];
    const metrics: IngestMetrics[] = [];
    const p = createIngestPipeline({ eventStore: store, now: () => NOW, onDeadLetter: (d) => deadLetters.push(d), onMetrics: (m) => metrics.push(m) });
    const body = gzipSync(ndjson([
      { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T11:00:00Z', DeviceId: 'forged', DeviceName: 'forged', FileName: 'a.exe', SHA1: 'ABCDEF', ProcessId: '77' } },
      '{not json',
      { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T11:00:00Z', Bogus: 1 } },
      '',
      { table: 'NoSuchTable', row: { Timestamp: '2024-05-01T11:00:00Z' } },
      { table: 'DeviceNetworkEvents', row: { ActionType: 'ConnectionSuccess' } },
      { table: 'DeviceNetworkEvents', row: { Timestamp: '2024-05-03T11:00:00Z' } },
      { table: 'DeviceNetworkEvents', row: { Timestamp: '2024-03-01T11:00:00Z' } },
      { table: 'DeviceNetworkEvents', row: { Timestamp: '2024-05-01T11:00:01Z', RemotePort: 'https' } },
      { table: 'DeviceNetworkEvents', row: { Timestamp: '2024-05-01T11:00:02Z', RemoteIP: '8.8.8.8', RemotePort: '443', LocalIP: '10.0.0.5', AdditionalFields: '{"direction":"Out"}' } },
      { table: 'AlertInfo', row: { Timestamp: '2024-05-01T11:00:00Z', AlertId: 'forged' } },
    ]));
    const r = await p.ingest({ ...who, batchId: 'batch-1', body, gzip: true });
    expect(r.batchId).toBe('batch-1');
    expect(r.duplicate).toBe(false);
    expect(r.accepted).toBe(2);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 3, 5, 6, 7, 8, 9, 11]);
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.line, x.reason]));
    expect(reasons[2]).toBe('invalid JSON');
    expect(reasons[3]).toBe("unknown column 'Bogus' for table DeviceProcessEvents");
    expect(reasons[5]).toBe("unknown table 'NoSuchTable'");
    expect(reasons[6]).toBe('Timestamp is required');
    expect(reasons[7]).toBe('Timestamp is more than 1 day in the future');
    expect(reasons[8]).toBe('Timestamp is older than the 30-day retention');
    expect(reasons[9]).toBe('column \'RemotePort\': expected int, got "https"');
    expect(reasons[11]).toBe("table 'AlertInfo' is not accepted from sensors");
    // Dropped (retention) lines are not dead letters; the others are, with the step that refused them.
    expect(deadLetters.map((d) => [d.line, d.step])).toEqual([[2, 'parse'], [3, 'validate'], [5, 'validate'], [6, 'validate'], [7, 'validate'], [9, 'validate'], [11, 'validate']]);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ lines: 10, accepted: 2, dropped: 1, deadLettered: 7, duplicate: false });
    expect(Object.keys(metrics[0].stepMs)).toEqual(['decode', 'parse', 'validate', 'stamp', 'enrich', 'age', 'match', 'write']);

    expect(await rows(`SELECT "DeviceId", "DeviceName", "FileName", "SHA1", "ProcessId", "__TenantId", "__RbacGroupId" FROM "DeviceProcessEvents" WHERE "__TenantId" = '${TENANT}'`)).toEqual([
      [DEVICE, 'sensor-host.corp', 'a.exe', 'abcdef', 77, TENANT, 3],
    ]);
    expect(await rows(`SELECT "RemotePort", "RemoteIPType", "LocalIPType", "AdditionalFields", "DeviceId" FROM "DeviceNetworkEvents" WHERE "__TenantId" = '${TENANT}'`)).toEqual([
      [443, 'Public', 'Private', { direction: 'Out' }, DEVICE],
    ]);
    expect(await rows('SELECT count(*) FROM "AlertInfo"')).toEqual([[0]]);
  });

  it('answers a retried batch id as a duplicate without storing it again', async () => {
    const p = createIngestPipeline({ eventStore: store, now: () => NOW });
    const body = ndjson([{ table: 'DeviceFileEvents', row: { Timestamp: '2024-05-01T10:00:00Z', FileName: 'retry.txt' } }]);
    const first = await p.ingest({ ...who, batchId: 'retry-1', body, gzip: false });
    const again = await p.ingest({ ...who, batchId: 'retry-1', body, gzip: false });
    expect(first).toEqual({ batchId: 'retry-1', accepted: 1, rejected: [], duplicate: false });
    expect(again).toEqual({ batchId: 'retry-1', accepted: 1, rejected: [], duplicate: true });
    expect(await rows(`SELECT count(*) FROM "DeviceFileEvents" WHERE "FileName" = 'retry.txt'`)).toEqual([[1]]);
  });

  it('ingests the real streaming samples once reshaped into sensor lines', async () => {
    const p = createIngestPipeline({ eventStore: store, now: () => new Date('2022-11-08T00:00:00Z') });
    const records = readFileSync(new URL('../../test/fixtures/api-samples/streaming/elastic-m365d-test-device.2022-11-07.ndjson', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { category: string; properties: Record<string, unknown> });
    const lines = records
      .filter((r) => r.category.startsWith('AdvancedHunting-Device'))
      .filter((r) => String(r.properties.Timestamp).startsWith('2022-11-07'))
      .map((r) => {
        // MachineGroup is a streaming-only property that is not a hunting column.
        const { MachineGroup: _mg, ...row } = r.properties;
        return { table: r.category.slice('AdvancedHunting-'.length), row };
      });
    expect(lines.length).toBeGreaterThan(3);
    const r = await p.ingest({ ...who, batchId: 'corpus-1', body: gzipSync(ndjson(lines)), gzip: true });
    expect(r.rejected).toEqual([]);
    expect(r.accepted).toBe(lines.length);
    const dpapi = await rows(`SELECT "AdditionalFields", "InitiatingProcessLogonId", "Timestamp" FROM "DeviceEvents" WHERE "ActionType" = 'DpapiAccessed'`);
    // MDE sends seven fractional digits; the Timestamp keeps all of them
    expect(dpapi).toEqual([[{ CallerProcessID: 4248 }, 1431021, '2022-11-07T17:07:42.0259186Z']]);
  });

  it('throws BadRequest for a malformed gzip body and PayloadTooLarge over the limit', async () => {
    const p = createIngestPipeline({ eventStore: store, now: () => NOW, maxBodyBytes: 1024 });
    const bad = await p.ingest({ ...who, batchId: 'g1', body: Buffer.from('definitely not gzip'), gzip: true }).catch((e) => e);
    expect(bad).toBeInstanceOf(PalisadeError);
    expect(bad.code).toBe('BadRequest');
    const truncated = gzipSync(ndjson([{ table: 'DeviceInfo', row: { Timestamp: '2024-05-01T10:00:00Z' } }])).subarray(0, 20);
    expect((await p.ingest({ ...who, batchId: 'g2', body: truncated, gzip: true }).catch((e) => e)).code).toBe('BadRequest');
    // 100 KiB of zeros compresses to ~100 bytes but decompresses past the 1 KiB limit.
    const bomb = gzipSync(Buffer.alloc(100 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024);
    const big = await p.ingest({ ...who, batchId: 'g3', body: bomb, gzip: true }).catch((e) => e);
    expect(big.code).toBe('PayloadTooLarge');
    expect((await p.ingest({ ...who, batchId: 'g4', body: Buffer.alloc(2048, 0x20), gzip: false }).catch((e) => e)).code).toBe('PayloadTooLarge');
  });

  it('limits lines per batch and validates the batch id', async () => {
    const p = createIngestPipeline({ eventStore: store, now: () => NOW, maxLines: 2 });
    const line = { table: 'DeviceInfo', row: { Timestamp: '2024-05-01T10:00:00Z' } };
    expect((await p.ingest({ ...who, batchId: 'l1', body: ndjson([line, line, line]), gzip: false }).catch((e) => e)).code).toBe('MaximumBatchSizeExceeded');
    expect((await p.ingest({ ...who, batchId: 'bad id!', body: ndjson([line]), gzip: false }).catch((e) => e)).code).toBe('BadRequest');
  });

  it('records an all-rejected batch so its retry is a duplicate', async () => {
    const p = createIngestPipeline({ eventStore: store, now: () => NOW });
    const body = ndjson(['[]']);
    const first = await p.ingest({ ...who, batchId: 'empty-1', body, gzip: false });
    expect(first).toEqual({ batchId: 'empty-1', accepted: 0, rejected: [{ line: 1, reason: 'a line must be a JSON object {"table": ..., "row": {...}}' }], duplicate: false });
    expect((await p.ingest({ ...who, batchId: 'empty-1', body, gzip: false })).duplicate).toBe(true);
  });

  it('runs large bodies on a worker thread with the same results as on the event loop', async () => {
    const lines: unknown[] = [];
    for (let i = 0; i < 800; i++) {
      lines.push({ table: 'DeviceProcessEvents', row: { Timestamp: `2024-05-01T11:${String(i % 60).padStart(2, '0')}:00.${String(i).padStart(3, '0')}Z`, FileName: `tool-${i % 7}.exe`, ProcessId: i, SHA1: 'AB'.repeat(20), ProcessCommandLine: `tool-${i % 7}.exe --run ${i} ${'x'.repeat(40)}`, AdditionalFields: i % 2 ? { n: i } : null } });
      lines.push({ table: 'DeviceNetworkEvents', row: { Timestamp: '2024-05-01T11:00:00Z', RemoteIP: '8.8.8.8', RemotePort: 443 + (i % 3), LocalIP: '10.0.0.5' } });
      if (i % 100 === 0) lines.push({ table: 'DeviceNetworkEvents', row: { Timestamp: '2024-05-01T11:00:00Z', RemotePort: 'https' } });
      if (i % 250 === 0) lines.push('{broken');
    }
    const body = gzipSync(ndjson(lines));
    expect(body.readUInt32LE(body.length - 4)).toBeGreaterThan(64 * 1024);
    const deadLetters: DeadLetter[][] = [[], []];
    const results = [];
    for (const [k, workers] of [1, 0].entries()) {
      const p = createIngestPipeline({ eventStore: store, now: () => NOW, workers, onDeadLetter: (d) => deadLetters[k].push(d) });
      results.push(await p.ingest({ ...who, deviceId: String(k).repeat(40), batchId: `big-${workers}`, body, gzip: true }));
    }
    expect(results[0]).toEqual({ ...results[1], batchId: 'big-1' });
    expect(results[0].accepted).toBe(1600);
    expect(results[0].rejected).toHaveLength(12);
    expect(deadLetters[0]).toEqual(deadLetters[1].map((d) => ({ ...d, deviceId: d.deviceId.replaceAll('1', '0'), batchId: 'big-1' })));
    const cols = '"Timestamp", "DeviceName", "FileName", "ProcessId", "SHA1", "ProcessCommandLine", "AdditionalFields", "__RbacGroupId"';
    const onWorker = await rows(`SELECT ${cols} FROM "DeviceProcessEvents" WHERE "DeviceId" = '${'0'.repeat(40)}' ORDER BY "ProcessId"`);
    const onLoop = await rows(`SELECT ${cols} FROM "DeviceProcessEvents" WHERE "DeviceId" = '${'1'.repeat(40)}' ORDER BY "ProcessId"`);
    expect(onWorker).toHaveLength(800);
    expect(onWorker).toEqual(onLoop);
    expect(onWorker[1]).toEqual(['2024-05-01T11:01:00.001Z', 'sensor-host.corp', 'tool-1.exe', 1, 'ab'.repeat(20), `tool-1.exe --run 1 ${'x'.repeat(40)}`, '{"n":1}', 3]);
    const net = await rows(`SELECT "DeviceId", count(*), count(DISTINCT "RemotePort"), min("RemoteIPType"), min("LocalIPType") FROM "DeviceNetworkEvents" WHERE "DeviceId" IN ('${'0'.repeat(40)}', '${'1'.repeat(40)}') GROUP BY 1 ORDER BY 1`);
    expect(net).toEqual([['0'.repeat(40), 800, 3, 'Public', 'Private'], ['1'.repeat(40), 800, 3, 'Public', 'Private']]);
    // Whole-body errors come back from the worker as the same PalisadeError.
    const bad = Buffer.concat([Buffer.from('not gzip at all, really not'), Buffer.from([0, 0, 2, 0])]);
    const p = createIngestPipeline({ eventStore: store, now: () => NOW, workers: 1 });
    expect((await p.ingest({ ...who, batchId: 'big-bad', body: bad, gzip: true }).catch((e) => e)).code).toBe('BadRequest');
  });

  it('rejects a line nested 5,000 deep with its reason and stores the rest, on the event loop and on a worker', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const good = { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T11:00:00Z', FileName: 'ok.exe' } };
    for (const workers of [0, 1]) {
      for (const column of ['AdditionalFields', 'ProcessCommandLine']) {
        // over 64 KiB of padding lines sends the body to a worker
        const padding = workers ? Array.from({ length: 1500 }, () => good) : [];
        const body = ndjson([good, `{"table":"DeviceProcessEvents","row":{"Timestamp":"2024-05-01T11:00:00Z","${column}":${deep}}}`, good, ...padding]);
        const p = createIngestPipeline({ eventStore: store, now: () => NOW, workers });
        const r = await p.ingest({ ...who, batchId: `deep-${workers}-${column}`, body, gzip: false });
        expect(r.rejected).toEqual([{ line: 2, reason: `column '${column}': nested deeper than 100 levels` }]);
        expect(r.accepted).toBe(2 + padding.length);
      }
    }
  });

  it('lets store failures propagate so the sensor retries', async () => {
    const failing: EventStore = {
      appendBatch: async (_b: EventBatch) => {
        throw new Error('disk full');
      },
      appendEncoded: async () => {
        throw new Error('disk full');
      },
      query: async () => {
        throw new Error('unused');
      },
      enforceRetention: async () => 0,
      close: async () => {},
    };
    const p = createIngestPipeline({ eventStore: failing, now: () => NOW });
    await expect(p.ingest({ ...who, batchId: 'f', body: ndjson([{ table: 'DeviceInfo', row: { Timestamp: '2024-05-01T10:00:00Z' } }]), gzip: false })).rejects.toThrow('disk full');
  });
});

describe('the match step', () => {
  it('commits the alerts of a batch\'s matches with its rows, on the event loop and in a worker thread, never for a duplicate', async () => {
    const { packSnapshot } = await import('../detect/indicator-snapshot.ts');
    const hash = 'c'.repeat(40);
    const snapshot = packSnapshot(TENANT, 9, [{ id: '5', type: 'FileSha1', value: hash, action: 'Audit', severity: 'Low', generateAlert: true, title: 'T', groups: null, expiresAtMs: null }]);
    const committed: { seq: number; batchId: string; keys: string[] }[] = [];
    store.onCommit((notices) => {
      for (const n of notices) committed.push({ seq: n.seq, batchId: n.batchId, keys: (n.alerts ?? []).map((a) => a.dedupeKey) });
    });
    try {
      for (const workers of [0, 1]) {
        const p = createIngestPipeline({ eventStore: store, now: () => NOW, workers, indicators: async (t) => (t === TENANT ? snapshot : null) });
        // over 64 KiB, so that a pool runs it in a worker
        const filler = Array.from({ length: 600 }, (_, i) => ({ table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T11:00:00Z', FileName: `f${i}.exe`, SHA1: 'd'.repeat(40), ProcessCommandLine: 'x'.repeat(100) } }));
        const body = ndjson([...filler, { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T11:00:00Z', FileName: 'bad.exe', SHA1: hash.toUpperCase(), ReportId: 3 } }]);
        expect(body.length).toBeGreaterThan(64 * 1024);
        const batchId = `match-${workers}`;
        committed.length = 0;
        await p.ingest({ ...who, batchId, body, gzip: false });
        await p.ingest({ ...who, batchId, body, gzip: false });
        await p.close();
        const key = `ioc:5:${who.deviceId}:3:2024-05-01T11:00:00Z:SHA1`;
        expect(committed.map(({ batchId: b, keys }) => ({ batchId: b, keys }))).toEqual([{ batchId, keys: [key] }]);
        // the batch log gives the drafts back, as the feed reads them after a restart
        const [back] = await store.readCommitted(committed[0].seq - 1, committed[0].seq, 1);
        expect(back.alerts?.map((a) => a.dedupeKey)).toEqual([key]);
        expect(back.alerts?.[0]).toMatchObject({ detectionSource: 'CustomerTI', indicatorId: '5', machineId: who.deviceId });
      }
    } finally {
      store.onCommit(() => undefined);
    }
  });
});
