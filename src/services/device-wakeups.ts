/**
 * In-process wakeups of sensors' long-polls (`GET /sensor/v1/work`): a poll waits here until an
 * action is created for its device, the tenant's indicator list changes, its deadline passes or it
 * is abandoned. The waiters are kept per device and per tenant, so a wakeup costs the waiters it
 * wakes and nothing else; every waiter holds one timer, and no timer or waiter outlives its wait.
 * A device holds at most MAX_WAITS_PER_DEVICE polls: a further one ends its oldest (a sensor holds
 * one; a device opening thousands cannot make the server keep them all).
 */

/** Polls one device may hold at once. */
export const MAX_WAITS_PER_DEVICE = 4;

/** Why a wait ended. */
export type WakeReason = 'action' | 'indicators' | 'deadline' | 'aborted' | 'closed' | 'superseded';

interface Waiter {
  tenantId: string;
  key: string;
  done: (why: WakeReason) => void;
}

/** The long-polls waiting in this process, by device and by tenant. */
export class DeviceWakeups {
  private readonly byDevice = new Map<string, Set<Waiter>>();
  private readonly byTenant = new Map<string, Set<Waiter>>();
  private closed = false;

  /** Polls waiting now (for metrics and tests). */
  get waiting(): number {
    let n = 0;
    for (const s of this.byDevice.values()) n += s.size;
    return n;
  }

  /**
   * Waits until `wakeDevice(tenantId, deviceId)`, `wakeTenant(tenantId)`, `ms` milliseconds, or
   * `signal` aborts, whichever comes first; resolves with the reason, never rejects.
   */
  wait(tenantId: string, deviceId: string, ms: number, signal?: AbortSignal): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('closed');
    if (signal?.aborted) return Promise.resolve('aborted');
    if (ms <= 0) return Promise.resolve('deadline');
    return new Promise<WakeReason>((resolve) => {
      const key = `${tenantId}\u0000${deviceId}`;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = () => w.done('aborted');
      const w: Waiter = {
        tenantId,
        key,
        done: (why) => {
          if (timer === null) return;
          clearTimeout(timer);
          timer = null;
          signal?.removeEventListener('abort', onAbort);
          this.remove(this.byDevice, key, w);
          this.remove(this.byTenant, tenantId, w);
          resolve(why);
        },
      };
      timer = setTimeout(() => w.done('deadline'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      const held = this.byDevice.get(key);
      if (held && held.size >= MAX_WAITS_PER_DEVICE) held.values().next().value?.done('superseded');
      this.add(this.byDevice, key, w);
      this.add(this.byTenant, tenantId, w);
    });
  }

  /** Wakes the polls of one device (an action was created for it). */
  wakeDevice(tenantId: string, deviceId: string): void {
    for (const w of [...(this.byDevice.get(`${tenantId}\u0000${deviceId}`) ?? [])]) w.done('action');
  }

  /** Wakes every poll of a tenant (its indicator list changed). */
  wakeTenant(tenantId: string): void {
    for (const w of [...(this.byTenant.get(tenantId) ?? [])]) w.done('indicators');
  }

  /** Ends every wait (the server is stopping) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const set of [...this.byDevice.values()]) for (const w of [...set]) w.done('closed');
  }

  private add(map: Map<string, Set<Waiter>>, key: string, w: Waiter): void {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Set()));
    s.add(w);
  }

  private remove(map: Map<string, Set<Waiter>>, key: string, w: Waiter): void {
    const s = map.get(key);
    if (!s) return;
    s.delete(w);
    if (!s.size) map.delete(key);
  }
}
