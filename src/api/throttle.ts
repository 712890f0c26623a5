/**
 * Per-tenant, per-API call quotas as MDE applies them (reference §5): a count per minute and per
 * hour, kept in the Counters port so every process serving the tenant counts together. Exceeding
 * one answers 429 with Retry-After and names the exhausted quota.
 */
import { errors } from '../domain/errors.ts';
import type { Counters } from '../domain/ports.ts';

/** A quota: calls per minute and per hour. */
export interface Quota {
  perMinute: number;
  perHour: number;
}

export const DEFAULT_QUOTA: Quota = { perMinute: 100, perHour: 1500 };

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Fixed-window call counts keyed by tenant and API. */
export class Throttle {
  constructor(private readonly counters: Counters, private readonly enabled = true, private readonly clock: () => number = Date.now) {}

  /** Counts one call; throws TooManyRequests (counting nothing) when a quota is exhausted. */
  async take(tenantId: string, api: string, quota: Quota): Promise<void> {
    if (!this.enabled) return;
    const now = this.clock();
    const key = `calls ${tenantId} ${api}`;
    const r = await this.counters.reserve([
      { key, windowMs: MINUTE, limit: quota.perMinute },
      { key, windowMs: HOUR, limit: quota.perHour },
    ], 1, now);
    if (r.ok) return;
    const per = r.refused.windowMs === MINUTE ? 'minute' : 'hour';
    const retry = (r.resetAt - now) / 1000;
    throw errors.tooMany(`Rate limit exceeded: ${r.refused.limit} calls per ${per} for ${api}. Try again in ${Math.ceil(retry)} seconds.`, retry);
  }
}
