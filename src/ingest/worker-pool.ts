/**
 * A pool of ingest worker threads (line-worker.ts) shared by every pipeline in the process: jobs go
 * to the worker with the fewest outstanding ones; workers start with the first pipeline (or on first
 * use) and are replaced when one dies (its outstanding jobs fail with an error the sensor retries).
 * Each pipeline holds a lease on the shared pool; the last lease released stops the workers, since a
 * worker that booted through tsx's loader keeps the process alive even when unreferenced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerReply } from './line-worker.ts';

/** The worker threads of the ingest pipeline. */
export interface IngestWorkerPool {
  readonly size: number;
  /** Starts every worker that is not running yet (otherwise each starts on its first job). */
  start(): void;
  /** Runs a job on a worker; resolves with its reply (which may report a failure). */
  run(job: Omit<WorkerJob, 'id'>): Promise<WorkerReply>;
  /** Stops every worker; outstanding jobs fail. */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  outstanding: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void }>;
}

const BOOT = new URL('./line-worker-boot.mjs', import.meta.url);

/**
 * Young-generation size of a worker's heap. A job allocates the parsed objects of a whole batch (a
 * few MB per thousand events), which die as soon as it is encoded. Measured over 600 simulated
 * batches of 1,000 events, V8's default young generation collected after about every second batch
 * and promoted enough short-lived rows to need 30 full collections; twice the space (the semi-spaces
 * of `--max-semi-space-size=32`) halved the scavenges and cut full collections to 12.
 */
const YOUNG_GENERATION_MB = 96;

/** Worker threads by default: one per core beyond the first (the event loop's), at most 4. */
export function defaultWorkerCount(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}

/** Creates a pool of `size` workers (started lazily). */
export function createWorkerPool(size: number): IngestWorkerPool {
  const slots: (Slot | null)[] = Array.from({ length: size }, () => null);
  let nextId = 1;
  let closed = false;

  function start(i: number): Slot {
    const worker = new Worker(BOOT, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, outstanding: new Map() };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const p = slot.outstanding.get(reply.id);
      if (!p) return;
      slot.outstanding.delete(reply.id);
      if (slot.outstanding.size === 0) worker.unref();
      p.resolve(reply);
    });
    const fail = (e: unknown) => {
      if (slots[i] === slot) slots[i] = null;
      for (const p of slot.outstanding.values()) p.reject(e instanceof Error ? e : new Error(`ingest worker stopped: ${String(e)}`));
      slot.outstanding.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`ingest worker exited with code ${code}`)));
    slots[i] = slot;
    return slot;
  }

  return {
    size,
    start() {
      if (closed) return;
      for (let i = 0; i < size; i++) if (!slots[i]) start(i);
    },
    run(job) {
      if (closed) return Promise.reject(new Error('the ingest worker pool is closed'));
      let best = -1;
      for (let i = 0; i < size; i++) {
        const load = slots[i]?.outstanding.size ?? 0;
        if (best < 0 || load < (slots[best]?.outstanding.size ?? 0)) best = i;
      }
      const slot = slots[best] ?? start(best);
      const id = nextId++;
      return new Promise<WorkerReply>((resolve, reject) => {
        slot.outstanding.set(id, { resolve, reject });
        slot.worker.ref();
        slot.worker.postMessage({ ...job, id } satisfies WorkerJob);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s?.worker.terminate()));
    },
  };
}

/** A pipeline's hold on the process-wide pool. */
export interface WorkerPoolLease {
  readonly pool: IngestWorkerPool;
  /** Gives the lease back (once; later calls do nothing); the last lease out stops the workers. */
  release(): Promise<void>;
}

let shared: { pool: IngestWorkerPool; leases: number } | null = null;

/**
 * A lease on the process-wide pool: the first lease creates it with `size` workers, later ones share
 * it; when every lease is released the workers stop, and the next lease starts a new pool.
 */
export function leaseSharedWorkerPool(size: number): WorkerPoolLease {
  shared ??= { pool: createWorkerPool(size), leases: 0 };
  const held = shared;
  held.leases += 1;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      held.leases -= 1;
      if (held.leases > 0) return;
      if (shared === held) shared = null;
      await held.pool.close();
    },
  };
}
