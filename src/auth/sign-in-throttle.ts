/**
 * Throttling of failed sign-ins, per account (the name typed, whether or not it exists) and per
 * client address: after `FREE_FAILURES` failures within the window, each further failure locks the
 * key for twice as long as the one before (30 s, 1 min, 2 min, … at most 15 min). Counters live in
 * the state store, so every API process sees the same ones.
 */
import type { SignInRepo } from '../domain/ports.ts';
import { upnKey } from '../domain/user.ts';

/** Failures allowed within a window before locking starts. */
export const FREE_FAILURES = 5;
/** How long a window of failures lasts. */
export const WINDOW_MS = 15 * 60_000;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

/** The throttling keys of a sign-in attempt. */
export function throttleKeys(address: string, userPrincipalName?: string): string[] {
  const keys = [`address:${address.slice(0, 64)}`];
  if (userPrincipalName !== undefined && userPrincipalName.trim()) keys.push(`account:${upnKey(userPrincipalName).slice(0, 256)}`);
  return keys;
}

/** How long the lock after `failures` failures lasts (0: none yet). */
export function lockMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(failures - FREE_FAILURES, 10));
}

/** Failed-sign-in throttling over the state store. */
export class SignInThrottle {
  constructor(private readonly repo: () => SignInRepo, private readonly clock: () => Date) {}

  /** Seconds until every key may try again; 0 when none is locked. */
  async retryAfter(tenantId: string, keys: readonly string[]): Promise<number> {
    const now = this.clock().getTime();
    let until = 0;
    for (const f of await this.repo().failures(tenantId, keys)) {
      if (f.lockedUntil) until = Math.max(until, Date.parse(f.lockedUntil));
    }
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a failure under each key, locking those past the free failures. */
  async failed(tenantId: string, keys: readonly string[]): Promise<void> {
    const now = this.clock();
    const windowStart = new Date(now.getTime() - WINDOW_MS).toISOString();
    for (const key of keys) {
      const f = await this.repo().recordFailure(tenantId, key, now.toISOString(), windowStart);
      const ms = lockMs(f.failures);
      if (ms > 0) await this.repo().lock(tenantId, key, new Date(now.getTime() + ms).toISOString());
    }
  }

  /** Forgets the account's failures after a successful sign-in (the address's stay counted). */
  async succeeded(tenantId: string, keys: readonly string[]): Promise<void> {
    for (const key of keys.filter((k) => k.startsWith('account:'))) await this.repo().clearFailures(tenantId, key);
  }
}
