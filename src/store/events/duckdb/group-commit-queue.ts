/**
 * A write queue with group commit and commit pipelining. Items wait while a group is being written;
 * the next group takes every waiting item (up to a weight budget) and writes them together in one
 * transaction, resolving each caller only after that transaction committed. Writing is split in two
 * steps — `stage` (begin and write, up to but not including COMMIT) and the staged group's `commit` —
 * and with more than one lane (e.g. one database connection each) the next group is staged while the
 * previous one commits, so CPU-bound writing overlaps with the commit's disk flush.
 *
 * Items with the same key (e.g. a batch id) never sit in two groups in flight at once: a later one
 * waits until the earlier group has finished, so a stage always sees every committed earlier item.
 * When a group fails, each of its items is retried alone so that one bad item cannot fail its
 * neighbours. Exclusive tasks (retention, checkpoints) run with no group in flight, in queue order.
 */

interface Entry<T, R> {
  kind: 'item';
  item: T;
  weight: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

interface Task {
  kind: 'task';
  run: () => Promise<unknown>;
  resolve: (r: unknown) => void;
  reject: (e: unknown) => void;
}

/** A group written inside an open transaction, waiting for its commit. */
export interface StagedGroup<R> {
  /** Commits; resolves with one result per item, in order. Must leave no effect when it throws. */
  commit(): Promise<R[]>;
}

/**
 * Writes a group on `lane` (0 … lanes-1) up to but not including COMMIT. Must leave no effect when it
 * throws. A lane is used by one group at a time, from stage until its commit settled.
 */
export type StageGroup<T, R> = (items: T[], lane: number) => Promise<StagedGroup<R>>;

/** Options of a group-commit queue. */
export interface GroupCommitOptions<T> {
  /** Upper bound of the summed weight of one group (e.g. rows); a single heavier item still runs alone. */
  maxWeight: number;
  /** Groups in flight at once, each on its own lane. Default 1 (stage and commit strictly in turn). */
  lanes?: number;
  /** Identity of an item; an item whose key belongs to a group in flight waits for that group. */
  key?: (item: T) => string;
  /**
   * While another group is in flight, a new group starts on a free lane only once this much weight
   * waits (default 0: at once); smaller groups wait for the lane in flight and join the next group.
   * Each group has a fixed cost (a transaction, its commit, per-table setup), so overlapping pays
   * only for groups big enough to spread it.
   */
  minOverlapWeight?: number;
}

/** A queue that serializes writes and commits concurrent items as one group. */
export interface GroupCommitQueue<T, R> {
  /** Queues an item; resolves with its own result after the group holding it committed. */
  push(item: T, weight: number): Promise<R>;
  /** Runs fn alone, after everything queued before it and with no group in flight. */
  exclusive<X>(fn: () => Promise<X>): Promise<X>;
  /** Resolves when everything queued so far has finished. */
  drain(): Promise<void>;
  /** Number of items and tasks waiting or running. */
  readonly pending: number;
}

type Staged<R> = { ok: true; group: StagedGroup<R> } | { ok: false; error: unknown };

/** Creates a queue over a two-step writer (see {@link StageGroup}). */
export function createGroupCommitQueue<T, R>(stage: StageGroup<T, R>, opts: GroupCommitOptions<T>): GroupCommitQueue<T, R> {
  const lanes = Math.max(1, opts.lanes ?? 1);
  const keyOf = opts.key;
  const minOverlap = opts.minOverlapWeight ?? 0;
  let arrival: { promise: Promise<void>; resolve: () => void } | null = null;
  const waiting: (Entry<T, R> | Task)[] = [];
  const inFlight = new Map<string, number>();
  const laneBusy: (Promise<void> | null)[] = Array.from({ length: lanes }, () => null);
  let running = 0;
  let busy = false;
  let idleWaiters: (() => void)[] = [];

  function settle(n: number): void {
    running -= n;
    if (running === 0) {
      const ws = idleWaiters;
      idleWaiters = [];
      for (const w of ws) w();
    }
  }

  function hold(group: Entry<T, R>[], delta: 1 | -1): void {
    if (!keyOf) return;
    for (const e of group) {
      const k = keyOf(e.item);
      const n = (inFlight.get(k) ?? 0) + delta;
      if (n === 0) inFlight.delete(k);
      else inFlight.set(k, n);
    }
  }

  async function stageSafely(items: T[], lane: number): Promise<Staged<R>> {
    try {
      return { ok: true, group: await stage(items, lane) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async function finish(group: Entry<T, R>[], lane: number, staged: Staged<R>): Promise<void> {
    let failure: unknown;
    if (staged.ok) {
      try {
        const results = await staged.group.commit();
        group.forEach((e, i) => e.resolve(results[i]));
        return;
      } catch (e) {
        failure = e;
      }
    } else {
      failure = staged.error;
    }
    if (group.length === 1) {
      group[0].reject(failure);
      return;
    }
    for (const e of group) {
      try {
        const one = await stage([e.item], lane);
        const [r] = await one.commit();
        e.resolve(r);
      } catch (err) {
        e.reject(err);
      }
    }
  }

  function anyLaneBusy(): boolean {
    return laneBusy.some((p) => p !== null);
  }

  async function waitForALane(): Promise<void> {
    await Promise.race(laneBusy.filter((p): p is Promise<void> => p !== null));
  }

  /** Resolves at the next push (or exclusive task), or when a lane finishes. */
  async function waitForArrivalOrLane(): Promise<void> {
    if (!arrival) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      arrival = { promise, resolve };
    }
    await Promise.race([arrival.promise, waitForALane()]);
  }

  function waitingWeight(): number {
    let w = 0;
    for (const e of waiting) {
      if (e.kind === 'task') break;
      w += e.weight;
      if (w >= minOverlap) break;
    }
    return w;
  }

  /** Takes the next group from the front of the queue, skipping items whose key is in flight. */
  function takeGroup(): Entry<T, R>[] {
    const group: Entry<T, R>[] = [];
    let weight = 0;
    for (let i = 0; i < waiting.length; ) {
      const e = waiting[i];
      if (e.kind === 'task') break;
      if (keyOf && inFlight.has(keyOf(e.item))) {
        i += 1;
        continue;
      }
      if (group.length > 0 && weight + e.weight > opts.maxWeight) break;
      waiting.splice(i, 1);
      group.push(e);
      weight += e.weight;
    }
    return group;
  }

  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      while (waiting.length > 0) {
        const head = waiting[0];
        if (head.kind === 'task') {
          if (anyLaneBusy()) {
            await waitForALane();
            continue;
          }
          waiting.shift();
          try {
            head.resolve(await head.run());
          } catch (e) {
            head.reject(e);
          }
          settle(1);
          continue;
        }
        const lane = laneBusy.indexOf(null);
        if (lane < 0) {
          await waitForALane();
          continue;
        }
        if (minOverlap > 0 && anyLaneBusy() && waitingWeight() < minOverlap) {
          await waitForArrivalOrLane();
          continue;
        }
        const group = takeGroup();
        if (group.length === 0) {
          // Everything at the front waits for a group in flight with the same keys.
          await waitForALane();
          continue;
        }
        hold(group, 1);
        const staged = await stageSafely(group.map((e) => e.item), lane);
        laneBusy[lane] = finish(group, lane, staged).finally(() => {
          laneBusy[lane] = null;
          hold(group, -1);
          settle(group.length);
        });
      }
    } finally {
      busy = false;
    }
  }

  function schedule(): void {
    const a = arrival;
    arrival = null;
    a?.resolve();
    // Let callers that push in the same tick join this group.
    setImmediate(() => void pump());
  }

  return {
    push(item, weight) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ kind: 'item', item, weight, resolve, reject });
        running += 1;
        schedule();
      });
    },
    exclusive<X>(fn: () => Promise<X>) {
      return new Promise<X>((resolve, reject) => {
        waiting.push({ kind: 'task', run: fn, resolve: resolve as (r: unknown) => void, reject });
        running += 1;
        schedule();
      });
    },
    drain() {
      if (running === 0) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
    get pending() {
      return running;
    },
  };
}
