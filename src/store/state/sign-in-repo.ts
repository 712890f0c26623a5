/** SignInRepo over kysely: the stored state of user sign-in (domain/sign-in.ts). */
import { sql, type Kysely } from 'kysely';
import type { SignInRepo } from '../../domain/ports.ts';
import type { AuthorizationCode, DeviceCode, DeviceCodeStatus, PendingSignIn, RefreshToken, SignInFailures, SignInGrant } from '../../domain/sign-in.ts';
import type { AuthorizationCodesTable, DeviceCodesTable, RefreshTokensTable, SignInFailuresTable, SignInRequestsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toRequest(r: SignInRequestsTable): PendingSignIn {
  return {
    tenantId: r.tenant_id, id: r.request_id, kind: r.kind as PendingSignIn['kind'], csrfHash: r.csrf_hash, browserHash: r.browser_hash,
    clientId: r.client_id, redirectUri: r.redirect_uri, responseMode: r.response_mode as PendingSignIn['responseMode'], state: r.state,
    nonce: r.nonce, scope: r.scope, codeChallenge: r.code_challenge, userCode: r.user_code, firstFactorUserId: r.first_factor_user_id,
    createdAt: r.created_at, expiresAt: r.expires_at,
  };
}

function toCode(r: AuthorizationCodesTable): AuthorizationCode {
  return {
    tenantId: r.tenant_id, codeHash: r.code_hash, grantId: r.grant_id, clientId: r.client_id, redirectUri: r.redirect_uri,
    codeChallenge: r.code_challenge, userId: r.user_id, scope: r.scope, nonce: r.nonce, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at,
  };
}

function toRefresh(r: RefreshTokensTable): RefreshToken {
  return {
    tenantId: r.tenant_id, tokenHash: r.token_hash, grantId: r.grant_id, clientId: r.client_id, userId: r.user_id, scope: r.scope,
    createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at,
  };
}

function toDeviceCode(r: DeviceCodesTable): DeviceCode {
  return {
    tenantId: r.tenant_id, deviceCodeHash: r.device_code_hash, userCode: r.user_code, clientId: r.client_id, scope: r.scope,
    status: r.status as DeviceCodeStatus, interval: Number(r.poll_interval), userId: r.user_id, grantId: r.grant_id, lastPolledAt: r.last_polled_at,
    createdAt: r.created_at, expiresAt: r.expires_at,
  };
}

function toFailures(r: SignInFailuresTable): SignInFailures {
  return { tenantId: r.tenant_id, key: r.throttle_key, failures: Number(r.failures), windowStartedAt: r.window_started_at, lockedUntil: r.locked_until };
}

/** How long after its creation a grant without refresh tokens may still have live access tokens (code or device redemption, then one hour). */
const GRANT_AFTERLIFE_MS = 2 * 3_600_000;

/** A SignInRepo on `db`. A duplicate request id, code, token or user code is a 'Conflict'. */
export function kyselySignInRepo(db: Kysely<StateDb>, dialect: StateDialect): SignInRepo {
  const codeOf = async (tenantId: string, codeHash: string) => {
    const r = await db.selectFrom('authorization_codes').selectAll().where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash).executeTakeFirst();
    return r ? toCode(r) : null;
  };
  const refreshOf = async (tenantId: string, tokenHash: string) => {
    const r = await db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toRefresh(r) : null;
  };
  const failuresOf = async (tenantId: string, key: string) => {
    const r = await db.selectFrom('sign_in_failures').selectAll().where('tenant_id', '=', tenantId).where('throttle_key', '=', key).executeTakeFirst();
    return r ? toFailures(r) : null;
  };
  return {
    async putRequest(r) {
      await conflictAware(dialect, 'Sign-in request', () => db.insertInto('sign_in_requests').values({
        tenant_id: r.tenantId, request_id: r.id, kind: r.kind, csrf_hash: r.csrfHash, browser_hash: r.browserHash, client_id: r.clientId,
        redirect_uri: r.redirectUri, response_mode: r.responseMode, state: r.state, nonce: r.nonce, scope: r.scope, code_challenge: r.codeChallenge,
        user_code: r.userCode, first_factor_user_id: r.firstFactorUserId, created_at: r.createdAt, expires_at: r.expiresAt,
      }).execute());
    },
    async getRequest(tenantId, id) {
      const r = await db.selectFrom('sign_in_requests').selectAll().where('tenant_id', '=', tenantId).where('request_id', '=', id).executeTakeFirst();
      return r ? toRequest(r) : null;
    },
    async updateRequest(tenantId, id, patch) {
      const set: Partial<SignInRequestsTable> = {};
      if (patch.firstFactorUserId !== undefined) set.first_factor_user_id = patch.firstFactorUserId;
      if (patch.userCode !== undefined) set.user_code = patch.userCode;
      if (Object.keys(set).length === 0) return;
      await db.updateTable('sign_in_requests').set(set).where('tenant_id', '=', tenantId).where('request_id', '=', id).execute();
    },
    async takeRequest(tenantId, id) {
      const r = await db.deleteFrom('sign_in_requests').where('tenant_id', '=', tenantId).where('request_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async putGrant(g) {
      await conflictAware(dialect, 'Grant', () => db.insertInto('sign_in_grants').values({
        tenant_id: g.tenantId, grant_id: g.id, user_id: g.userId, client_id: g.clientId, created_at: g.createdAt, revoked_at: g.revokedAt,
      }).execute());
    },
    async getGrant(tenantId, id) {
      const r = await db.selectFrom('sign_in_grants').selectAll().where('tenant_id', '=', tenantId).where('grant_id', '=', id).executeTakeFirst();
      return r ? { tenantId: r.tenant_id, id: r.grant_id, userId: r.user_id, clientId: r.client_id, createdAt: r.created_at, revokedAt: r.revoked_at } satisfies SignInGrant : null;
    },
    async revokeGrant(tenantId, id, at) {
      await db.updateTable('sign_in_grants').set({ revoked_at: at }).where('tenant_id', '=', tenantId).where('grant_id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revokeUserGrants(tenantId, userId, at) {
      const r = await db.updateTable('sign_in_grants').set({ revoked_at: at }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async putCode(c) {
      await conflictAware(dialect, 'Authorization code', () => db.insertInto('authorization_codes').values({
        tenant_id: c.tenantId, code_hash: c.codeHash, grant_id: c.grantId, client_id: c.clientId, redirect_uri: c.redirectUri, code_challenge: c.codeChallenge,
        user_id: c.userId, scope: c.scope, nonce: c.nonce, created_at: c.createdAt, expires_at: c.expiresAt, used_at: c.usedAt,
      }).execute());
    },
    async useCode(tenantId, codeHash, at) {
      const r = await db.updateTable('authorization_codes').set({ used_at: at })
        .where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
      const code = await codeOf(tenantId, codeHash);
      return code ? { code, first: Number(r.numUpdatedRows) === 1 } : null;
    },
    async putRefreshToken(t) {
      await conflictAware(dialect, 'Refresh token', () => db.insertInto('refresh_tokens').values({
        tenant_id: t.tenantId, token_hash: t.tokenHash, grant_id: t.grantId, client_id: t.clientId, user_id: t.userId, scope: t.scope,
        created_at: t.createdAt, expires_at: t.expiresAt, used_at: t.usedAt,
      }).execute());
    },
    async useRefreshToken(tenantId, tokenHash, at) {
      const r = await db.updateTable('refresh_tokens').set({ used_at: at })
        .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
      const token = await refreshOf(tenantId, tokenHash);
      return token ? { token, first: Number(r.numUpdatedRows) === 1 } : null;
    },
    async putDeviceCode(d) {
      await conflictAware(dialect, 'Device code', () => db.insertInto('device_codes').values({
        tenant_id: d.tenantId, device_code_hash: d.deviceCodeHash, user_code: d.userCode, client_id: d.clientId, scope: d.scope, status: d.status,
        poll_interval: d.interval, user_id: d.userId, grant_id: d.grantId, last_polled_at: d.lastPolledAt, created_at: d.createdAt, expires_at: d.expiresAt,
      }).execute());
    },
    async deviceCodeByHash(tenantId, hash) {
      const r = await db.selectFrom('device_codes').selectAll().where('tenant_id', '=', tenantId).where('device_code_hash', '=', hash).executeTakeFirst();
      return r ? toDeviceCode(r) : null;
    },
    async deviceCodeByUserCode(tenantId, userCode) {
      const r = await db.selectFrom('device_codes').selectAll().where('tenant_id', '=', tenantId).where('user_code', '=', userCode).executeTakeFirst();
      return r ? toDeviceCode(r) : null;
    },
    async transitionDeviceCode(tenantId, hash, from, patch) {
      const set: Partial<DeviceCodesTable> = { status: patch.status };
      if (patch.userId !== undefined) set.user_id = patch.userId;
      if (patch.grantId !== undefined) set.grant_id = patch.grantId;
      const r = await db.updateTable('device_codes').set(set)
        .where('tenant_id', '=', tenantId).where('device_code_hash', '=', hash).where('status', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async pollDeviceCode(tenantId, hash, at, interval) {
      return db.transaction().execute(async (trx) => {
        const r = await trx.selectFrom('device_codes').select('last_polled_at').where('tenant_id', '=', tenantId).where('device_code_hash', '=', hash).executeTakeFirst();
        await trx.updateTable('device_codes').set({ last_polled_at: at, poll_interval: interval }).where('tenant_id', '=', tenantId).where('device_code_hash', '=', hash).execute();
        return r?.last_polled_at ?? null;
      });
    },
    async recordFailure(tenantId, key, at, windowStart) {
      await db.insertInto('sign_in_failures').values({ tenant_id: tenantId, throttle_key: key, failures: 1, window_started_at: at, locked_until: null })
        .onConflict((oc) => oc.columns(['tenant_id', 'throttle_key']).doUpdateSet({
          failures: sql<number>`case when sign_in_failures.window_started_at < ${windowStart} then 1 else sign_in_failures.failures + 1 end`,
          window_started_at: sql<string>`case when sign_in_failures.window_started_at < ${windowStart} then ${at} else sign_in_failures.window_started_at end`,
        })).execute();
      return (await failuresOf(tenantId, key))!;
    },
    async lock(tenantId, key, until) {
      await db.updateTable('sign_in_failures').set({ locked_until: until }).where('tenant_id', '=', tenantId).where('throttle_key', '=', key).execute();
    },
    async failures(tenantId, keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('sign_in_failures').selectAll().where('tenant_id', '=', tenantId).where('throttle_key', 'in', [...keys]).execute();
      return rows.map(toFailures);
    },
    async clearFailures(tenantId, key) {
      await db.deleteFrom('sign_in_failures').where('tenant_id', '=', tenantId).where('throttle_key', '=', key).execute();
    },
    async purgeExpired(before) {
      await db.deleteFrom('sign_in_requests').where('expires_at', '<', before).execute();
      await db.deleteFrom('authorization_codes').where('expires_at', '<', before).execute();
      await db.deleteFrom('device_codes').where('expires_at', '<', before).execute();
      await db.deleteFrom('refresh_tokens').where('expires_at', '<', before).execute();
      // a grant outlives its last token: none of its refresh tokens is left, and its access tokens (one hour) have expired
      const grantsBefore = new Date(Date.parse(before) - GRANT_AFTERLIFE_MS).toISOString();
      await db.deleteFrom('sign_in_grants').where('created_at', '<', grantsBefore)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('refresh_tokens').select('refresh_tokens.grant_id')
          .whereRef('refresh_tokens.tenant_id', '=', 'sign_in_grants.tenant_id').whereRef('refresh_tokens.grant_id', '=', 'sign_in_grants.grant_id'))))
        .execute();
      await db.deleteFrom('sign_in_failures').where('window_started_at', '<', before).where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)])).execute();
    },
  };
}
