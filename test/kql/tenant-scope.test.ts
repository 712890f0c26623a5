/**
 * Tenancy is injected by the binder, never written by the user: every table scan of every compiled
 * query (all golden queries plus every corpus query that compiles) carries the caller's tenant,
 * device groups and look-back, in the IR and in the printed SQL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../src/schema/registry.ts';
import { walkRels, type Scan } from '../../src/kql/ir/ir.ts';
import { compileKql, planKql } from '../../src/kql/index.ts';
import { clientQueries, defenderQueries } from './corpus.ts';

const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const NOW = new Date('2024-05-01T12:00:00Z');
const SINCE = new Date(NOW.getTime() - 30 * 86_400_000);

// golden queries expected to be refused (a <name>.error.json beside them) are left out
const goldenFiles = readdirSync(join(import.meta.dirname, 'golden'));
const golden = goldenFiles.filter((f) => f.endsWith('.kql') && !goldenFiles.includes(`${f.slice(0, -4)}.error.json`))
  .map((f) => readFileSync(join(import.meta.dirname, 'golden', f), 'utf8'));
const corpus = [...defenderQueries().main, ...defenderQueries().external, ...clientQueries()].map((q) => q.query);

function compiles(q: string, scope: 'all' | number[]): boolean {
  try {
    planKql(q, { tenantId: TENANT, deviceScope: scope, now: NOW }, TABLES);
    return true;
  } catch {
    return false;
  }
}

describe('tenant and device-group predicates', () => {
  const queries = [...golden, ...corpus].filter((q) => compiles(q, [4, 7]));

  it('covers a large set of queries', () => {
    expect(queries.length).toBeGreaterThan(600);
  });

  it('puts the tenant, device groups and look-back on every scan in the IR', () => {
    let scans = 0;
    for (const q of queries) {
      const plan = planKql(q, { tenantId: TENANT, deviceScope: [4, 7], now: NOW }, TABLES);
      walkRels(plan, (r) => {
        if (r.k !== 'scan') return;
        scans++;
        const s = r as Scan;
        expect(s.scope.tenantId).toBe(TENANT);
        expect(s.scope.rbacGroupIds).toEqual([4, 7]);
        // from the table's declaration: a scan may read only some columns (unread ones are pruned)
        const hasTimestamp = TABLES.find((t) => t.name === s.table)!.columns.some((c) => c.name === 'Timestamp');
        expect(s.scope.since?.toISOString() ?? null).toBe(hasTimestamp ? SINCE.toISOString() : null);
        expect(s.columns.filter((c) => c.name.startsWith('__') && !c.hidden)).toEqual([]);
      });
    }
    expect(scans).toBeGreaterThan(queries.length);
  });

  it('prints the tenant predicate, as a parameter, right after every table read', () => {
    const tables = TABLES.map((t) => t.name).join('|');
    for (const q of queries) {
      const c = compileKql(q, { tenantId: TENANT, deviceScope: 'all', now: NOW });
      const reads = [...c.sql.matchAll(new RegExp(`FROM "(${tables})"`, 'g'))].length;
      const guarded = [...c.sql.matchAll(new RegExp(`FROM "(?:${tables})" WHERE "__TenantId" = CAST\\(\\$(\\d+) AS VARCHAR\\)`, 'g'))];
      expect(guarded.length).toBe(reads);
      for (const m of guarded) expect(c.params[Number(m[1]) - 1]).toBe(TENANT);
      expect(c.sql).not.toContain(TENANT);
      expect(c.columns.filter((col) => col.name.startsWith('__'))).toEqual([]);
    }
  });

  it('restricts to the device groups of the caller, and to none when the caller has none', () => {
    const c = compileKql('DeviceProcessEvents | take 1', { tenantId: TENANT, deviceScope: [3, 5], now: NOW });
    expect(c.sql).toMatch(/"__RbacGroupId" IN \(CAST\(\$2 AS INTEGER\), CAST\(\$3 AS INTEGER\)\)/);
    expect(c.params.slice(1, 3)).toEqual([3, 5]);
    const none = compileKql('DeviceProcessEvents | take 1', { tenantId: TENANT, deviceScope: [], now: NOW });
    expect(none.sql).toContain('AND FALSE');
    const all = compileKql('DeviceProcessEvents | take 1', { tenantId: TENANT, deviceScope: 'all', now: NOW });
    expect(all.sql).not.toContain('__RbacGroupId');
  });

  it('never lets a query name the hidden columns', () => {
    expect(() => compileKql('DeviceProcessEvents | where __TenantId == "x"', { tenantId: TENANT, deviceScope: 'all', now: NOW })).toThrow(/Failed to resolve/);
    expect(() => compileKql('DeviceProcessEvents | project __RbacGroupId', { tenantId: TENANT, deviceScope: 'all', now: NOW })).toThrow(/Failed to resolve/);
    expect(() => compileKql('DeviceProcessEvents | project __IngestTime', { tenantId: TENANT, deviceScope: 'all', now: NOW })).toThrow(/Failed to resolve/);
    expect(() => compileKql("DeviceProcessEvents | project ['__IngestTime']", { tenantId: TENANT, deviceScope: 'all', now: NOW })).toThrow(/Failed to resolve/);
  });
});
