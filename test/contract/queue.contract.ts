/**
 * The Queue contract (the committed-batch feed, DESIGN.md §3): one suite every Queue adapter must
 * pass. An adapter's test file calls `describeQueueContract` with a function that opens its queue
 * over a log of committed batches (the event store's role) and a cursor store. The suite plays the
 * store: it appends batches to an in-memory log, then publishes them, as the store's commit listener
 * does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommittedBatch, CommittedBatchLog, CursorStore, Queue } from '../../src/domain/ports.ts';
import { createMemoryCursorStore } from '../../src/queue/memory/cursor-store.ts';

/** What the suite passes to the adapter. */
export interface QueueSetup {
  log: CommittedBatchLog;
  cursors: CursorStore;
  /** Bound of the backlog the queue may hold in memory, in bytes. */
  backlogBytes: number;
  /** Pause after a failed handler, kept short here. */
  retryMs: number;
}

/** Opens a queue of the adapter under test. */
export type OpenQueue = (s: QueueSetup) => Promise<Queue>;

/** An in-memory log of committed batches: append() commits, `publish` lists what to publish. */
export class TestLog implements CommittedBatchLog {
  readonly batches: CommittedBatch[] = [];
  private seq = 0;
  reads = 0;

  /** Commits a batch of `rows` rows of one 8-byte column; returns it. */
  append(rows = 10, skipSeqs = 0): CommittedBatch {
    this.seq += 1 + skipSeqs;
    const b: CommittedBatch = {
      seq: this.seq,
      tenantId: 't1',
      deviceId: 'd1',
      batchId: `b${this.seq}`,
      rbacGroupId: 0,
      rows,
      tables: [{ table: 'DeviceProcessEvents', rows, columns: [{ kind: 'fixed', data: new Float64Array(rows).fill(this.seq).buffer, valid: null }] }],
    };
    this.batches.push(b);
    return b;
  }

  async lastSeq(): Promise<number> {
    return this.seq;
  }

  async readCommitted(afterSeq: number, upToSeq: number, max: number): Promise<CommittedBatch[]> {
    this.reads += 1;
    return this.batches.filter((b) => b.seq > afterSeq && b.seq <= upToSeq).slice(0, max);
  }

  async countCommitted(afterSeq: number, upToSeq: number): Promise<{ batches: number; rows: number }> {
    const bs = this.batches.filter((b) => b.seq > afterSeq && b.seq <= upToSeq);
    return { batches: bs.length, rows: bs.reduce((n, b) => n + b.rows, 0) };
  }
}

/** Resolves when `cond()` holds (checked every few milliseconds), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs the Queue contract against one adapter. */
export function describeQueueContract(name: string, open: OpenQueue): void {
  describe(`Queue contract: ${name}`, () => {
    const opened: Queue[] = [];
    const setup = (over: Partial<QueueSetup> = {}): QueueSetup => ({ log: new TestLog(), cursors: createMemoryCursorStore(), backlogBytes: 1024 * 1024, retryMs: 5, ...over });
    const openQueue = async (s: QueueSetup) => {
      const q = await open(s);
      opened.push(q);
      return q;
    };
    const commitAndPublish = (q: Queue, log: TestLog, n: number, rows = 10) => {
      for (let i = 0; i < n; i++) q.publish(log.append(rows));
    };
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.close();
    });

    it('hands every published batch to each of two groups once, in order', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const seen: Record<string, number[]> = { indicators: [], detections: [] };
      for (const g of Object.keys(seen)) await q.consume(g, async (b) => void seen[g].push(b.seq));
      commitAndPublish(q, log, 50);
      await until(() => seen.indicators.length >= 50 && seen.detections.length >= 50);
      commitAndPublish(q, log, 25);
      await until(() => seen.indicators.length >= 75 && seen.detections.length >= 75);
      const all = log.batches.map((b) => b.seq);
      expect(seen.indicators).toEqual(all);
      expect(seen.detections).toEqual(all);
      const st = q.stats();
      expect(st.published).toBe(75);
      expect(st.head).toBe(75);
      for (const g of st.groups) expect(g).toMatchObject({ cursor: 75, backlogBatches: 0, backlogRows: 0, acknowledged: 75 });
    });

    it('hands over the rows of each batch as committed', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const got: CommittedBatch[] = [];
      await q.consume('sink', async (b) => void got.push(b));
      commitAndPublish(q, log, 3, 7);
      await until(() => got.length === 3);
      expect(got.map((b) => [b.batchId, b.rows, b.tables[0].rows, new Float64Array((b.tables[0].columns[0] as { data: ArrayBuffer }).data)[0]]))
        .toEqual([['b1', 7, 7, 1], ['b2', 7, 7, 2], ['b3', 7, 7, 3]]);
    });

    it('starts a new group after the current head', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await openQueue(s);
      commitAndPublish(q, log, 5);
      const seen: number[] = [];
      await q.consume('late', async (b) => void seen.push(b.seq));
      commitAndPublish(q, log, 2);
      await until(() => seen.length === 2);
      expect(seen).toEqual([6, 7]);
    });

    it('resumes a consumer restarted mid-stream after its last acknowledged batch, with no gap', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const seen: number[] = [];
      const c = await q.consume('sink', async (b) => void seen.push(b.seq));
      commitAndPublish(q, log, 10);
      await until(() => seen.length === 10);
      await c.stop();
      commitAndPublish(q, log, 10);
      await q.consume('sink', async (b) => void seen.push(b.seq));
      commitAndPublish(q, log, 5);
      await until(() => seen.length === 25);
      expect(seen).toEqual(log.batches.map((b) => b.seq));
    });

    it('after a crash, resumes from the durable cursor and delivers batches committed but never published', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q1 = await openQueue(s);
      const seen: number[] = [];
      let hang = false;
      await q1.consume('sink', async (b) => {
        if (hang) return new Promise<void>(() => {});
        seen.push(b.seq);
      });
      commitAndPublish(q1, log, 8);
      await until(() => seen.length === 8);
      hang = true;
      commitAndPublish(q1, log, 1); // batch 9 is in hand when the process "dies"
      await until(() => q1.stats().groups[0].delivered === 9);
      log.append();
      log.append(); // 10 and 11: committed, the process died before publishing them
      // A new process: a new queue over the same log and cursors; the old one is abandoned.
      const q2 = await openQueue(s);
      const again: number[] = [];
      await q2.consume('sink', async (b) => void again.push(b.seq));
      commitAndPublish(q2, log, 2);
      await until(() => again.length === 5);
      expect(again).toEqual([9, 10, 11, 12, 13]);
    });

    it('delivers a batch again when its handler fails, without moving on', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const seen: number[] = [];
      let failures = 2;
      await q.consume('flaky', async (b) => {
        if (b.seq === 2 && failures-- > 0) throw new Error('sink unavailable');
        seen.push(b.seq);
      });
      commitAndPublish(q, log, 4);
      await until(() => seen.length === 4);
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(q.stats().groups[0].failures).toBe(2);
    });

    it('never waits for a stalled consumer: memory stays within the bound, the backlog is reported, and the consumer catches up in order', async () => {
      const rows = 100;
      const s = setup({ backlogBytes: 20 * rows * 8 });
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const seen: number[] = [];
      let release!: () => void;
      const stalled = new Promise<void>((r) => (release = r));
      await q.consume('stalled', async (b) => {
        await stalled;
        seen.push(b.seq);
      });
      const fast: number[] = [];
      await q.consume('fast', async (b) => void fast.push(b.seq));
      const started = performance.now();
      commitAndPublish(q, log, 200, rows);
      expect(performance.now() - started).toBeLessThan(5_000);
      await until(() => fast.length === 200);
      const st = q.stats();
      expect(st.memoryBytes).toBeLessThanOrEqual(s.backlogBytes);
      const g = st.groups.find((x) => x.group === 'stalled')!;
      expect(g.backlogBatches).toBe(200);
      expect(g.backlogRows).toBe(200 * rows);
      expect(g.backlogBytes).toBeLessThanOrEqual(s.backlogBytes);
      expect(g.catchingUp).toBe(true);
      release();
      await until(() => seen.length === 200);
      expect(seen).toEqual(log.batches.map((b) => b.seq));
      expect(fast).toEqual(seen);
      expect(q.stats().groups.find((x) => x.group === 'stalled')).toMatchObject({ backlogBatches: 0, backlogRows: 0, catchingUp: false });
    });

    it('skips seqs that no committed batch holds (a failed commit)', async () => {
      const s = setup({ backlogBytes: 0 });
      const log = s.log as TestLog;
      const q = await openQueue(s);
      const seen: number[] = [];
      await q.consume('sink', async (b) => void seen.push(b.seq));
      q.publish(log.append());
      q.publish(log.append(10, 3));
      q.publish(log.append());
      await until(() => seen.length === 3);
      expect(seen).toEqual([1, 5, 6]);
    });

    it('closes without waiting for ever on a handler that never finishes', async () => {
      const s = setup();
      const log = s.log as TestLog;
      const q = await open(s);
      await q.consume('stuck', () => new Promise<void>(() => {}));
      commitAndPublish(q, log, 1);
      await until(() => q.stats().groups[0].delivered === 1);
      await q.close();
      expect(await s.cursors.load('stuck')).toBe(0);
    }, 30_000);

    it('starts a group whose cursor is ahead of the log (a replaced event store) at the head', async () => {
      const s = setup({ cursors: createMemoryCursorStore({ sink: 500 }) });
      const log = s.log as TestLog;
      log.append();
      const q = await openQueue(s);
      const seen: number[] = [];
      await q.consume('sink', async (b) => void seen.push(b.seq));
      commitAndPublish(q, log, 2);
      await until(() => seen.length === 2);
      expect(seen).toEqual([2, 3]);
    });

    it('refuses a second consumer of the same group and a bad group name', async () => {
      const q = await openQueue(setup());
      await q.consume('one', async () => {});
      await expect(q.consume('one', async () => {})).rejects.toThrow(/already has a consumer/);
      await expect(q.consume('../x', async () => {})).rejects.toThrow(/consumer group name/);
    });
  });
}
