/**
 * The SavedQueryRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every field round-trips, an owner sees their own queries and the shared ones,
 * names are unique per owner regardless of case (two owners may use one name), patches change only
 * what they name, and tenants stay apart.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { SavedQuery } from '../../src/domain/saved-query.ts';

const T0 = '2025-06-15T12:00:00.000Z';

function makeQuery(tenantId: string, ownerId: string, name: string, over: Partial<SavedQuery> = {}): SavedQuery {
  return {
    tenantId, id: randomUUID(), name, query: 'DeviceInfo | take 1', shared: false, ownerId, ownerName: `${ownerId}@contoso.com`,
    createdAt: T0, updatedAt: T0, ...over,
  };
}

/** The saved-query cases; `shared` is a migrated store. */
export function describeSavedQueryContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Saved queries', createdAt: T0 });
    return id;
  };

  describe('saved queries', () => {
    it('round-trips every field; an owner sees their own and the shared ones, by name', async () => {
      const store = shared();
      const t = await tenant(store);
      const mine = makeQuery(t, 'alice', 'beta hunt', { query: 'DeviceProcessEvents\n| where FileName =~ "ünïcode.exe"\n| take 10' });
      const hers = makeQuery(t, 'bob', 'Alpha shared', { shared: true });
      const bobsOwn = makeQuery(t, 'bob', 'private bob');
      for (const q of [mine, hers, bobsOwn]) await store.savedQueries.insert(q);
      expect(await store.savedQueries.get(t, mine.id)).toEqual(mine);
      expect((await store.savedQueries.listVisible(t, 'alice')).map((q) => q.name)).toEqual(['Alpha shared', 'beta hunt']);
      expect((await store.savedQueries.listVisible(t, 'bob')).map((q) => q.name)).toEqual(['Alpha shared', 'private bob']);
      expect(await store.savedQueries.countOwned(t, 'bob')).toBe(2);
      expect(await store.savedQueries.countOwned(t, 'carol')).toBe(0);
    });

    it('keeps names unique per owner regardless of case, also when renaming; two owners may share a name', async () => {
      const store = shared();
      const t = await tenant(store);
      const first = makeQuery(t, 'alice', 'Lateral movement');
      await store.savedQueries.insert(first);
      await expect(store.savedQueries.insert(makeQuery(t, 'alice', 'LATERAL MOVEMENT'))).rejects.toSatisfy((e) => e instanceof PalisadeError && e.code === 'Conflict');
      await store.savedQueries.insert(makeQuery(t, 'bob', 'Lateral movement'));
      const second = makeQuery(t, 'alice', 'Other');
      await store.savedQueries.insert(second);
      await expect(store.savedQueries.update(t, second.id, { name: 'lateral movement' })).rejects.toSatisfy((e) => e instanceof PalisadeError && e.code === 'Conflict');
      expect((await store.savedQueries.get(t, second.id))?.name).toBe('Other');
    });

    it('changes only what a patch names; an unknown id gives null and false', async () => {
      const store = shared();
      const t = await tenant(store);
      const q = makeQuery(t, 'alice', 'q');
      await store.savedQueries.insert(q);
      const changed = await store.savedQueries.update(t, q.id, { shared: true, updatedAt: '2025-06-16T00:00:00.000Z' });
      expect(changed).toEqual({ ...q, shared: true, updatedAt: '2025-06-16T00:00:00.000Z' });
      expect(await store.savedQueries.update(t, randomUUID(), { name: 'x' })).toBeNull();
      expect(await store.savedQueries.delete(t, q.id)).toBe(true);
      expect(await store.savedQueries.delete(t, q.id)).toBe(false);
      expect(await store.savedQueries.get(t, q.id)).toBeNull();
    });

    it('keeps tenants apart', async () => {
      const store = shared();
      const a = await tenant(store);
      const b = await tenant(store);
      const q = makeQuery(a, 'alice', 'shared one', { shared: true });
      await store.savedQueries.insert(q);
      expect(await store.savedQueries.get(b, q.id)).toBeNull();
      expect(await store.savedQueries.listVisible(b, 'alice')).toEqual([]);
      expect(await store.savedQueries.update(b, q.id, { name: 'taken over' })).toBeNull();
      expect(await store.savedQueries.delete(b, q.id)).toBe(false);
      expect(await store.savedQueries.get(a, q.id)).toEqual(q);
    });
  });
}
