/**
 * The DetectionRuleRepo part of the StateStore contract (state-store.contract.ts calls it inside
 * each adapter's suite): every declared column round-trips, list queries, the scheduler's due
 * rules, and the run lease — taken by exactly one of many racing processes, released with the
 * run's outcome, taken over once expired.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DetectionRule } from '../../src/domain/detection-rule.ts';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { FreshStore } from './state-store.contract.ts';

const T0 = '2025-06-15T12:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** A complete rule with defaults; `over` replaces fields. */
export function makeRule(tenantId: string, id: string, over: Partial<DetectionRule> = {}): DetectionRule {
  return {
    tenantId,
    id,
    displayName: `Rule ${id}`,
    isEnabled: true,
    createdBy: 'app-1',
    createdDateTime: T0,
    lastModifiedBy: 'app-1',
    lastModifiedDateTime: T0,
    queryText: 'DeviceProcessEvents | where ProcessCommandLine has "-enc"',
    queryModifiedDateTime: T0,
    period: '1H',
    nextRunDateTime: at(60),
    nrtTable: null,
    detectionAction: {
      alertTemplate: {
        title: 'Encoded PowerShell', description: 'A process ran encoded PowerShell', severity: 'medium', category: 'Execution',
        recommendedActions: null, mitreTechniques: ['T1059.001'],
        impactedAssets: [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }],
      },
      organizationalScope: null,
      responseActions: [{ '@odata.type': '#microsoft.graph.security.isolateDeviceResponseAction', identifier: 'deviceId', isolationType: 'full' }],
    },
    lastRunDateTime: null,
    lastRunStatus: null,
    lastRunFailureReason: null,
    lastRunErrorCode: null,
    lastSuccessDateTime: null,
    leaseOwner: null,
    leaseExpiresDateTime: null,
    ...over,
  };
}

/** The detection-rule cases; `shared` is a migrated store, `fresh` opens another migrated one. */
export function describeDetectionRuleContract(shared: () => StateStore, fresh: () => Promise<FreshStore>): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Rules', createdAt: T0 });
    return id;
  };

  describe('detection rules', () => {
    it('round-trips every field, including nulls and the nested action, and refuses a duplicate id', async () => {
      const store = shared();
      const t = await tenant(store);
      const full = makeRule(t, 'r1', {
        lastRunDateTime: at(1), lastRunStatus: 'failed', lastRunFailureReason: 'boom', lastRunErrorCode: 'queryExecutionFailed',
        lastSuccessDateTime: at(-60), leaseOwner: 'p1', leaseExpiresDateTime: at(5), nrtTable: 'DeviceProcessEvents', period: '0', nextRunDateTime: null,
      });
      await store.detectionRules.insert(full);
      expect(await store.detectionRules.get(t, 'r1')).toEqual(full);
      const bare = makeRule(t, 'r2');
      await store.detectionRules.insert(bare);
      expect(await store.detectionRules.get(t, 'r2')).toEqual(bare);
      await expect(store.detectionRules.insert(bare)).rejects.toSatisfy((e) => e instanceof PalisadeError && e.code === 'Conflict');
      expect(await store.detectionRules.get(randomUUID(), 'r1')).toBeNull();
      expect(await store.detectionRules.count(t)).toBe(2);
    });

    it('lists with filters, order and paging, within the tenant only', async () => {
      const store = shared();
      const t = await tenant(store);
      const other = await tenant(store);
      for (let i = 0; i < 5; i++) {
        await store.detectionRules.insert(makeRule(t, `l${i}`, { displayName: `Name ${i}`, isEnabled: i % 2 === 0, createdDateTime: at(i) }));
      }
      await store.detectionRules.insert(makeRule(other, 'l0'));
      const page = await store.detectionRules.list(t, { top: 2, skip: 1, count: true, orderBy: [] });
      expect(page.total).toBe(5);
      expect(page.items.map((r) => r.id)).toEqual(['l3', 'l2']);
      const enabled = await store.detectionRules.list(t, { filter: { kind: 'cmp', op: 'eq', field: 'isEnabled', value: true }, top: 10, skip: 0, count: false, orderBy: [{ field: 'displayName', dir: 'asc' }] });
      expect(enabled.items.map((r) => r.id)).toEqual(['l0', 'l2', 'l4']);
      const named = await store.detectionRules.list(t, { filter: { kind: 'cmp', op: 'eq', field: 'displayName', value: 'NAME 3' }, top: 10, skip: 0, count: false, orderBy: [] });
      expect(named.items.map((r) => r.id)).toEqual(['l3']);
    });

    it('updates the definition, deletes, and reports what was missing', async () => {
      const store = shared();
      const t = await tenant(store);
      await store.detectionRules.insert(makeRule(t, 'u1'));
      const updated = await store.detectionRules.update(t, 'u1', { displayName: 'Renamed', isEnabled: false, period: '3H', nextRunDateTime: at(180) });
      expect(updated).toMatchObject({ displayName: 'Renamed', isEnabled: false, period: '3H', nextRunDateTime: at(180), createdDateTime: T0 });
      expect(await store.detectionRules.update(t, 'nope', { displayName: 'x' })).toBeNull();
      expect(await store.detectionRules.delete(t, 'u1')).toBe(true);
      expect(await store.detectionRules.delete(t, 'u1')).toBe(false);
      expect(await store.detectionRules.get(t, 'u1')).toBeNull();
    });

    it('finds due rules in every tenant, soonest first, skipping disabled, near-real-time and leased rules', async () => {
      const { store } = await fresh();
      const a = await tenant(store);
      const b = await tenant(store);
      await store.detectionRules.insert(makeRule(a, 'due-late', { nextRunDateTime: at(10) }));
      await store.detectionRules.insert(makeRule(b, 'due-early', { nextRunDateTime: at(5) }));
      await store.detectionRules.insert(makeRule(a, 'future', { nextRunDateTime: at(30) }));
      await store.detectionRules.insert(makeRule(a, 'off', { nextRunDateTime: at(1), isEnabled: false }));
      await store.detectionRules.insert(makeRule(a, 'nrt', { nextRunDateTime: null, period: '0', nrtTable: 'DeviceProcessEvents' }));
      await store.detectionRules.insert(makeRule(b, 'held', { nextRunDateTime: at(1), leaseOwner: 'other', leaseExpiresDateTime: at(60) }));
      await store.detectionRules.insert(makeRule(b, 'expired', { nextRunDateTime: at(2), leaseOwner: 'other', leaseExpiresDateTime: at(15) }));
      expect(await store.detectionRules.due(at(20), 10)).toEqual([
        { tenantId: b, id: 'expired' }, { tenantId: b, id: 'due-early' }, { tenantId: a, id: 'due-late' },
      ]);
      expect(await store.detectionRules.due(at(20), 1)).toHaveLength(1);
      expect((await store.detectionRules.nearRealTime(a)).map((r) => r.id)).toEqual(['nrt']);
      expect(await store.detectionRules.nearRealTime(b)).toEqual([]);
    });

    it('gives the lease to exactly one of many processes racing for it, from separate connections', async () => {
      const { store, reopen } = await fresh();
      const t = await tenant(store);
      await store.detectionRules.insert(makeRule(t, 'race', { nextRunDateTime: at(0) }));
      const handles = [store, ...await Promise.all([1, 2, 3].map(() => reopen()))];
      try {
        const results = await Promise.all(handles.flatMap((h, i) => [0, 1].map((k) => h.detectionRules.takeLease(t, 'race', `proc-${i}-${k}`, at(1), at(6)))));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ leaseExpiresDateTime: at(6) });
        const owner = winners[0]!.leaseOwner!;
        // nobody else takes it while it holds; the holder may renew it
        expect(await store.detectionRules.takeLease(t, 'race', 'late', at(3), at(8))).toBeNull();
        expect(await store.detectionRules.takeLease(t, 'race', owner, at(3), at(8))).toMatchObject({ leaseOwner: owner, leaseExpiresDateTime: at(8) });
        // once expired, another process takes it over, and the old holder's outcome is refused
        const next = await store.detectionRules.takeLease(t, 'race', 'successor', at(9), at(14));
        expect(next?.leaseOwner).toBe('successor');
        const run = { lastRunDateTime: at(9), lastRunStatus: 'completed' as const, lastRunFailureReason: null, lastRunErrorCode: null, nextRunDateTime: at(69) };
        expect(await store.detectionRules.recordRun(t, 'race', owner, run)).toBe(false);
        expect(await store.detectionRules.recordRun(t, 'race', 'successor', run)).toBe(true);
        expect(await store.detectionRules.get(t, 'race')).toMatchObject({ ...run, leaseOwner: null, leaseExpiresDateTime: null });
        // not due any more: nobody takes it until its next run
        expect(await store.detectionRules.takeLease(t, 'race', 'early', at(10), at(15))).toBeNull();
        expect(await store.detectionRules.takeLease(t, 'race', 'on-time', at(69), at(74))).not.toBeNull();
      } finally {
        for (const h of handles.slice(1)) await h.close();
      }
    });

    it('never leases a disabled rule, and records a near-real-time run without a lease', async () => {
      const store = shared();
      const t = await tenant(store);
      await store.detectionRules.insert(makeRule(t, 'off', { isEnabled: false, nextRunDateTime: at(0) }));
      expect(await store.detectionRules.takeLease(t, 'off', 'p', at(1), at(5))).toBeNull();
      await store.detectionRules.insert(makeRule(t, 'nrt', { period: '0', nextRunDateTime: null, nrtTable: 'DeviceProcessEvents' }));
      expect(await store.detectionRules.takeLease(t, 'nrt', 'p', at(1), at(5))).toBeNull();
      const run = { lastRunDateTime: at(1), lastRunStatus: 'failed' as const, lastRunFailureReason: 'x', lastRunErrorCode: 'queryTimeout' as const };
      expect(await store.detectionRules.recordRun(t, 'nrt', null, run)).toBe(true);
      expect(await store.detectionRules.get(t, 'nrt')).toMatchObject(run);
    });
  });
}
