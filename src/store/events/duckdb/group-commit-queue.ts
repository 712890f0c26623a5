/**
 * A single-writer queue with group commit. Items wait while a flush runs; the next flush takes every
 * waiting item (up to a weight budget) and commits them together, resolving each caller only after
 * that commit. When a group fails, each of its items is retried alone so that one bad item cannot
 * fail its neighbours. Exclusive tasks (retention, checkpoints) run between flushes, in queue order.
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

/** Options of a group-commit queue. */
export interface GroupCommitOptions {
  /** Upper bound of the summed weight of one group (e.g. rows); a single heavier item still runs alone. */
  maxWeight: number;
}

/** A queue that serializes writes and commits concurrent items as one group. */
export interface GroupCommitQueue<T, R> {
  /** Queues an item; resolves with its own result after the group holding it committed. */
  push(item: T, weight: number): Promise<R>;
  /** Runs fn alone, after everything queued before it. */
  exclusive<X>(fn: () => Promise<X>): Promise<X>;
  /** Resolves when everything queued so far has finished. */
  drain(): Promise<void>;
  /** Number of items and tasks waiting or running. */
  readonly pending: number;
}

/**
 * Creates a queue whose `flush(items)` commits a group and returns one result per item, in order.
 * flush must leave no partial effect when it throws (roll back).
 */
export function createGroupCommitQueue<T, R>(flush: (items: T[]) => Promise<R[]>, opts: GroupCommitOptions): GroupCommitQueue<T, R> {
  const waiting: (Entry<T, R> | Task)[] = [];
  let running = 0;
  let busy = false;
  let idleWaiters: (() => void)[] = [];

  async function runGroup(group: Entry<T, R>[]): Promise<void> {
    try {
      const results = await flush(group.map((e) => e.item));
      group.forEach((e, i) => e.resolve(results[i]));
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(err);
        return;
      }
      for (const e of group) {
        try {
          const [r] = await flush([e.item]);
          e.resolve(r);
        } catch (err1) {
          e.reject(err1);
        }
      }
    }
  }

  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      while (waiting.length > 0) {
        const head = waiting[0];
        if (head.kind === 'task') {
          waiting.shift();
          try {
            head.resolve(await head.run());
          } catch (e) {
            head.reject(e);
          }
          running -= 1;
          continue;
        }
        const group: Entry<T, R>[] = [];
        let weight = 0;
        while (waiting.length > 0 && waiting[0].kind === 'item') {
          const e = waiting[0] as Entry<T, R>;
          if (group.length > 0 && weight + e.weight > opts.maxWeight) break;
          waiting.shift();
          group.push(e);
          weight += e.weight;
        }
        await runGroup(group);
        running -= group.length;
      }
    } finally {
      busy = false;
      if (waiting.length === 0) {
        const ws = idleWaiters;
        idleWaiters = [];
        for (const w of ws) w();
      }
    }
  }

  function schedule(): void {
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
