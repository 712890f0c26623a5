/**
 * Tenancy is injected by the binder, never written by the user: every table scan of every compiled
 * query (all golden queries plus a sample of the public hunting corpus, test/fixtures/hunting)
 * carries the caller's tenant, device groups and look-back, in the IR and in the printed SQL. The
 * whole corpus is checked by `npm run conformance -- tenant-scope` (a CI gate).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileKql } from '../../src/kql/index.ts';
import { checkTenantScope } from '../../tools/conformance/tenant-scope.ts';

const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const NOW = new Date('2024-05-01T12:00:00Z');
const FIXTURES = join(import.meta.dirname, '../fixtures/hunting');

// golden queries expected to be refused (a <name>.error.json beside them) are left out
const goldenFiles = readdirSync(join(import.meta.dirname, 'golden'));
const golden = goldenFiles.filter((f) => f.endsWith('.kql') && !goldenFiles.includes(`${f.slice(0, -4)}.error.json`))
  .map((f) => readFileSync(join(import.meta.dirname, 'golden', f), 'utf8'));
const sample = readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { query: string }).query));

describe('tenant and device-group predicates', () => {
  it('puts the tenant, device groups and look-back on every scan in the IR, and the tenant parameter after every table read in the SQL', () => {
    const checks = [...golden, ...sample].map((q) => ({ q, c: checkTenantScope(q) }));
    // every sampled corpus query compiles
    expect(checks.filter((x) => sample.includes(x.q) && !x.c).map((x) => x.q)).toEqual([]);
    const compiled = checks.filter((x) => x.c);
    expect(compiled.length).toBeGreaterThan(200);
    expect(compiled.filter((x) => x.c!.problems.length).map((x) => `${x.q.slice(0, 80)}: ${x.c!.problems.join('; ')}`)).toEqual([]);
    // every sampled corpus query reads at least one table
    expect(compiled.filter((x) => sample.includes(x.q) && x.c!.scans === 0).map((x) => x.q)).toEqual([]);
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
