/**
 * Execution slots shared fairly between tenants: at most `total` holders at once, at most
 * `perTenant` of them for one tenant, and waiting callers served tenant by tenant in turn (round
 * robin), so one tenant's pile of queries never stands between another tenant and a free slot.
 * A tenant with `queuedPerTenant` callers already waiting is refused at once.
 */
import { PalisadeError } from '../domain/errors.ts';

/** The bounds of a FairSlots. */
export interface SlotLimits {
  total: number;
  perTenant: number;
  queuedPerTenant: number;
}

interface Waiter {
  grant: (release: () => void) => void;
  fail: (e: unknown) => void;
}

/** Slots handed out fairly between tenants. */
export class FairSlots {
  private running = 0;
  private readonly perTenant = new Map<string, number>();
  /** Waiters per tenant; the map's order is the round-robin order (a served tenant moves to the end). */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly limits: SlotLimits) {}

  /**
   * Resolves with a release function once the tenant holds a slot. Rejects with the signal's reason
   * when it aborts while waiting, and with TooManyRequests when the tenant's queue is full.
   */
  acquire(tenantId: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (!this.queues.has(tenantId) && this.canRun(tenantId)) return Promise.resolve(this.take(tenantId));
    const queue = this.queues.get(tenantId) ?? [];
    if (queue.length >= this.limits.queuedPerTenant) {
      return Promise.reject(new PalisadeError('TooManyRequests', `The tenant already has ${this.limits.perTenant} hunting queries running and ${queue.length} waiting; try again when one has finished`, { headers: { 'Retry-After': '5' } }));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: reject,
      };
      const onAbort = () => {
        const q = this.queues.get(tenantId);
        const i = q ? q.indexOf(w) : -1;
        if (i >= 0) {
          q!.splice(i, 1);
          if (q!.length === 0) this.queues.delete(tenantId);
        }
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(w);
      this.queues.set(tenantId, queue);
    });
  }

  /** Slots held now, overall and by one tenant (for tests and metrics). */
  held(tenantId?: string): number {
    return tenantId === undefined ? this.running : this.perTenant.get(tenantId) ?? 0;
  }

  private canRun(tenantId: string): boolean {
    return this.running < this.limits.total && (this.perTenant.get(tenantId) ?? 0) < this.limits.perTenant;
  }

  private take(tenantId: string): () => void {
    this.running += 1;
    this.perTenant.set(tenantId, (this.perTenant.get(tenantId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const n = (this.perTenant.get(tenantId) ?? 1) - 1;
      if (n === 0) this.perTenant.delete(tenantId);
      else this.perTenant.set(tenantId, n);
      this.dispatch();
    };
  }

  /** Grants free slots to waiting tenants in turn. */
  private dispatch(): void {
    let granted = true;
    while (granted && this.running < this.limits.total) {
      granted = false;
      for (const [tenantId, queue] of this.queues) {
        if (!this.canRun(tenantId)) continue;
        const w = queue.shift()!;
        // the tenant just served goes to the back of the turn
        this.queues.delete(tenantId);
        if (queue.length) this.queues.set(tenantId, queue);
        w.grant(this.take(tenantId));
        granted = true;
        break;
      }
    }
  }
}
