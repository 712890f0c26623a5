/**
 * Per-tenant, per-API call quotas as MDE applies them (reference §5): a sliding count per minute
 * and per hour. Exceeding one answers 429 with Retry-After and names the exhausted quota.
 */
import { errors } from '../domain/errors.ts';

/** A quota: calls per minute and per hour. */
export interface Quota {
  perMinute: number;
  perHour: number;
}

export const DEFAULT_QUOTA: Quota = { perMinute: 100, perHour: 1500 };

/** Fixed-window counters keyed by tenant and API. Memory is bounded by tenants × routes. */
export class Throttle {
  private windows = new Map<string, { minute: number; minuteCount: number; hour: number; hourCount: number }>();

  constructor(private readonly enabled = true, private readonly clock: () => number = Date.now) {}

  /** Counts one call; throws TooManyRequests when a quota is exhausted. */
  take(tenantId: string, api: string, quota: Quota): void {
    if (!this.enabled) return;
    const now = this.clock();
    const minute = Math.floor(now / 60_000), hour = Math.floor(now / 3_600_000);
    const key = `${tenantId} ${api}`;
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { minute, minuteCount: 0, hour, hourCount: 0 }));
    if (w.minute !== minute) { w.minute = minute; w.minuteCount = 0; }
    if (w.hour !== hour) { w.hour = hour; w.hourCount = 0; }
    if (w.minuteCount >= quota.perMinute) {
      throw errors.tooMany(`Rate limit exceeded: ${quota.perMinute} calls per minute for ${api}. Try again in ${Math.ceil(((minute + 1) * 60_000 - now) / 1000)} seconds.`, ((minute + 1) * 60_000 - now) / 1000);
    }
    if (w.hourCount >= quota.perHour) {
      throw errors.tooMany(`Rate limit exceeded: ${quota.perHour} calls per hour for ${api}. Try again in ${Math.ceil(((hour + 1) * 3_600_000 - now) / 1000)} seconds.`, ((hour + 1) * 3_600_000 - now) / 1000);
    }
    w.minuteCount++;
    w.hourCount++;
  }
}
