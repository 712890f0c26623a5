/**
 * The DeviceGroupRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every field round-trips, the list is in rank order, names are unique per tenant
 * regardless of case, ids count up per tenant, tenants stay apart, and a failed transaction leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeviceGroup } from '../../src/domain/device-group.ts';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { StateStore } from '../../src/domain/ports.ts';

const T0 = '2025-06-15T12:00:00.000Z';

/** A complete device group with defaults; `over` replaces fields. */
export function makeDeviceGroup(tenantId: string, id: number, over: Partial<DeviceGroup> = {}): DeviceGroup {
  return {
    tenantId, id, name: `Group ${id}`, description: null, rank: id, remediationLevel: 'Full remediation',
    rule: { names: [], domains: [], tags: [`tag-${id}`], osPlatforms: [] }, createdAt: T0, ...over,
  };
}

/** The device-group cases; `shared` is a migrated store. */
export function describeDeviceGroupContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Groups', createdAt: T0 });
    return id;
  };

  describe('device groups', () => {
    it('round-trips every field and lists by rank', async () => {
      const store = shared();
      const t = await tenant(store);
      const a = makeDeviceGroup(t, 1, { rank: 2, description: 'Paris servers', remediationLevel: 'Semi - approval required for system folders', rule: { names: ['srv*'], domains: ['*.paris.example.com'], tags: ['Prod', 'PCI'], osPlatforms: ['Linux'] } });
      const b = makeDeviceGroup(t, 2, { rank: 1 });
      await store.deviceGroups.insert(a);
      await store.deviceGroups.insert(b);
      expect(await store.deviceGroups.get(t, 1)).toEqual(a);
      expect(await store.deviceGroups.list(t)).toEqual([b, a]);
      await store.deviceGroups.setRank(t, 1, 1);
      await store.deviceGroups.setRank(t, 2, 2);
      expect((await store.deviceGroups.list(t)).map((g) => g.id)).toEqual([1, 2]);
    });

    it('gives ids one after another per tenant, never one given before, even after a delete', async () => {
      const store = shared();
      const t = await tenant(store);
      const other = await tenant(store);
      expect(await store.deviceGroups.nextId(t)).toBe(1);
      expect(await store.deviceGroups.nextId(t)).toBe(2);
      expect(await store.deviceGroups.nextId(other)).toBe(1);
      await store.deviceGroups.insert(makeDeviceGroup(t, 2, { rank: 1 }));
      expect(await store.deviceGroups.delete(t, 2)).toBe(true);
      expect(await store.deviceGroups.nextId(t)).toBe(3);
      // a transaction that fails gives its id back: nothing was stamped with it
      await expect(store.tx(async (r) => {
        expect(await r.deviceGroups.nextId(t)).toBe(4);
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await store.deviceGroups.nextId(t)).toBe(4);
    });

    it('refuses a second group of the same name in any case, and deletes', async () => {
      const store = shared();
      const t = await tenant(store);
      await store.deviceGroups.insert(makeDeviceGroup(t, 1, { name: 'Finance' }));
      const dup = await store.deviceGroups.insert(makeDeviceGroup(t, 2, { name: 'FINANCE' })).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(PalisadeError);
      expect((dup as PalisadeError).code).toBe('Conflict');
      expect(await store.deviceGroups.delete(t, 1)).toBe(true);
      expect(await store.deviceGroups.delete(t, 1)).toBe(false);
      expect(await store.deviceGroups.get(t, 1)).toBeNull();
    });

    it('updates the named fields only, refusing a name another group has in any case', async () => {
      const store = shared();
      const t = await tenant(store);
      const a = makeDeviceGroup(t, 1, { name: 'Finance' });
      await store.deviceGroups.insert(a);
      await store.deviceGroups.insert(makeDeviceGroup(t, 2, { name: 'Legal' }));
      const rule = { names: ['fin-*'], domains: [], tags: [], osPlatforms: ['Linux'] };
      expect(await store.deviceGroups.update(t, 1, { name: 'Finance EU', rule, remediationLevel: 'No automated response' }))
        .toEqual({ ...a, name: 'Finance EU', rule, remediationLevel: 'No automated response' });
      expect(await store.deviceGroups.update(t, 1, { description: 'EU only' })).toEqual({ ...a, name: 'Finance EU', rule, remediationLevel: 'No automated response', description: 'EU only' });
      await expect(store.deviceGroups.update(t, 1, { name: 'LEGAL' })).rejects.toMatchObject({ code: 'Conflict' });
      expect(await store.deviceGroups.update(t, 9, { name: 'x' })).toBeNull();
      expect((await store.deviceGroups.get(t, 1))?.name).toBe('Finance EU');
    });

    it('keeps tenants apart and rolls back with a failed transaction', async () => {
      const store = shared();
      const t1 = await tenant(store);
      const t2 = await tenant(store);
      await store.deviceGroups.insert(makeDeviceGroup(t1, 1, { name: 'Same' }));
      await store.deviceGroups.insert(makeDeviceGroup(t2, 1, { name: 'Same' }));
      expect(await store.deviceGroups.delete(t2, 1)).toBe(true);
      expect(await store.deviceGroups.list(t1)).toHaveLength(1);
      await expect(store.tx(async (r) => {
        await r.deviceGroups.insert(makeDeviceGroup(t1, 2));
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect(await store.deviceGroups.get(t1, 2)).toBeNull();
    });
  });
}
