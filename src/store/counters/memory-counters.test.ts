import { describe, expect, it } from 'vitest';
import { createMemoryCounters } from './memory-counters.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('in-process counters', () => {
  it('reserves up to the limit in each window, then refuses with the window end', async () => {
    const c = createMemoryCounters();
    const limits = [{ key: 't1 GET /machines', windowMs: MIN, limit: 2 }];
    const t = 10 * MIN + 5_000;
    expect(await c.reserve(limits, 1, t)).toEqual({ ok: true });
    expect(await c.reserve(limits, 1, t)).toEqual({ ok: true });
    expect(await c.reserve(limits, 1, t)).toEqual({ ok: false, refused: limits[0], used: 2, resetAt: 11 * MIN });
    expect(await c.reserve(limits, 1, 11 * MIN)).toEqual({ ok: true });
    expect(await c.used('t1 GET /machines', MIN, 11 * MIN)).toBe(1);
    expect(await c.used('t2 GET /machines', MIN, 11 * MIN)).toBe(0);
  });

  it('takes all budgets or none', async () => {
    const c = createMemoryCounters();
    const minute = { key: 'k', windowMs: MIN, limit: 100 };
    const hour = { key: 'k', windowMs: HOUR, limit: 3 };
    for (let i = 0; i < 3; i++) expect((await c.reserve([minute, hour], 1, i * MIN)).ok).toBe(true);
    const r = await c.reserve([minute, hour], 1, 3 * MIN);
    expect(r).toMatchObject({ ok: false, refused: hour, resetAt: HOUR });
    expect(await c.used('k', MIN, 3 * MIN)).toBe(0);
  });

  it('refuses an exhausted budget even for a zero reservation, and one that would be overdrawn', async () => {
    const c = createMemoryCounters();
    const cpu = [{ key: 'cpu t1', windowMs: HOUR, limit: 1000 }];
    expect((await c.reserve(cpu, 0, 0)).ok).toBe(true);
    expect((await c.reserve(cpu, 800, 0)).ok).toBe(true);
    expect((await c.reserve(cpu, 300, 0)).ok).toBe(false);
    expect((await c.reserve(cpu, 200, 0)).ok).toBe(true);
    expect((await c.reserve(cpu, 0, 0)).ok).toBe(false);
  });

  it('settles a reservation with what was used, in the window it was made in', async () => {
    const c = createMemoryCounters();
    const cpu = { key: 'cpu t1', windowMs: HOUR, limit: 1000 };
    await c.reserve([cpu], 600, 10);
    await c.settle([cpu], 150 - 600, 10);
    expect(await c.used(cpu.key, HOUR, 20)).toBe(150);
    await c.settle([cpu], -10_000, 20);
    expect(await c.used(cpu.key, HOUR, 20)).toBe(0);
    // a reservation made in the previous hour settles nothing in this one
    await c.reserve([cpu], 50, HOUR + 1);
    await c.settle([cpu], 999, 30);
    expect(await c.used(cpu.key, HOUR, HOUR + 2)).toBe(50);
  });

  it('stays bounded, forgetting ended windows first', async () => {
    const c = createMemoryCounters({ maxEntries: 10 });
    for (let i = 0; i < 50; i++) await c.reserve([{ key: `k${i}`, windowMs: MIN, limit: 5 }], 1, i * MIN);
    expect(await c.used('k49', MIN, 49 * MIN)).toBe(1);
  });
});
