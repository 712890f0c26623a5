import { describe, expect, it } from 'vitest';
import { createGroupCommitQueue, type StagedGroup } from './group-commit-queue.ts';

interface Item {
  id: string;
  bad?: boolean;
}

/** A fake two-step writer that records what happened, with a controllable commit. */
function recorder(commitMs = 20) {
  const log: string[] = [];
  const committed: string[] = [];
  let staging = 0;
  let maxStaging = 0;
  const stage = async (items: Item[], lane: number): Promise<StagedGroup<string>> => {
    staging += 1;
    maxStaging = Math.max(maxStaging, staging);
    log.push(`stage ${lane} ${items.map((i) => i.id).join(',')}`);
    await new Promise((r) => setTimeout(r, 5));
    staging -= 1;
    if (items.some((i) => i.bad)) throw new Error('bad item');
    return {
      async commit() {
        log.push(`commit ${lane} start`);
        await new Promise((r) => setTimeout(r, commitMs));
        log.push(`commit ${lane} end`);
        committed.push(...items.map((i) => i.id));
        return items.map((i) => `ok:${i.id}`);
      },
    };
  };
  return { stage, log, committed, maxStaging: () => maxStaging };
}

describe('group commit queue', () => {
  it('groups items that arrive together and resolves each after its commit', async () => {
    const w = recorder();
    const q = createGroupCommitQueue<Item, string>(w.stage, { maxWeight: 100 });
    const out = await Promise.all(['a', 'b', 'c'].map((id) => q.push({ id }, 1)));
    expect(out).toEqual(['ok:a', 'ok:b', 'ok:c']);
    expect(w.log[0]).toBe('stage 0 a,b,c');
  });

  it('stages the next group on the other lane while the previous one commits', async () => {
    const w = recorder(60);
    const q = createGroupCommitQueue<Item, string>(w.stage, { maxWeight: 1, lanes: 2 });
    await Promise.all(['a', 'b', 'c'].map((id) => q.push({ id }, 1)));
    // b is staged on lane 1 before a's commit on lane 0 ended; c waits for a free lane.
    expect(w.log.indexOf('stage 1 b')).toBeLessThan(w.log.indexOf('commit 0 end'));
    expect(w.log.indexOf('stage 0 c')).toBeGreaterThan(w.log.indexOf('commit 0 end'));
    expect(w.maxStaging()).toBe(1);
    expect(w.committed.sort()).toEqual(['a', 'b', 'c']);
  });

  it('never has two items with the same key in flight at once', async () => {
    const inFlight = new Set<string>();
    const clashes: string[] = [];
    const order: string[] = [];
    const stage = async (items: Item[]): Promise<StagedGroup<string>> => {
      for (const i of items) {
        if (inFlight.has(i.id)) clashes.push(i.id);
        inFlight.add(i.id);
        order.push(i.id);
      }
      return {
        async commit() {
          await new Promise((r) => setTimeout(r, 30));
          for (const i of items) inFlight.delete(i.id);
          return items.map((i) => i.id);
        },
      };
    };
    const q = createGroupCommitQueue<Item, string>(stage, { maxWeight: 1, lanes: 2, key: (i) => i.id });
    const first = q.push({ id: 'k' }, 1);
    await new Promise((r) => setImmediate(r));
    await Promise.all([first, q.push({ id: 'k' }, 1), q.push({ id: 'other' }, 1)]);
    expect(clashes).toEqual([]);
    // "other" takes the free lane ahead of the second "k", which waits for the first to commit.
    expect(order).toEqual(['k', 'other', 'k']);
  });

  it('retries the items of a failed group one by one', async () => {
    const w = recorder();
    const q = createGroupCommitQueue<Item, string>(w.stage, { maxWeight: 100, lanes: 2 });
    const good = q.push({ id: 'g' }, 1);
    const bad = q.push({ id: 'x', bad: true }, 1);
    await expect(bad).rejects.toThrow('bad item');
    expect(await good).toBe('ok:g');
    expect(w.committed).toEqual(['g']);
  });

  it('runs exclusive tasks with no group in flight, in queue order', async () => {
    const w = recorder(40);
    const q = createGroupCommitQueue<Item, string>(w.stage, { maxWeight: 1, lanes: 2 });
    const a = q.push({ id: 'a' }, 1);
    const b = q.push({ id: 'b' }, 1);
    const task = q.exclusive(async () => {
      w.log.push('task');
      return w.committed.length;
    });
    const c = q.push({ id: 'c' }, 1);
    expect(await task).toBe(2);
    await Promise.all([a, b, c]);
    expect(w.log.indexOf('task')).toBeLessThan(w.log.indexOf('stage 0 c') >= 0 ? w.log.indexOf('stage 0 c') : w.log.indexOf('stage 1 c'));
    await q.drain();
    expect(q.pending).toBe(0);
  });

  it('overlaps groups only once enough weight waits', async () => {
    const w = recorder(50);
    const q = createGroupCommitQueue<Item, string>(w.stage, { maxWeight: 100, lanes: 2, minOverlapWeight: 3 });
    const first = q.push({ id: 'a' }, 1);
    await new Promise((r) => setTimeout(r, 10));
    // While "a" commits, one small item waits for it instead of taking the free lane…
    const small = q.push({ id: 'b' }, 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(w.log.some((l) => l.startsWith('stage 1'))).toBe(false);
    // …until enough weight has piled up.
    const more = [q.push({ id: 'c' }, 1), q.push({ id: 'd' }, 1)];
    await Promise.all([first, small, ...more]);
    expect(w.log.indexOf('stage 1 b,c,d')).toBeGreaterThan(-1);
    expect(w.log.indexOf('stage 1 b,c,d')).toBeLessThan(w.log.indexOf('commit 0 end'));
  });
});
