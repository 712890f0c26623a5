/**
 * Each tenant's indicator snapshot for the match step, kept in memory: rebuilt when the tenant's
 * indicator version moves. A change made in this process drops the tenant's snapshot at once
 * (`invalidate`); one made by another process is seen when the version is next checked, at most
 * `checkEveryMs` later. Concurrent callers for one tenant share one load.
 */
import type { MatchableIndicator } from '../domain/ports.ts';
import { packSnapshot, type CompactIndicator, type IndicatorSnapshot } from './indicator-snapshot.ts';

/** Where the indicators come from (IndicatorService). */
export interface IndicatorSource {
  version(tenantId: string): Promise<number>;
  matchable(tenantId: string): Promise<{ version: number; indicators: MatchableIndicator[] }>;
}

/** The per-tenant snapshots. */
export interface IndicatorSnapshots {
  /** The tenant's current snapshot (null when it has no active indicator). */
  get(tenantId: string): Promise<IndicatorSnapshot | null>;
  /** Forgets the tenant's snapshot: the next `get` loads it again. */
  invalidate(tenantId: string): void;
}

/** The compact form of an indicator. */
export function compactIndicator(i: MatchableIndicator): CompactIndicator {
  return {
    id: i.id, type: i.indicatorType, value: i.indicatorValue, action: i.action, severity: i.severity, generateAlert: i.generateAlert, title: i.title,
    groups: i.rbacGroupIds.length ? i.rbacGroupIds.map(Number) : null,
    expiresAtMs: i.expirationTime === null ? null : Date.parse(i.expirationTime),
  };
}

interface Entry {
  snapshot: IndicatorSnapshot;
  checkedAt: number;
}

/** Snapshots over `source`, checking a cached one's version at most every `checkEveryMs`. */
export function createIndicatorSnapshots(source: IndicatorSource, { checkEveryMs = 1_000, now = () => Date.now() } = {}): IndicatorSnapshots {
  const cache = new Map<string, Entry>();
  const loading = new Map<string, Promise<IndicatorSnapshot>>();

  async function load(tenantId: string): Promise<IndicatorSnapshot> {
    const cached = cache.get(tenantId);
    const at = now();
    if (cached) {
      const version = await source.version(tenantId);
      if (version === cached.snapshot.version) {
        cached.checkedAt = at;
        return cached.snapshot;
      }
    }
    const { version, indicators } = await source.matchable(tenantId);
    const snapshot = packSnapshot(tenantId, version, indicators.map(compactIndicator));
    cache.set(tenantId, { snapshot, checkedAt: at });
    return snapshot;
  }

  return {
    async get(tenantId) {
      const cached = cache.get(tenantId);
      let snapshot: IndicatorSnapshot;
      if (cached && now() - cached.checkedAt < checkEveryMs) {
        snapshot = cached.snapshot;
      } else {
        let p = loading.get(tenantId);
        if (!p) {
          p = load(tenantId).finally(() => loading.delete(tenantId));
          loading.set(tenantId, p);
        }
        snapshot = await p;
      }
      return snapshot.count ? snapshot : null;
    },
    invalidate(tenantId) {
      cache.delete(tenantId);
    },
  };
}
