import { describe, expect, it } from 'vitest';
import { DeviceWakeups, MAX_WAITS_PER_DEVICE } from './device-wakeups.ts';

describe('device wakeups', () => {
  it('wake a device\'s polls, a tenant\'s polls, or end them at the deadline, on abort or on close, leaving no waiter behind', async () => {
    const w = new DeviceWakeups();
    const a = w.wait('t1', 'd1', 60_000);
    const b = w.wait('t1', 'd2', 60_000);
    const c = w.wait('t2', 'd1', 60_000);
    expect(w.waiting).toBe(3);
    w.wakeDevice('t1', 'd1');
    expect(await a).toBe('action');
    w.wakeTenant('t1');
    expect(await b).toBe('indicators');
    expect(w.waiting).toBe(1);
    const ac = new AbortController();
    const d = w.wait('t2', 'd3', 60_000, ac.signal);
    ac.abort();
    expect(await d).toBe('aborted');
    expect(await w.wait('t2', 'd4', 10)).toBe('deadline');
    w.close();
    expect(await c).toBe('closed');
    expect(await w.wait('t2', 'd1', 60_000)).toBe('closed');
    expect(w.waiting).toBe(0);
  });

  it('wakes only the device named, in its own tenant', async () => {
    const w = new DeviceWakeups();
    const other = w.wait('t2', 'd1', 50);
    w.wakeDevice('t1', 'd1');
    expect(await other).toBe('deadline');
  });

  it('keeps at most a few polls per device, ending the oldest', async () => {
    const w = new DeviceWakeups();
    const polls = Array.from({ length: MAX_WAITS_PER_DEVICE + 2 }, () => w.wait('t', 'd', 60_000));
    expect(await polls[0]).toBe('superseded');
    expect(await polls[1]).toBe('superseded');
    expect(w.waiting).toBe(MAX_WAITS_PER_DEVICE);
    w.wakeDevice('t', 'd');
    expect(await Promise.all(polls.slice(2))).toEqual(Array(MAX_WAITS_PER_DEVICE).fill('action'));
  });
});
