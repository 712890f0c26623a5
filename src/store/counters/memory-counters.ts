/**
 * The Counters port in process: one number per (key, window length), reset when a new window starts.
 * Memory is bounded by the keys in use (tenants × budgets); counters of windows that have ended are
 * dropped as they are met again, and all of them when the map grows past `maxEntries`.
 */
import type { CounterLimit, Counters, Reservation } from '../../domain/ports.ts';

interface Cell {
  window: number;
  value: number;
}

/** In-process counters (the default; a single process needs nothing else). */
export function createMemoryCounters(opts: { maxEntries?: number } = {}): Counters {
  const cells = new Map<string, Cell>();
  const maxEntries = opts.maxEntries ?? 100_000;
  const id = (key: string, windowMs: number) => `${windowMs} ${key}`;

  /** The cell of a counter in the window containing `now` (a new window starts at zero). */
  const cell = (key: string, windowMs: number, now: number): Cell => {
    const window = Math.floor(now / windowMs);
    const k = id(key, windowMs);
    let c = cells.get(k);
    if (!c || c.window < window) {
      if (!c && cells.size >= maxEntries) prune(now);
      cells.set(k, (c = { window, value: 0 }));
    }
    return c;
  };

  const prune = (now: number) => {
    for (const [k, c] of cells) {
      const windowMs = Number(k.slice(0, k.indexOf(' ')));
      if (c.window < Math.floor(now / windowMs)) cells.delete(k);
    }
    if (cells.size >= maxEntries) cells.clear();
  };

  return {
    async reserve(limits: readonly CounterLimit[], amount: number, now: number): Promise<Reservation> {
      const taken = limits.map((l) => ({ l, c: cell(l.key, l.windowMs, now) }));
      for (const { l, c } of taken) {
        if (c.value >= l.limit || c.value + amount > l.limit) {
          return { ok: false, refused: l, used: c.value, resetAt: (Math.floor(now / l.windowMs) + 1) * l.windowMs };
        }
      }
      for (const { c } of taken) c.value += amount;
      return { ok: true };
    },
    async settle(counters, delta, at) {
      for (const k of counters) {
        const window = Math.floor(at / k.windowMs);
        const current = cells.get(id(k.key, k.windowMs));
        // usage of a window that has since ended settles nothing in the one that replaced it
        if (current && current.window > window) continue;
        const c = cell(k.key, k.windowMs, at);
        c.value = Math.max(0, c.value + delta);
      }
    },
    async used(key, windowMs, now) {
      const c = cells.get(id(key, windowMs));
      return c && c.window === Math.floor(now / windowMs) ? c.value : 0;
    },
  };
}
