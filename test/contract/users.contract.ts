/**
 * The UserRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every field round-trips, principal names are unique per tenant regardless of
 * case, patches change only what they name, tenants stay apart, and a failed transaction leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { User } from '../../src/domain/user.ts';

const T0 = '2025-06-15T12:00:00.000Z';

/** A complete user with defaults; `over` replaces fields. */
export function makeUser(tenantId: string, upn: string, over: Partial<User> = {}): User {
  return {
    tenantId, id: randomUUID(), userPrincipalName: upn, displayName: `Name of ${upn}`, passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    totpSecret: null, totpEnabled: false, totpLastStep: null, roles: ['Tier 1'], disabled: false, createdAt: T0, lastSignInAt: null, external: null, ...over,
  };
}

/** The user cases; `shared` is a migrated store. */
export function describeUserContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Users', createdAt: T0 });
    return id;
  };

  describe('users', () => {
    it('round-trips every field, nulls included, and finds a user by id or by name in any case', async () => {
      const store = shared();
      const t = await tenant(store);
      const plain = makeUser(t, 'Alice@Contoso.com');
      const full = makeUser(t, 'bob@contoso.com', { totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, totpLastStep: 58_000_000, roles: ['Tier 2', 'Admins'], disabled: true, lastSignInAt: '2025-06-16T08:00:00.000Z' });
      await store.users.create(plain);
      await store.users.create(full);
      expect(await store.users.get(t, plain.id)).toEqual(plain);
      expect(await store.users.get(t, full.id)).toEqual(full);
      expect(await store.users.getByUpn(t, 'alice@contoso.COM')).toEqual(plain);
      expect(await store.users.getByUpn(t, 'carol@contoso.com')).toBeNull();
      expect(await store.users.get(t, randomUUID())).toBeNull();
      expect((await store.users.list(t)).map((u) => u.userPrincipalName)).toEqual(['Alice@Contoso.com', 'bob@contoso.com']);
    });

    it('keeps principal names unique per tenant regardless of case, and tenants apart', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const alice = makeUser(t, 'alice@contoso.com');
      await store.users.create(alice);
      const dup = store.users.create(makeUser(t, 'ALICE@contoso.com'));
      await expect(dup).rejects.toBeInstanceOf(PalisadeError);
      await expect(dup).rejects.toMatchObject({ code: 'Conflict' });
      await expect(store.users.create({ ...makeUser(t, 'other@contoso.com'), id: alice.id })).rejects.toMatchObject({ code: 'Conflict' });
      await store.users.create(makeUser(u, 'alice@contoso.com', { displayName: 'Theirs' }));
      expect((await store.users.getByUpn(t, 'alice@contoso.com'))?.displayName).toBe('Name of alice@contoso.com');
      expect((await store.users.getByUpn(u, 'alice@contoso.com'))?.displayName).toBe('Theirs');
      expect(await store.users.get(u, alice.id)).toBeNull();
      expect(await store.users.update(u, alice.id, { disabled: true })).toBeNull();
      expect((await store.users.get(t, alice.id))?.disabled).toBe(false);
      expect(await store.users.list(t)).toHaveLength(1);
    });

    it('applies a patch to the named fields only', async () => {
      const store = shared();
      const t = await tenant(store);
      const u = makeUser(t, 'patch@contoso.com');
      await store.users.create(u);
      const patched = await store.users.update(t, u.id, { totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, lastSignInAt: '2025-06-17T00:00:00.000Z', roles: [] });
      expect(patched).toEqual({ ...u, totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, lastSignInAt: '2025-06-17T00:00:00.000Z', roles: [] });
      expect(await store.users.update(t, u.id, {})).toEqual(patched);
      expect(await store.users.update(t, u.id, { totpSecret: null, totpEnabled: false, displayName: 'Renamed' })).toEqual({ ...patched, totpSecret: null, totpEnabled: false, displayName: 'Renamed' });
      expect(await store.users.update(t, randomUUID(), { disabled: true })).toBeNull();
    });

    it('records a TOTP step only when it comes after the last one used', async () => {
      const store = shared();
      const t = await tenant(store);
      const u = makeUser(t, 'steps@contoso.com');
      await store.users.create(u);
      expect(await store.users.useTotpStep(t, u.id, 58_000_000)).toBe(true);
      expect(await store.users.useTotpStep(t, u.id, 58_000_000)).toBe(false);
      expect(await store.users.useTotpStep(t, u.id, 57_999_999)).toBe(false);
      expect(await store.users.useTotpStep(t, u.id, 58_000_001)).toBe(true);
      expect((await store.users.get(t, u.id))?.totpLastStep).toBe(58_000_001);
      expect(await store.users.useTotpStep(t, randomUUID(), 1)).toBe(false);
      const other = await tenant(store);
      expect(await store.users.useTotpStep(other, u.id, 58_000_002)).toBe(false);
    });

    it('leaves nothing of a transaction that fails', async () => {
      const store = shared();
      const t = await tenant(store);
      await expect(store.tx(async (r) => {
        await r.users.create(makeUser(t, 'rolled@contoso.com'));
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await store.users.getByUpn(t, 'rolled@contoso.com')).toBeNull();
    });
  });
}
