/** AppRepo over kysely: a tenant's OAuth2 clients. */
import type { Kysely } from 'kysely';
import type { Permission } from '../../domain/permissions.ts';
import type { AppRepo } from '../../domain/ports.ts';
import type { App } from '../../domain/tenant.ts';
import type { AppsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toApp(r: AppsTable): App {
  return {
    tenantId: r.tenant_id,
    clientId: r.client_id,
    name: r.name,
    secretHash: r.secret_hash,
    permissions: JSON.parse(r.permissions) as Permission[],
    createdAt: r.created_at,
    publicClient: r.public_client === 1,
    redirectUris: JSON.parse(r.redirect_uris) as string[],
  };
}

/** An AppRepo on `db`; list order is creation time, then client id. A duplicate client id is a 'Conflict'. */
export function kyselyAppRepo(db: Kysely<StateDb>, dialect: StateDialect): AppRepo {
  return {
    async create(a: App) {
      await conflictAware(dialect, `App ${a.clientId}`, () =>
        db.insertInto('apps').values({
          tenant_id: a.tenantId,
          client_id: a.clientId,
          name: a.name,
          secret_hash: a.secretHash,
          permissions: JSON.stringify(a.permissions),
          created_at: a.createdAt,
          public_client: a.publicClient ? 1 : 0,
          redirect_uris: JSON.stringify(a.redirectUris),
        }).execute());
    },
    async get(tenantId: string, clientId: string) {
      const r = await db.selectFrom('apps').selectAll()
        .where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return r ? toApp(r) : null;
    },
    async list(tenantId: string) {
      const rows = await db.selectFrom('apps').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('created_at').orderBy('client_id').execute();
      return rows.map(toApp);
    },
    async delete(tenantId: string, clientId: string) {
      const r = await db.deleteFrom('apps').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
