/**
 * The RoleRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every field round-trips, names are unique per tenant regardless of case (also
 * when renaming), patches change only what they name, tenants stay apart, and a failed transaction
 * leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { Role } from '../../src/domain/role.ts';

const T0 = '2025-06-15T12:00:00.000Z';

/** A complete stored role with defaults; `over` replaces fields. */
export function makeRole(tenantId: string, name: string, over: Partial<Role> = {}): Role {
  return {
    tenantId, id: randomUUID(), name, description: null, permissions: ['viewData.securityOperations'],
    deviceGroups: [1], builtIn: false, createdAt: T0, ...over,
  };
}

/** The role cases; `shared` is a migrated store. */
export function describeRoleContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Roles', createdAt: T0 });
    return id;
  };

  describe('roles', () => {
    it('round-trips every field and finds a role by id or by name in any case', async () => {
      const store = shared();
      const t = await tenant(store);
      const tier1 = makeRole(t, 'Tier 1', { description: 'Triage', permissions: ['viewData.securityOperations', 'alertsInvestigation'], deviceGroups: [0, 2, 7] });
      const all = makeRole(t, 'auditors', { permissions: [], deviceGroups: 'all' });
      await store.roles.insert(tier1);
      await store.roles.insert(all);
      expect(await store.roles.get(t, tier1.id)).toEqual(tier1);
      expect(await store.roles.get(t, all.id)).toEqual(all);
      expect(await store.roles.getByName(t, ' TIER 1 ')).toEqual(tier1);
      expect(await store.roles.getByName(t, 'Tier 2')).toBeNull();
      expect(await store.roles.get(t, randomUUID())).toBeNull();
      expect((await store.roles.list(t)).map((r) => r.name)).toEqual(['auditors', 'Tier 1']);
    });

    it('keeps names unique per tenant regardless of case, on insert and on rename, and tenants apart', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const a = makeRole(t, 'Responders');
      const b = makeRole(t, 'Hunters');
      await store.roles.insert(a);
      await store.roles.insert(b);
      const dup = store.roles.insert(makeRole(t, 'RESPONDERS'));
      await expect(dup).rejects.toBeInstanceOf(PalisadeError);
      await expect(dup).rejects.toMatchObject({ code: 'Conflict' });
      await expect(store.roles.update(t, b.id, { name: 'responders' })).rejects.toMatchObject({ code: 'Conflict' });
      await expect(store.roles.insert({ ...makeRole(t, 'Other'), id: a.id })).rejects.toMatchObject({ code: 'Conflict' });
      await store.roles.insert(makeRole(u, 'Responders', { description: 'Theirs' }));
      expect((await store.roles.getByName(t, 'responders'))?.description).toBeNull();
      expect((await store.roles.getByName(u, 'responders'))?.description).toBe('Theirs');
      expect(await store.roles.get(u, a.id)).toBeNull();
      expect(await store.roles.update(u, a.id, { description: 'x' })).toBeNull();
      expect(await store.roles.delete(u, a.id)).toBe(false);
      expect(await store.roles.list(t)).toHaveLength(2);
    });

    it('applies a patch to the named fields only, renames, and deletes', async () => {
      const store = shared();
      const t = await tenant(store);
      const r = makeRole(t, 'Patch me');
      await store.roles.insert(r);
      const patched = await store.roles.update(t, r.id, { name: 'Patched', deviceGroups: 'all', permissions: ['activeRemediation'] });
      expect(patched).toEqual({ ...r, name: 'Patched', deviceGroups: 'all', permissions: ['activeRemediation'] });
      expect(await store.roles.getByName(t, 'patch me')).toBeNull();
      expect(await store.roles.getByName(t, 'PATCHED')).toEqual(patched);
      expect(await store.roles.update(t, r.id, {})).toEqual(patched);
      expect(await store.roles.update(t, r.id, { description: 'Now described', deviceGroups: [] })).toEqual({ ...patched, description: 'Now described', deviceGroups: [] });
      expect(await store.roles.update(t, randomUUID(), { description: 'x' })).toBeNull();
      expect(await store.roles.delete(t, r.id)).toBe(true);
      expect(await store.roles.delete(t, r.id)).toBe(false);
      expect(await store.roles.get(t, r.id)).toBeNull();
    });

    it('leaves nothing of a transaction that fails', async () => {
      const store = shared();
      const t = await tenant(store);
      await expect(store.tx(async (r) => {
        await r.roles.insert(makeRole(t, 'Rolled back'));
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await store.roles.getByName(t, 'rolled back')).toBeNull();
    });
  });
}
