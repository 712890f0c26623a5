/** ExternalIdpRepo and FederationRequestRepo over kysely: a tenant's OpenID Connect providers and the sign-ins sent to them. */
import type { Kysely } from 'kysely';
import type { ExternalIdp } from '../../domain/external-idp.ts';
import type { ExternalIdpRepo, FederationRequest, FederationRequestRepo } from '../../domain/ports.ts';
import type { ExternalIdpsTable, FederationRequestsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toIdp(r: ExternalIdpsTable): ExternalIdp {
  return {
    tenantId: r.tenant_id,
    id: r.idp_id,
    name: r.name,
    issuer: r.issuer,
    clientId: r.client_id,
    clientSecret: r.client_secret,
    scopes: JSON.parse(r.scopes) as string[],
    rolesClaim: r.roles_claim,
    roleMapping: JSON.parse(r.role_mapping) as Record<string, string[]>,
    jitProvisioning: Number(r.jit_provisioning) === 1,
    disabled: Number(r.disabled) === 1,
    createdAt: r.created_at,
  };
}

function toRequest(r: FederationRequestsTable): FederationRequest {
  return {
    stateHash: r.state_hash, tenantId: r.tenant_id, idpId: r.idp_id, browserHash: r.browser_hash, nonce: r.nonce,
    codeVerifier: r.code_verifier, redirectUri: r.redirect_uri, pendingRequest: r.pending_request, expiresAt: r.expires_at,
  };
}

/** An ExternalIdpRepo on `db`; list order is the lower-cased name. A duplicate id or name is a 'Conflict'. */
export function kyselyExternalIdpRepo(db: Kysely<StateDb>, dialect: StateDialect): ExternalIdpRepo {
  return {
    async create(idp) {
      await conflictAware(dialect, `Identity provider ${idp.name}`, () => db.insertInto('external_idps').values({
        tenant_id: idp.tenantId, idp_id: idp.id, name: idp.name, name_key: idp.name.toLowerCase(), issuer: idp.issuer,
        client_id: idp.clientId, client_secret: idp.clientSecret, scopes: JSON.stringify(idp.scopes), roles_claim: idp.rolesClaim,
        role_mapping: JSON.stringify(idp.roleMapping), jit_provisioning: idp.jitProvisioning ? 1 : 0, disabled: idp.disabled ? 1 : 0, created_at: idp.createdAt,
      }).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('external_idps').selectAll().where('tenant_id', '=', tenantId).where('idp_id', '=', id).executeTakeFirst();
      return r ? toIdp(r) : null;
    },
    async getByName(tenantId, name) {
      const r = await db.selectFrom('external_idps').selectAll().where('tenant_id', '=', tenantId).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
      return r ? toIdp(r) : null;
    },
    async list(tenantId) {
      return (await db.selectFrom('external_idps').selectAll().where('tenant_id', '=', tenantId).orderBy('name_key').execute()).map(toIdp);
    },
    async update(tenantId, id, patch) {
      const set: Partial<ExternalIdpsTable> = {};
      if (patch.name !== undefined) Object.assign(set, { name: patch.name, name_key: patch.name.toLowerCase() });
      if (patch.issuer !== undefined) set.issuer = patch.issuer;
      if (patch.clientId !== undefined) set.client_id = patch.clientId;
      if (patch.clientSecret !== undefined) set.client_secret = patch.clientSecret;
      if (patch.scopes !== undefined) set.scopes = JSON.stringify(patch.scopes);
      if (patch.rolesClaim !== undefined) set.roles_claim = patch.rolesClaim;
      if (patch.roleMapping !== undefined) set.role_mapping = JSON.stringify(patch.roleMapping);
      if (patch.jitProvisioning !== undefined) set.jit_provisioning = patch.jitProvisioning ? 1 : 0;
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (Object.keys(set).length > 0) {
        await conflictAware(dialect, `Identity provider ${patch.name ?? id}`, () =>
          db.updateTable('external_idps').set(set).where('tenant_id', '=', tenantId).where('idp_id', '=', id).execute());
      }
      const r = await db.selectFrom('external_idps').selectAll().where('tenant_id', '=', tenantId).where('idp_id', '=', id).executeTakeFirst();
      return r ? toIdp(r) : null;
    },
    async delete(tenantId, id) {
      await db.deleteFrom('federation_requests').where('tenant_id', '=', tenantId).where('idp_id', '=', id).execute();
      const r = await db.deleteFrom('external_idps').where('tenant_id', '=', tenantId).where('idp_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/** A FederationRequestRepo on `db`: `take` deletes and reads in one statement, so two callbacks with one state cannot both get it. */
export function kyselyFederationRequestRepo(db: Kysely<StateDb>): FederationRequestRepo {
  return {
    async create(r) {
      await db.insertInto('federation_requests').values({
        state_hash: r.stateHash, tenant_id: r.tenantId, idp_id: r.idpId, browser_hash: r.browserHash, nonce: r.nonce,
        code_verifier: r.codeVerifier, redirect_uri: r.redirectUri, pending_request: r.pendingRequest, expires_at: r.expiresAt,
      }).execute();
    },
    async take(tenantId, stateHash, now) {
      const r = await db.deleteFrom('federation_requests').where('tenant_id', '=', tenantId).where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
      return r && r.expires_at > now ? toRequest(r) : null;
    },
    async purgeExpired(now) {
      const r = await db.deleteFrom('federation_requests').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
