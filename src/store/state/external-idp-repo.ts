/** ExternalIdpRepo and FederationRequestRepo over kysely: a tenant's OpenID Connect providers and the sign-ins sent to them. */
import type { Kysely } from 'kysely';
import type { ExternalIdp } from '../../domain/external-idp.ts';
import type { ExternalIdpRepo, FederationRequest, FederationRequestRepo } from '../../domain/ports.ts';
import type { ExternalIdpsTable, FederationRequestsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { placeOf, SECRET_FIELDS } from './secret-fields.ts';
import { conflictAware } from './write-errors.ts';

/** A provider of a row; a client secret that does not open reads as none (the provider then refuses Palisade's code exchange). */
function rowToIdp(r: ExternalIdpsTable, cipher: SecretCipher): ExternalIdp {
  return {
    tenantId: r.tenant_id,
    id: r.idp_id,
    name: r.name,
    issuer: r.issuer,
    clientId: r.client_id,
    clientSecret: cipher.openOrNull(r.client_secret, placeOf(SECRET_FIELDS.idpClientSecret, r.tenant_id, r.idp_id)),
    scopes: JSON.parse(r.scopes) as string[],
    rolesClaim: r.roles_claim,
    roleMapping: JSON.parse(r.role_mapping) as Record<string, string[]>,
    jitProvisioning: Number(r.jit_provisioning) === 1,
    disabled: Number(r.disabled) === 1,
    createdAt: r.created_at,
  };
}

/** A pending federated sign-in of a row; a verifier that does not open reads as '' (the provider then refuses the code). */
function toRequest(r: FederationRequestsTable, cipher: SecretCipher): FederationRequest {
  return {
    stateHash: r.state_hash, tenantId: r.tenant_id, idpId: r.idp_id, browserHash: r.browser_hash, nonce: r.nonce,
    codeVerifier: cipher.openOrNull(r.code_verifier, placeOf(SECRET_FIELDS.codeVerifier, r.tenant_id, r.state_hash)) ?? '', redirectUri: r.redirect_uri, pendingRequest: r.pending_request, expiresAt: r.expires_at,
  };
}

/** An ExternalIdpRepo on `db`; list order is the lower-cased name. A duplicate id or name is a 'Conflict'. Client secrets are sealed with `cipher`. */
export function kyselyExternalIdpRepo(db: Kysely<StateDb>, dialect: StateDialect, cipher: SecretCipher): ExternalIdpRepo {
  const toIdp = (r: ExternalIdpsTable) => rowToIdp(r, cipher);
  const sealSecret = (tenantId: string, id: string, secret: string | null) =>
    secret === null ? null : cipher.seal(secret, placeOf(SECRET_FIELDS.idpClientSecret, tenantId, id));
  return {
    async create(idp) {
      await conflictAware(dialect, `Identity provider ${idp.name}`, () => db.insertInto('external_idps').values({
        tenant_id: idp.tenantId, idp_id: idp.id, name: idp.name, name_key: idp.name.toLowerCase(), issuer: idp.issuer,
        client_id: idp.clientId, client_secret: sealSecret(idp.tenantId, idp.id, idp.clientSecret), scopes: JSON.stringify(idp.scopes), roles_claim: idp.rolesClaim,
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
      if (patch.clientSecret !== undefined) set.client_secret = sealSecret(tenantId, id, patch.clientSecret);
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

/**
 * A FederationRequestRepo on `db`: `take` deletes and reads in one statement, so two callbacks with
 * one state cannot both get it. PKCE verifiers are sealed with `cipher`.
 */
export function kyselyFederationRequestRepo(db: Kysely<StateDb>, cipher: SecretCipher): FederationRequestRepo {
  return {
    async create(r) {
      await db.insertInto('federation_requests').values({
        state_hash: r.stateHash, tenant_id: r.tenantId, idp_id: r.idpId, browser_hash: r.browserHash, nonce: r.nonce,
        code_verifier: cipher.seal(r.codeVerifier, placeOf(SECRET_FIELDS.codeVerifier, r.tenantId, r.stateHash)), redirect_uri: r.redirectUri, pending_request: r.pendingRequest, expires_at: r.expiresAt,
      }).execute();
    },
    async take(tenantId, stateHash, now) {
      const r = await db.deleteFrom('federation_requests').where('tenant_id', '=', tenantId).where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
      return r && r.expires_at > now ? toRequest(r, cipher) : null;
    },
    async purgeExpired(now) {
      const r = await db.deleteFrom('federation_requests').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
