/**
 * The in-process Queue (DESIGN.md §1, §3): the committed-batch feed inside one server. Published
 * batches are held in memory, up to a bound in bytes, for the consumer groups running in this
 * process; each group has a durable cursor (CursorStore) and is handed one batch at a time.
 *
 * The event store is the durable log (CommittedBatchLog): a group whose next batch is not in memory
 * — it fell behind the bound, it has just started with an older saved cursor, or the process was
 * killed between a commit and its publish — reads batches back from the store, in seq order, until
 * it reaches what memory holds. So publishing never waits for a consumer: when the memory bound is
 * reached the oldest batches are dropped from memory (ingest keeps its rate) and the groups behind
 * them catch up from the store, their backlog reported by stats(). At start the head is the store's
 * last seq: every batch committed before is, for this queue, already published.
 */
import type { BatchHandler, CommitNotice, CommittedBatch, CommittedBatchLog, ConsumerGroupStats, CursorStore, EncodedTable, Queue, QueueConsumer, QueueStats } from '../../domain/ports.ts';
import { checkGroupName } from './cursor-store.ts';

/** Options of the in-process queue. */
export interface MemoryQueueOptions {
  /** Where batches no longer (or not yet) in memory are read back from: the event store. */
  log: CommittedBatchLog;
  cursors: CursorStore;
  /** Bytes of published batches held in memory for lagging groups. Default 64 MiB. */
  backlogBytes?: number;
  /** Pause before a batch whose handler failed is delivered again. Default 1 s. */
  retryMs?: number;
  /** Batches read back from the store at a time. Default 16. */
  readBatches?: number;
  /**
   * How long close() waits for handlers still holding a batch. Default 2 s; a handler still running
   * then is abandoned, and its batch, never acknowledged, is handed over again at the next start.
   */
  closeGraceMs?: number;
}

/** Bytes an encoded table holds (typed arrays, and two bytes per character of dictionary text). */
export function encodedBytes(tables: readonly EncodedTable[]): number {
  let n = 0;
  for (const t of tables) {
    for (const c of t.columns) {
      if (!c) continue;
      if (c.kind === 'string') {
        n += c.codes.byteLength;
        for (const s of c.dict) n += 2 * s.length;
      } else {
        n += c.data.byteLength + (c.valid?.byteLength ?? 0);
      }
    }
  }
  return n;
}

interface Entry {
  notice: CommitNotice;
  bytes: number;
}

interface Group {
  name: string;
  handler: BatchHandler;
  cursor: number;
  /** Batches and rows at or below the memory floor still to read back from the store. */
  logBatches: number;
  logRows: number;
  /** Batches read back from the store, not handed over yet. */
  readBack: CommittedBatch[];
  stopping: boolean;
  wake: (() => void) | null;
  loop: Promise<void>;
  delivered: number;
  acknowledged: number;
  failures: number;
}

/** Opens the queue: its head is the log's last committed seq. */
export async function openMemoryQueue(o: MemoryQueueOptions): Promise<Queue> {
  const { log, cursors, backlogBytes = 64 * 1024 * 1024, retryMs = 1000, readBatches = 16, closeGraceMs = 2000 } = o;
  let head = await log.lastSeq();
  /** Every published batch with seq > floor is in `window`, in seq order; the rest is read back from the log. */
  let floor = head;
  const window: Entry[] = [];
  let memoryBytes = 0;
  let published = 0;
  let closed = false;
  const groups = new Map<string, Group>();

  function wakeAll(): void {
    for (const g of groups.values()) {
      const w = g.wake;
      g.wake = null;
      w?.();
    }
  }

  /** Drops the oldest entry from memory; groups still before it will read it back from the log. */
  function dropOldest(): void {
    const e = window.shift()!;
    memoryBytes -= e.bytes;
    floor = e.notice.seq;
    for (const g of groups.values()) {
      if (g.cursor < e.notice.seq) {
        g.logBatches += 1;
        g.logRows += e.notice.rows;
      }
    }
  }

  /** Drops what every running group has acknowledged, then the oldest beyond the bound. */
  function trim(): void {
    let min = head;
    for (const g of groups.values()) min = Math.min(min, g.cursor);
    while (window.length > 0 && window[0].notice.seq <= min) dropOldest();
    while (memoryBytes > backlogBytes && window.length > 0) dropOldest();
  }

  /** The first entry in memory after `seq` (window is sorted by seq). */
  function entryAfter(seq: number): Entry | undefined {
    let lo = 0;
    let hi = window.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (window[mid].notice.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return window[lo];
  }

  /** The next batch for `g`, or null when it has seen everything published. */
  async function nextFor(g: Group): Promise<{ batch: CommittedBatch; fromLog: boolean } | null> {
    if (g.readBack.length > 0) return { batch: g.readBack[0], fromLog: true };
    if (g.cursor < floor) {
      const upTo = floor;
      const got = await log.readCommitted(g.cursor, upTo, readBatches);
      if (got.length === 0) {
        // Nothing committed in (cursor, upTo]: seqs of failed commits. Skip the gap.
        g.cursor = upTo;
        g.logBatches = 0;
        g.logRows = 0;
        return nextFor(g);
      }
      g.readBack = got;
      return { batch: got[0], fromLog: true };
    }
    const e = entryAfter(g.cursor);
    if (!e) return null;
    if (e.notice.tables) return { batch: e.notice as CommittedBatch, fromLog: false };
    // Announced without its rows (EventStore.appendBatch): read them back.
    const [b] = await log.readCommitted(e.notice.seq - 1, e.notice.seq, 1);
    return { batch: b ?? { ...e.notice, tables: [] }, fromLog: false };
  }

  async function run(g: Group): Promise<void> {
    while (!g.stopping) {
      let next: Awaited<ReturnType<typeof nextFor>>;
      try {
        next = await nextFor(g);
      } catch {
        // The store could not be read (e.g. closing): try again after a pause.
        g.failures += 1;
        await pause(g, retryMs);
        continue;
      }
      if (!next) {
        // A publish may have come while nextFor settled: wait only when nothing is left to hand over.
        if (g.cursor >= head && !g.stopping) await new Promise<void>((r) => (g.wake = r));
        continue;
      }
      const { batch, fromLog } = next;
      g.delivered += 1;
      try {
        await g.handler(batch);
      } catch {
        g.failures += 1;
        await pause(g, retryMs);
        continue;
      }
      try {
        await cursors.save(g.name, batch.seq);
      } catch {
        // Not acknowledged until its cursor is durable: delivered again after a pause.
        g.failures += 1;
        await pause(g, retryMs);
        continue;
      }
      g.cursor = batch.seq;
      g.acknowledged += 1;
      if (fromLog) g.readBack.shift();
      // Counted in the store-side backlog: read back, or dropped from memory while in hand.
      if (batch.seq <= floor) {
        g.logBatches = Math.max(0, g.logBatches - 1);
        g.logRows = Math.max(0, g.logRows - batch.rows);
      }
      trim();
    }
  }

  function pause(g: Group, ms: number): Promise<void> {
    if (g.stopping) return Promise.resolve();
    return new Promise<void>((r) => {
      const t = setTimeout(() => {
        g.wake = null;
        r();
      }, ms);
      g.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  function groupStats(g: Group): ConsumerGroupStats {
    let batches = g.logBatches;
    let rows = g.logRows;
    let bytes = 0;
    for (const e of window) {
      if (e.notice.seq <= g.cursor) continue;
      batches += 1;
      rows += e.notice.rows;
      bytes += e.bytes;
    }
    return {
      group: g.name,
      cursor: g.cursor,
      backlogBatches: batches,
      backlogRows: rows,
      backlogBytes: bytes,
      catchingUp: g.cursor < floor || g.readBack.length > 0,
      delivered: g.delivered,
      acknowledged: g.acknowledged,
      failures: g.failures,
    };
  }

  return {
    publish(notice) {
      // A seq at or below the head is already published (the store held it when the queue opened).
      if (closed || notice.seq <= head) return;
      head = notice.seq;
      published += 1;
      if (groups.size === 0) {
        floor = head;
        return;
      }
      const bytes = notice.tables ? encodedBytes(notice.tables) : 0;
      window.push({ notice, bytes });
      memoryBytes += bytes;
      trim();
      wakeAll();
    },

    async consume(group, handler): Promise<QueueConsumer> {
      checkGroupName(group);
      if (closed) throw new Error('the queue is closed');
      if (groups.has(group)) throw new Error(`consumer group '${group}' already has a consumer`);
      const saved = await cursors.load(group);
      if (groups.has(group)) throw new Error(`consumer group '${group}' already has a consumer`);
      // A cursor ahead of the log belongs to an event store that was replaced (e.g. restored from a
      // backup): the group starts again at the head, as a new one.
      const cursor = saved !== null && saved <= head ? saved : head;
      if (cursor !== saved) await cursors.save(group, cursor);
      const g: Group = { name: group, handler, cursor, logBatches: 0, logRows: 0, readBack: [], stopping: false, wake: null, loop: Promise.resolve(), delivered: 0, acknowledged: 0, failures: 0 };
      groups.set(group, g);
      if (cursor < floor) {
        const upTo = floor;
        const behind = await log.countCommitted(cursor, upTo);
        g.logBatches += behind.batches;
        g.logRows += behind.rows;
      }
      g.loop = run(g);
      return {
        async stop() {
          g.stopping = true;
          g.wake?.();
          await g.loop;
          if (groups.get(group) === g) groups.delete(group);
          trim();
        },
      };
    },

    stats(): QueueStats {
      return { head, published, memoryBatches: window.length, memoryBytes, backlogBoundBytes: backlogBytes, groups: [...groups.values()].map(groupStats) };
    },

    async close() {
      closed = true;
      const all = [...groups.values()];
      for (const g of all) {
        g.stopping = true;
        g.wake?.();
      }
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => (timer = setTimeout(r, closeGraceMs)));
      await Promise.race([Promise.all(all.map((g) => g.loop)), grace]);
      clearTimeout(timer);
      groups.clear();
      window.length = 0;
      memoryBytes = 0;
    },
  };
}
