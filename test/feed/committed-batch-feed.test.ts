/**
 * The committed-batch feed end to end inside one process: sensor batches through the ingest pipeline
 * (worker threads and event loop) and server-written rows through the EventWriter, committed by the
 * DuckDB store, published on the in-process queue with file cursors. Consumer groups see every batch
 * once, in seq order, also across a restart of a consumer and of the whole stack; a stalled consumer
 * never holds ingest back, its backlog is bounded in memory and reported, and it catches up from the
 * store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../../src/domain/ports.ts';
import { openEventStack, type EventStack } from '../../src/compose.ts';
import { until } from '../contract/queue.contract.ts';

const who = { tenantId: 't-feed', deviceId: 'f'.repeat(40), deviceName: 'feed-host', rbacGroupId: 1 };
let dir: string;
let stack: EventStack;

function body(n: number, tag: string): Buffer {
  const ts = new Date(Date.now() - 60_000).toISOString();
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ table: 'DeviceProcessEvents', row: { Timestamp: ts, ActionType: tag, FileName: `f${i}.exe`, ProcessCommandLine: `cmd /c echo ${'x'.repeat(i % 50)} ${i}` } }));
  return Buffer.from(lines.join('\n'));
}

async function openStack(backlogMib = 64): Promise<EventStack> {
  return openEventStack(join(dir, 'events.duckdb'), { retentionDays: 30, feedDir: join(dir, 'feed'), feedBacklogMib: backlogMib });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-feed-'));
  stack = await openStack();
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('committed-batch feed', () => {
  it('hands two groups every committed batch once, in order, whichever path wrote it', async () => {
    const seen: Record<string, CommittedBatch[]> = { indicators: [], detections: [] };
    const consumers = await Promise.all(Object.keys(seen).map((g) => stack.feed.consume(g, async (b) => void seen[g].push(b))));
    const start = stack.feed.stats().head;
    await Promise.all([
      // A large body runs on a worker thread, small ones on the event loop.
      stack.ingest({ ...who, batchId: 'big', body: gzipSync(body(2000, 'Big')), gzip: true }),
      ...Array.from({ length: 20 }, (_, i) => stack.ingest({ ...who, batchId: `small-${i}`, body: body(5, 'Small'), gzip: false })),
      stack.eventWriter.write({ ...who, batchId: 'hb-1', rows: [{ table: 'DeviceInfo', row: { Timestamp: new Date().toISOString(), OSPlatform: 'Linux' } }] }),
    ]);
    const committed = await stack.store.readCommitted(start, Number.MAX_SAFE_INTEGER, 1000);
    expect(committed).toHaveLength(22);
    await until(() => seen.indicators.length === 22 && seen.detections.length === 22);
    for (const g of Object.keys(seen)) {
      expect(seen[g].map((b) => b.seq)).toEqual(committed.map((b) => b.seq));
      expect(seen[g].map((b) => [b.batchId, b.rows])).toEqual(committed.map((b) => [b.batchId, b.rows]));
    }
    const big = seen.indicators.find((b) => b.batchId === 'big')!;
    expect(big.tables.map((t) => [t.table, t.rows])).toEqual([['DeviceProcessEvents', 2000]]);
    for (const c of consumers) await c.stop();
  }, 60_000);

  it('resumes a consumer restarted mid-stream, and after a restart of the stack, with no gap', async () => {
    const seen: number[] = [];
    let c = await stack.feed.consume('sink', async (b) => void seen.push(b.seq));
    const send = (i: number) => stack.ingest({ ...who, batchId: `r-${i}`, body: body(3, 'Restart'), gzip: false });
    for (let i = 0; i < 5; i++) await send(i);
    await until(() => seen.length === 5);
    await c.stop();
    for (let i = 5; i < 10; i++) await send(i);
    c = await stack.feed.consume('sink', async (b) => void seen.push(b.seq));
    await until(() => seen.length === 10);
    await c.stop();
    for (let i = 10; i < 15; i++) await send(i);
    await stack.close();
    stack = await openStack();
    await stack.feed.consume('sink', async (b) => void seen.push(b.seq));
    for (let i = 15; i < 20; i++) await send(i);
    await until(() => seen.length === 20);
    const ids = (await stack.store.readCommitted(seen[0] - 1, Number.MAX_SAFE_INTEGER, 100)).map((b) => b.seq);
    expect(seen).toEqual(ids);
  }, 60_000);

  it('keeps ingesting with a stalled consumer: memory stays within the bound, the backlog is reported, the consumer catches up from the store', async () => {
    await stack.close();
    stack = await openStack(0.25);
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    await stack.feed.consume('stalled', async (b) => {
      await stalled;
      seen.push(b.seq);
    });
    const head = stack.feed.stats().head;
    for (let i = 0; i < 40; i++) {
      const r = await stack.ingest({ ...who, batchId: `s-${i}`, body: body(200, 'Stall'), gzip: false });
      expect(r.accepted).toBe(200);
    }
    const st = stack.feed.stats();
    expect(st.head).toBeGreaterThanOrEqual(head + 40);
    expect(st.memoryBytes).toBeLessThanOrEqual(0.25 * 1024 * 1024);
    const g = st.groups.find((x) => x.group === 'stalled')!;
    expect(g).toMatchObject({ backlogBatches: 40, backlogRows: 8000, catchingUp: true });
    release();
    await until(() => stack.feed.stats().groups[0].acknowledged === 40);
    expect(seen).toEqual((await stack.store.readCommitted(head, Number.MAX_SAFE_INTEGER, 100)).map((b) => b.seq));
    expect(stack.feed.stats().groups[0]).toMatchObject({ backlogBatches: 0, backlogRows: 0, catchingUp: false });
  }, 60_000);
});
