/** EnrollmentRepo over kysely: hashed device enrollment tokens. */
import type { Kysely } from 'kysely';
import type { EnrollmentRepo } from '../../domain/ports.ts';
import type { EnrollmentToken } from '../../domain/tenant.ts';
import type { EnrollmentTokensTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toToken(r: EnrollmentTokensTable): EnrollmentToken {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    tokenHash: r.token_hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    uses: Number(r.uses),
  };
}

/**
 * An EnrollmentRepo on `db`. Token hashes are unique across tenants (a duplicate id or hash is a
 * 'Conflict'). `revoke` is idempotent: it returns true whenever the token exists and keeps the
 * first revocation time.
 */
export function kyselyEnrollmentRepo(db: Kysely<StateDb>, dialect: StateDialect): EnrollmentRepo {
  return {
    async create(t: EnrollmentToken) {
      await conflictAware(dialect, `Enrollment token ${t.id}`, () =>
        db.insertInto('enrollment_tokens').values({
          tenant_id: t.tenantId,
          id: t.id,
          token_hash: t.tokenHash,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
          uses: t.uses,
        }).execute());
    },
    async getByHash(tokenHash: string) {
      // Deliberately tenant-less: the hash is what identifies the tenant of an enrolling device.
      const r = await db.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async list(tenantId: string) {
      const rows = await db.selectFrom('enrollment_tokens').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('created_at').orderBy('id').execute();
      return rows.map(toToken);
    },
    async revoke(tenantId: string, id: string, at: string) {
      const r = await db.updateTable('enrollment_tokens')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
        .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async incrementUses(tenantId: string, id: string) {
      await db.updateTable('enrollment_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
  };
}
