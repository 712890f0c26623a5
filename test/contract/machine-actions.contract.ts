/**
 * The ActionRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every declared column round-trips, one open action of a type per machine (also
 * when requests race from separate connections), list queries with the filters MDE's clients send,
 * device-group scope, the unacknowledged actions of a device, compare-and-set transitions and the
 * sweeper's expired actions.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { ListQuery } from '../../src/domain/list-query.ts';
import type { MachineAction } from '../../src/domain/machine-action.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { FreshStore } from './state-store.contract.ts';

const T0 = '2025-06-15T12:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const MACHINE = 'ab'.repeat(20);

/** A complete action with defaults; `over` replaces fields. */
export function makeAction(tenantId: string, over: Partial<MachineAction> = {}): MachineAction {
  return {
    tenantId,
    id: randomUUID(),
    type: 'Isolate',
    scope: 'Full',
    requestor: 'app-1',
    requestorComment: 'contain it',
    requestSource: 'PublicApi',
    externalId: null,
    title: 'Full isolation',
    status: 'Pending',
    machineId: MACHINE,
    computerDnsName: 'host-1',
    rbacGroupId: 0,
    creationDateTimeUtc: T0,
    lastUpdateDateTimeUtc: T0,
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    errorHResult: 0,
    relatedFileInfo: null,
    commands: [],
    expiresAt: at(72 * 60),
    acknowledged: false,
    statusMessage: null,
    fileInfo: null,
    ...over,
  };
}

const all = (over: Partial<ListQuery> = {}): ListQuery => ({ top: 100, skip: 0, count: true, orderBy: [], ...over });

/** The machine-action cases; `shared` is a migrated store, `fresh` opens another migrated one. */
export function describeActionContract(shared: () => StateStore, fresh: () => Promise<FreshStore>): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Actions', createdAt: T0 });
    return id;
  };

  describe('machine actions', () => {
    it('round-trips every field, nulls and nested commands included', async () => {
      const store = shared();
      const t = await tenant(store);
      const live = makeAction(t, {
        type: 'LiveResponse', scope: null, title: 'Live response', externalId: 'ext-1', requestSource: 'CustomDetection',
        status: 'InProgress', acknowledged: true, statusMessage: 'running', errorHResult: -2147467259,
        commands: [{ index: 0, startTime: at(1), endTime: null, commandStatus: 'Created', errors: ['e1'], command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'x.sh' }] } }],
        fileInfo: { sha1: 'a'.repeat(40), path: '/tmp/x' }, cancellationRequestor: 'u', cancellationComment: 'c', cancellationDateTimeUtc: at(2),
      });
      await store.actions.insert(live);
      expect(await store.actions.get(t, live.id, 'all')).toEqual(live);
      const quarantine = makeAction(t, { type: 'StopAndQuarantineFile', scope: null, relatedFileInfo: { fileIdentifier: 'b'.repeat(40), fileIdentifierType: 'Sha1' } });
      await store.actions.insert(quarantine);
      expect(await store.actions.get(t, quarantine.id, 'all')).toEqual(quarantine);
      expect(await store.actions.get(randomUUID(), quarantine.id, 'all')).toBeNull();
    });

    it("moves a machine's actions, and only its actions in its tenant, to a new device group", async () => {
      const store = shared();
      const t = await tenant(store);
      const a = makeAction(t, { rbacGroupId: 1 });
      const b = makeAction(t, { rbacGroupId: 1, type: 'RunAntiVirusScan', machineId: a.machineId });
      const elsewhere = makeAction(t, { rbacGroupId: 1, machineId: 'e'.repeat(40) });
      for (const x of [a, b, elsewhere]) await store.actions.insert(x);
      expect(await store.actions.moveMachine(t, a.machineId, 3)).toBe(2);
      expect((await store.actions.get(t, a.id, [3]))?.rbacGroupId).toBe(3);
      expect((await store.actions.get(t, b.id, [3]))?.rbacGroupId).toBe(3);
      expect(await store.actions.get(t, a.id, [1])).toBeNull();
      expect((await store.actions.get(t, elsewhere.id, [1]))?.rbacGroupId).toBe(1);
      expect(await store.actions.moveMachine(randomUUID(), a.machineId, 4)).toBe(0);
    });

    it('keeps one open action of a type per machine; a closed one leaves room for the next', async () => {
      const store = shared();
      const t = await tenant(store);
      const first = makeAction(t);
      await store.actions.insert(first);
      await expect(store.actions.insert(makeAction(t))).rejects.toSatisfy((e) => e instanceof PalisadeError && e.code === 'Conflict');
      await store.actions.insert(makeAction(t, { type: 'RunAntiVirusScan', scope: 'Quick' }));
      await store.actions.insert(makeAction(t, { machineId: 'cd'.repeat(20) }));
      expect((await store.actions.openOf(t, MACHINE, 'Isolate'))?.id).toBe(first.id);
      expect(await store.actions.transition(t, first.id, ['Pending'], { status: 'InProgress', acknowledged: true })).toMatchObject({ status: 'InProgress' });
      await expect(store.actions.insert(makeAction(t))).rejects.toSatisfy((e) => e instanceof PalisadeError && e.code === 'Conflict');
      await store.actions.transition(t, first.id, ['InProgress'], { status: 'Succeeded' });
      expect(await store.actions.openOf(t, MACHINE, 'Isolate')).toBeNull();
      await store.actions.insert(makeAction(t));
    });

    it('lets exactly one of many racing inserts of a type through, from separate connections', async () => {
      const { store, reopen } = await fresh();
      const t = await tenant(store);
      const handles = [store, ...await Promise.all([1, 2].map(() => reopen()))];
      try {
        const results = await Promise.allSettled(handles.flatMap((h) => [0, 1, 2].map(() => h.actions.insert(makeAction(t)))));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof PalisadeError)).toBe(true);
      } finally {
        for (const h of handles.slice(1)) await h.close();
      }
    });

    it('lists with id in (…), lastUpdateDateTimeUtc gt, $orderby and paging, in tenant, scope and machine', async () => {
      const store = shared();
      const t = await tenant(store);
      const other = await tenant(store);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const a = makeAction(t, {
          type: (['Isolate', 'Unisolate', 'RunAntiVirusScan', 'Offboard', 'CollectInvestigationPackage'] as const)[i],
          creationDateTimeUtc: at(i), lastUpdateDateTimeUtc: at(10 - i), rbacGroupId: i % 2, machineId: i < 3 ? MACHINE : 'cd'.repeat(20),
        });
        ids.push(a.id);
        await store.actions.insert(a);
      }
      await store.actions.insert(makeAction(other));
      const newest = await store.actions.list(t, all({ top: 2, skip: 1 }), 'all');
      expect(newest.total).toBe(5);
      expect(newest.items.map((a) => a.id)).toEqual([ids[3], ids[2]]);
      const some = await store.actions.list(t, all({ filter: { kind: 'in', field: 'id', values: [ids[0], ids[4].toUpperCase(), randomUUID()] } }), 'all');
      expect(some.items.map((a) => a.id).sort()).toEqual([ids[0], ids[4]].sort());
      const since = await store.actions.list(t, all({
        filter: { kind: 'cmp', op: 'gt', field: 'lastUpdateDateTimeUtc', value: { datetime: at(7) } },
        orderBy: [{ field: 'lastUpdateDateTimeUtc', dir: 'asc' }],
      }), 'all');
      expect(since.items.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect((await store.actions.list(t, all(), [1])).items.map((a) => a.id).sort()).toEqual([ids[1], ids[3]].sort());
      expect(await store.actions.list(t, all(), [])).toEqual({ items: [], total: 0 });
      expect((await store.actions.list(t, all(), 'all', MACHINE)).items.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect(await store.actions.get(t, ids[0], [1])).toBeNull();
      const typed = await store.actions.list(t, all({ filter: { kind: 'in', field: 'type', values: ['Isolate', 'Unisolate'] } }), 'all');
      expect(typed.total).toBe(2);
    });

    it('gives a device its unacknowledged open actions, oldest first', async () => {
      const store = shared();
      const t = await tenant(store);
      const a = makeAction(t, { creationDateTimeUtc: at(2) });
      const b = makeAction(t, { type: 'RunAntiVirusScan', creationDateTimeUtc: at(1) });
      const acked = makeAction(t, { type: 'Offboard', status: 'InProgress', acknowledged: true });
      const done = makeAction(t, { type: 'Unisolate', status: 'Succeeded', acknowledged: true });
      const elsewhere = makeAction(t, { machineId: 'cd'.repeat(20) });
      for (const x of [a, b, acked, done, elsewhere]) await store.actions.insert(x);
      expect((await store.actions.unacknowledged(t, MACHINE)).map((x) => x.id)).toEqual([b.id, a.id]);
    });

    it('moves status only from the expected one (compare-and-set)', async () => {
      const store = shared();
      const t = await tenant(store);
      const a = makeAction(t);
      await store.actions.insert(a);
      expect(await store.actions.transition(t, a.id, ['InProgress'], { status: 'Succeeded' })).toBeNull();
      const cancelled = await store.actions.transition(t, a.id, ['Pending', 'InProgress'], {
        status: 'Cancelled', cancellationRequestor: 'me', cancellationComment: 'stop', cancellationDateTimeUtc: at(3), lastUpdateDateTimeUtc: at(3),
      });
      expect(cancelled).toMatchObject({ status: 'Cancelled', cancellationRequestor: 'me', lastUpdateDateTimeUtc: at(3), creationDateTimeUtc: T0 });
      expect(await store.actions.transition(t, a.id, ['Pending', 'InProgress'], { status: 'Succeeded' })).toBeNull();
      expect(await store.actions.transition(t, randomUUID(), ['Pending'], { status: 'Succeeded' })).toBeNull();
      expect(await store.actions.transition(randomUUID(), a.id, ['Cancelled'], { status: 'Succeeded' })).toBeNull();
    });

    it('finds expired open actions of every tenant, soonest first', async () => {
      const { store } = await fresh();
      const a = await tenant(store);
      const b = await tenant(store);
      const late = makeAction(a, { expiresAt: at(10) });
      const early = makeAction(b, { expiresAt: at(5) });
      const future = makeAction(a, { type: 'Offboard', expiresAt: at(30) });
      const closed = makeAction(b, { type: 'Offboard', status: 'Failed', expiresAt: at(1) });
      for (const x of [late, early, future, closed]) await store.actions.insert(x);
      expect(await store.actions.expired(at(20), 10)).toEqual([{ tenantId: b, id: early.id }, { tenantId: a, id: late.id }]);
      expect(await store.actions.expired(at(20), 1)).toHaveLength(1);
    });
  });
}
