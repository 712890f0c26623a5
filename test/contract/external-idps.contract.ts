/**
 * The ExternalIdpRepo and FederationRequestRepo part of the StateStore contract, and the users linked
 * to a provider identity (state-store.contract.ts calls it inside each adapter's suite): every field
 * round-trips, a patch changes what it names, names are unique per tenant regardless of case, tenants stay apart, a pending sign-in
 * is taken once and never after it expires, and a user from a provider has no password.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExternalIdp } from '../../src/domain/external-idp.ts';
import type { FederationRequest, StateStore } from '../../src/domain/ports.ts';
import { makeUser } from './users.contract.ts';

const T0 = '2025-06-15T12:00:00.000Z';

/** A complete provider with defaults; `over` replaces fields. */
export function makeIdp(tenantId: string, name: string, over: Partial<ExternalIdp> = {}): ExternalIdp {
  return {
    tenantId, id: randomUUID(), name, issuer: 'https://login.example.com/realms/corp', clientId: 'palisade', clientSecret: 's3cret',
    scopes: ['openid', 'profile', 'email'], rolesClaim: 'groups', roleMapping: { 'secops-tier1': ['Tier 1'], admins: ['Tier 1', 'Admins'] },
    jitProvisioning: true, disabled: false, createdAt: T0, ...over,
  };
}

function request(tenantId: string, idpId: string, over: Partial<FederationRequest> = {}): FederationRequest {
  return {
    stateHash: randomUUID().replace(/-/g, ''), tenantId, idpId, browserHash: 'b'.repeat(64), nonce: 'n-1', codeVerifier: 'v-1',
    redirectUri: 'https://palisade.example/t/oauth2/v2.0/federation/callback', pendingRequest: 'p-1', expiresAt: '2025-06-15T12:10:00.000Z', ...over,
  };
}

/** The provider cases; `shared` is a migrated store. */
export function describeExternalIdpContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Federation', createdAt: T0 });
    return id;
  };

  describe('external identity providers', () => {
    it('round-trips every field, finds a provider by id or by name in any case, and lists by name', async () => {
      const store = shared();
      const t = await tenant(store);
      const keycloak = makeIdp(t, 'Keycloak');
      const entra = makeIdp(t, 'entra', { clientSecret: null, scopes: ['openid'], rolesClaim: 'roles', roleMapping: {}, jitProvisioning: false, issuer: 'http://127.0.0.1:8080' });
      await store.externalIdps.create(keycloak);
      await store.externalIdps.create(entra);
      expect(await store.externalIdps.get(t, keycloak.id)).toEqual(keycloak);
      expect(await store.externalIdps.get(t, entra.id)).toEqual(entra);
      expect(await store.externalIdps.getByName(t, 'KEYCLOAK')).toEqual(keycloak);
      expect(await store.externalIdps.getByName(t, 'okta')).toBeNull();
      expect((await store.externalIdps.list(t)).map((i) => i.name)).toEqual(['entra', 'Keycloak']);
    });

    it('updates the fields a patch names (a name taken in any case is a Conflict), only in the provider\'s tenant', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const idp = makeIdp(t, 'Corp');
      await store.externalIdps.create(idp);
      await store.externalIdps.create(makeIdp(t, 'Other'));
      const patch = { name: 'Contoso', clientId: 'c2', clientSecret: null, scopes: ['openid', 'groups'], rolesClaim: 'roles', roleMapping: { x: ['Y'] }, jitProvisioning: false, disabled: true };
      expect(await store.externalIdps.update(t, idp.id, patch)).toEqual({ ...idp, ...patch });
      expect(await store.externalIdps.getByName(t, 'contoso')).toEqual({ ...idp, ...patch });
      expect(await store.externalIdps.update(t, idp.id, {})).toEqual({ ...idp, ...patch });
      await expect(store.externalIdps.update(t, idp.id, { name: 'OTHER' })).rejects.toMatchObject({ code: 'Conflict' });
      expect(await store.externalIdps.update(u, idp.id, { disabled: false })).toBeNull();
      expect((await store.externalIdps.update(t, idp.id, { disabled: false, clientSecret: 'again' }))).toMatchObject({ disabled: false, clientSecret: 'again', name: 'Contoso' });
    });

    it('keeps names unique per tenant regardless of case, tenants apart, and deletes with pending sign-ins', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const idp = makeIdp(t, 'Corp');
      await store.externalIdps.create(idp);
      await expect(store.externalIdps.create(makeIdp(t, 'CORP'))).rejects.toMatchObject({ code: 'Conflict' });
      await store.externalIdps.create(makeIdp(u, 'corp', { clientId: 'theirs' }));
      expect(await store.externalIdps.get(u, idp.id)).toBeNull();
      expect((await store.externalIdps.getByName(u, 'Corp'))?.clientId).toBe('theirs');
      expect(await store.externalIdps.delete(u, idp.id)).toBe(false);
      const pending = request(t, idp.id);
      await store.federationRequests.create(pending);
      expect(await store.externalIdps.delete(t, idp.id)).toBe(true);
      expect(await store.externalIdps.get(t, idp.id)).toBeNull();
      expect(await store.federationRequests.take(t, pending.stateHash, T0)).toBeNull();
      expect(await store.externalIdps.list(u)).toHaveLength(1);
    });

    it('gives a pending sign-in once, only to its tenant and only before it expires; purges expired ones', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const idp = makeIdp(t, 'Corp');
      await store.externalIdps.create(idp);
      const r = request(t, idp.id);
      await store.federationRequests.create(r);
      expect(await store.federationRequests.take(u, r.stateHash, T0)).toBeNull();
      expect(await store.federationRequests.take(t, r.stateHash, T0)).toEqual(r);
      expect(await store.federationRequests.take(t, r.stateHash, T0)).toBeNull();
      const late = request(t, idp.id);
      await store.federationRequests.create(late);
      expect(await store.federationRequests.take(t, late.stateHash, late.expiresAt)).toBeNull();
      await store.federationRequests.create(request(t, idp.id, { expiresAt: '2025-06-15T12:01:00.000Z' }));
      const kept = request(t, idp.id, { expiresAt: '2025-06-15T13:00:00.000Z' });
      await store.federationRequests.create(kept);
      expect(await store.federationRequests.purgeExpired('2025-06-15T12:30:00.000Z')).toBeGreaterThanOrEqual(1);
      expect(await store.federationRequests.take(t, kept.stateHash, T0)).toEqual(kept);
    });

    it('stores users from a provider without a password, finds them by issuer and subject, one per identity', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      const identity = { issuer: 'https://login.example.com/realms/corp', subject: 'f:1234' };
      const fed = makeUser(t, 'dana@corp.example', { passwordHash: null, external: identity });
      await store.users.create(fed);
      expect(await store.users.get(t, fed.id)).toEqual(fed);
      expect(await store.users.getByExternal(t, identity)).toEqual(fed);
      expect(await store.users.getByExternal(t, { ...identity, subject: 'f:9999' })).toBeNull();
      expect(await store.users.getByExternal(u, identity)).toBeNull();
      await expect(store.users.create(makeUser(t, 'other@corp.example', { passwordHash: null, external: identity }))).rejects.toMatchObject({ code: 'Conflict' });
      await store.users.create(makeUser(u, 'dana@corp.example', { passwordHash: null, external: identity }));
      const local = makeUser(t, 'erin@corp.example');
      await store.users.create(local);
      expect((await store.users.get(t, local.id))?.external).toBeNull();
      expect(await store.users.update(t, fed.id, { roles: ['Admins'] })).toEqual({ ...fed, roles: ['Admins'] });
      // a user created for the provider before its first sign-in: the issuer without a subject, bound later
      const reserved = makeUser(t, 'gail@corp.example', { passwordHash: null, external: { issuer: identity.issuer, subject: null } });
      const another = makeUser(t, 'hal@corp.example', { passwordHash: null, external: { issuer: identity.issuer, subject: null } });
      await store.users.create(reserved);
      await store.users.create(another);
      expect(await store.users.get(t, reserved.id)).toEqual(reserved);
      const bound = { issuer: identity.issuer, subject: 'f:5678' };
      expect(await store.users.update(t, reserved.id, { external: bound })).toEqual({ ...reserved, external: bound });
      expect(await store.users.getByExternal(t, bound)).toEqual({ ...reserved, external: bound });
    });
  });
}
