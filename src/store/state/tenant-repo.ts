/** TenantRepo over kysely: tenants and their signing keys. */
import type { Kysely } from 'kysely';
import type { TenantRepo } from '../../domain/ports.ts';
import type { SigningKey, Tenant } from '../../domain/tenant.ts';
import type { StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { placeOf, SECRET_FIELDS } from './secret-fields.ts';
import { conflictAware } from './write-errors.ts';

/**
 * A TenantRepo on `db`. Creating an existing tenant or key id throws PalisadeError 'Conflict'.
 * Private keys are sealed with `cipher`; a key whose private part does not open is left out of `signingKeys`.
 */
export function kyselyTenantRepo(db: Kysely<StateDb>, dialect: StateDialect, cipher: SecretCipher): TenantRepo {
  return {
    async create(t: Tenant) {
      await conflictAware(dialect, `Tenant ${t.id}`, () =>
        db.insertInto('tenants').values({ tenant_id: t.id, name: t.name, created_at: t.createdAt }).execute());
    },
    async get(id: string) {
      const r = await db.selectFrom('tenants').selectAll().where('tenant_id', '=', id).executeTakeFirst();
      return r ? { id: r.tenant_id, name: r.name, createdAt: r.created_at } : null;
    },
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('tenant_id').execute();
      return rows.map((r) => ({ id: r.tenant_id, name: r.name, createdAt: r.created_at }));
    },
    async addSigningKey(k: SigningKey) {
      await conflictAware(dialect, `Signing key ${k.kid}`, () =>
        db.insertInto('signing_keys').values({
          tenant_id: k.tenantId,
          kid: k.kid,
          alg: k.alg,
          private_jwk: cipher.seal(k.privateJwk, placeOf(SECRET_FIELDS.signingKey, k.tenantId, k.kid)),
          public_jwk: k.publicJwk,
          created_at: k.createdAt,
        }).execute());
    },
    async signingKeys(tenantId: string) {
      const rows = await db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
      return rows.flatMap((r) => {
        const privateJwk = cipher.openOrNull(r.private_jwk, placeOf(SECRET_FIELDS.signingKey, r.tenant_id, r.kid));
        return privateJwk === null ? [] : [{ tenantId: r.tenant_id, kid: r.kid, alg: r.alg, privateJwk, publicJwk: r.public_jwk, createdAt: r.created_at }];
      });
    },
  };
}
