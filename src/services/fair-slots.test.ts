import { describe, expect, it } from 'vitest';
import { FairSlots } from './fair-slots.ts';

describe('FairSlots', () => {
  it('bounds each tenant and serves waiting tenants in turn', async () => {
    const slots = new FairSlots({ total: 3, perTenant: 2, queuedPerTenant: 10 });
    const a1 = await slots.acquire('A');
    const a2 = await slots.acquire('A');
    const order: string[] = [];
    const a3 = slots.acquire('A').then((r) => { order.push('A3'); return r; });
    const a4 = slots.acquire('A').then((r) => { order.push('A4'); return r; });
    // A holds its two slots: B gets the third at once although A queued first
    const b1 = await slots.acquire('B');
    expect(slots.held('A')).toBe(2);
    expect(slots.held()).toBe(3);
    const b2 = slots.acquire('B').then((r) => { order.push('B2'); return r; });
    a1();
    // A is at its own bound only once a slot frees: the free slot goes to A (A3); B2 waits for a slot
    await a3;
    b1();
    await b2;
    expect(order).toEqual(['A3', 'B2']);
    a2();
    (await a4)();
    expect(order).toEqual(['A3', 'B2', 'A4']);
  });

  it('drops a waiter whose signal aborts and refuses beyond the queue bound', async () => {
    const slots = new FairSlots({ total: 1, perTenant: 1, queuedPerTenant: 1 });
    const first = await slots.acquire('A');
    const gone = new AbortController();
    const waiting = slots.acquire('A', gone.signal);
    await expect(slots.acquire('A')).rejects.toMatchObject({ code: 'TooManyRequests' });
    gone.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    first();
    expect(slots.held()).toBe(0);
    const again = await slots.acquire('A');
    expect(slots.held('A')).toBe(1);
    again();
  });
});
