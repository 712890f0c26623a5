/**
 * The SignInRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): pending requests, grants, codes, refresh tokens and device codes round-trip and
 * are used once (compare-and-set), failure counters count within a window, expired state is purged,
 * and tenants stay apart.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/domain/ports.ts';
import type { AuthorizationCode, DeviceCode, PendingSignIn, RefreshToken } from '../../src/domain/sign-in.ts';

const T0 = '2026-06-15T12:00:00.000Z';
const LATER = '2026-06-15T12:10:00.000Z';

/** The sign-in cases; `shared` is a migrated store. */
export function describeSignInContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Sign-in', createdAt: T0 });
    return id;
  };

  describe('sign-in state', () => {
    it('round-trips a pending request, patches it, and lets one call take it', async () => {
      const store = shared();
      const t = await tenant(store);
      const p: PendingSignIn = {
        tenantId: t, id: randomUUID(), kind: 'authorize', csrfHash: 'a'.repeat(64), browserHash: 'b'.repeat(64), clientId: randomUUID(),
        redirectUri: 'http://127.0.0.1/cb', responseMode: 'query', state: 's', nonce: 'n', scope: 'openid', codeChallenge: 'c'.repeat(43),
        userCode: null, firstFactorUserId: null, createdAt: T0, expiresAt: LATER,
      };
      await store.signIns.putRequest(p);
      expect(await store.signIns.getRequest(t, p.id)).toEqual(p);
      await store.signIns.updateRequest(t, p.id, { firstFactorUserId: 'u1' });
      expect((await store.signIns.getRequest(t, p.id))?.firstFactorUserId).toBe('u1');
      expect(await store.signIns.getRequest(await tenant(store), p.id)).toBeNull();
      const [first, second] = await Promise.all([store.signIns.takeRequest(t, p.id), store.signIns.takeRequest(t, p.id)]);
      expect([first, second].sort()).toEqual([false, true]);
      expect(await store.signIns.getRequest(t, p.id)).toBeNull();
    });

    it('uses a code and a refresh token once, and revokes grants by id and by user', async () => {
      const store = shared();
      const t = await tenant(store);
      const grantId = randomUUID();
      await store.signIns.putGrant({ tenantId: t, id: grantId, userId: 'u1', clientId: 'c', createdAt: T0, revokedAt: null });
      const other = randomUUID();
      await store.signIns.putGrant({ tenantId: t, id: other, userId: 'u1', clientId: 'c', createdAt: T0, revokedAt: null });
      const code: AuthorizationCode = {
        tenantId: t, codeHash: 'c'.repeat(64), grantId, clientId: 'c', redirectUri: 'http://127.0.0.1/cb', codeChallenge: null, userId: 'u1',
        scope: 'openid', nonce: null, createdAt: T0, expiresAt: LATER, usedAt: null,
      };
      await store.signIns.putCode(code);
      await expect(store.signIns.putCode(code)).rejects.toMatchObject({ code: 'Conflict' });
      expect(await store.signIns.useCode(t, code.codeHash, T0)).toEqual({ code: { ...code, usedAt: T0 }, first: true });
      expect(await store.signIns.useCode(t, code.codeHash, LATER)).toEqual({ code: { ...code, usedAt: T0 }, first: false });
      expect(await store.signIns.useCode(t, 'd'.repeat(64), T0)).toBeNull();
      expect(await store.signIns.useCode(await tenant(store), code.codeHash, T0)).toBeNull();
      const rt: RefreshToken = { tenantId: t, tokenHash: 'r'.repeat(64), grantId, clientId: 'c', userId: 'u1', scope: 'openid offline_access', createdAt: T0, expiresAt: LATER, usedAt: null };
      await store.signIns.putRefreshToken(rt);
      const uses = await Promise.all([store.signIns.useRefreshToken(t, rt.tokenHash, T0), store.signIns.useRefreshToken(t, rt.tokenHash, T0)]);
      expect(uses.map((u) => u?.first).sort()).toEqual([false, true]);
      await store.signIns.revokeGrant(t, grantId, LATER);
      expect((await store.signIns.getGrant(t, grantId))?.revokedAt).toBe(LATER);
      expect((await store.signIns.getGrant(t, other))?.revokedAt).toBeNull();
      expect(await store.signIns.revokeUserGrants(t, 'u1', LATER)).toBe(1);
      expect((await store.signIns.getGrant(t, other))?.revokedAt).toBe(LATER);
    });

    it('moves a device code through its states with compare-and-set, keeps user codes unique per tenant, and records polls', async () => {
      const store = shared();
      const t = await tenant(store);
      const d: DeviceCode = {
        tenantId: t, deviceCodeHash: 'd'.repeat(64), userCode: 'BCDFGHJK', clientId: 'c', scope: 'openid', status: 'pending', interval: 5,
        userId: null, grantId: null, lastPolledAt: null, createdAt: T0, expiresAt: LATER,
      };
      await store.signIns.putDeviceCode(d);
      await expect(store.signIns.putDeviceCode({ ...d, deviceCodeHash: 'e'.repeat(64) })).rejects.toMatchObject({ code: 'Conflict' });
      await store.signIns.putDeviceCode({ ...d, tenantId: await tenant(store) });
      expect(await store.signIns.deviceCodeByUserCode(t, 'BCDFGHJK')).toEqual(d);
      expect(await store.signIns.pollDeviceCode(t, d.deviceCodeHash, T0, 5)).toBeNull();
      expect(await store.signIns.pollDeviceCode(t, d.deviceCodeHash, LATER, 10)).toBe(T0);
      expect((await store.signIns.deviceCodeByHash(t, d.deviceCodeHash))?.interval).toBe(10);
      expect(await store.signIns.transitionDeviceCode(t, d.deviceCodeHash, 'approved', { status: 'redeemed' })).toBe(false);
      expect(await store.signIns.transitionDeviceCode(t, d.deviceCodeHash, 'pending', { status: 'approved', userId: 'u1', grantId: 'g1' })).toBe(true);
      expect(await store.signIns.transitionDeviceCode(t, d.deviceCodeHash, 'pending', { status: 'denied' })).toBe(false);
      expect(await store.signIns.deviceCodeByHash(t, d.deviceCodeHash)).toMatchObject({ status: 'approved', userId: 'u1', grantId: 'g1', lastPolledAt: LATER });
    });

    it('counts failures within a window, locks, clears, and purges what expired', async () => {
      const store = shared();
      const t = await tenant(store);
      expect((await store.signIns.recordFailure(t, 'account:a', T0, '2026-06-15T11:45:00.000Z')).failures).toBe(1);
      expect((await store.signIns.recordFailure(t, 'account:a', T0, '2026-06-15T11:45:00.000Z')).failures).toBe(2);
      // a window that began before the cutoff starts again
      expect(await store.signIns.recordFailure(t, 'account:a', LATER, LATER)).toMatchObject({ failures: 1, windowStartedAt: LATER });
      await store.signIns.lock(t, 'account:a', '2026-06-15T12:20:00.000Z');
      expect(await store.signIns.failures(t, ['account:a', 'address:x'])).toEqual([{ tenantId: t, key: 'account:a', failures: 1, windowStartedAt: LATER, lockedUntil: '2026-06-15T12:20:00.000Z' }]);
      expect(await store.signIns.failures(await tenant(store), ['account:a'])).toEqual([]);
      await store.signIns.clearFailures(t, 'account:a');
      expect(await store.signIns.failures(t, ['account:a'])).toEqual([]);
      const code: AuthorizationCode = {
        tenantId: t, codeHash: 'f'.repeat(64), grantId: 'g', clientId: 'c', redirectUri: 'x', codeChallenge: null, userId: 'u', scope: '', nonce: null,
        createdAt: T0, expiresAt: T0, usedAt: null,
      };
      await store.signIns.putCode(code);
      await store.signIns.recordFailure(t, 'address:y', T0, T0);
      await store.signIns.purgeExpired(LATER);
      expect(await store.signIns.useCode(t, code.codeHash, LATER)).toBeNull();
      expect(await store.signIns.failures(t, ['address:y'])).toEqual([]);
      // grants: kept while young or while a refresh token refers to one, dropped after
      const grant = (id: string) => ({ tenantId: t, id, userId: 'u', clientId: 'c', createdAt: T0, revokedAt: null });
      await store.signIns.putGrant(grant('g-old'));
      await store.signIns.putGrant(grant('g-refreshed'));
      await store.signIns.putRefreshToken({ tenantId: t, tokenHash: 'q'.repeat(64), grantId: 'g-refreshed', clientId: 'c', userId: 'u', scope: '', createdAt: T0, expiresAt: '2026-09-01T00:00:00.000Z', usedAt: null });
      await store.signIns.purgeExpired('2026-06-15T13:30:00.000Z');
      expect(await store.signIns.getGrant(t, 'g-old')).not.toBeNull();
      await store.signIns.purgeExpired('2026-06-15T14:30:00.000Z');
      expect(await store.signIns.getGrant(t, 'g-old')).toBeNull();
      expect(await store.signIns.getGrant(t, 'g-refreshed')).not.toBeNull();
    });
  });
}
