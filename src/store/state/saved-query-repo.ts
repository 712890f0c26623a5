/** SavedQueryRepo over kysely: saved hunting queries, unique by lower-cased name per owner. */
import type { Kysely } from 'kysely';
import type { SavedQueryPatch, SavedQueryRepo } from '../../domain/ports.ts';
import { savedQueryNameKey, type SavedQuery } from '../../domain/saved-query.ts';
import type { SavedQueriesTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toSavedQuery(r: SavedQueriesTable): SavedQuery {
  return {
    tenantId: r.tenant_id,
    id: r.query_id,
    name: r.name,
    query: r.query_text,
    shared: r.shared === 1,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A SavedQueryRepo on `db` (the store or one transaction). */
export function kyselySavedQueryRepo(db: Kysely<StateDb>, dialect: StateDialect): SavedQueryRepo {
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('saved_queries').selectAll().where('tenant_id', '=', tenantId).where('query_id', '=', id).executeTakeFirst();
    return r ? toSavedQuery(r) : null;
  };
  return {
    async insert(q) {
      await conflictAware(dialect, `A saved query named '${q.name}'`, () => db.insertInto('saved_queries').values({
        tenant_id: q.tenantId, query_id: q.id, name: q.name, name_key: savedQueryNameKey(q.name), query_text: q.query,
        shared: q.shared ? 1 : 0, owner_id: q.ownerId, owner_name: q.ownerName, created_at: q.createdAt, updated_at: q.updatedAt,
      }).execute());
    },
    get,
    async listVisible(tenantId, ownerId) {
      const rows = await db.selectFrom('saved_queries').selectAll().where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('owner_id', '=', ownerId), eb('shared', '=', 1)]))
        .orderBy('name_key').orderBy('query_id').execute();
      return rows.map(toSavedQuery);
    },
    async countOwned(tenantId, ownerId) {
      const r = await db.selectFrom('saved_queries').select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('tenant_id', '=', tenantId).where('owner_id', '=', ownerId).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async update(tenantId, id, patch: SavedQueryPatch) {
      const c: Partial<SavedQueriesTable> = {};
      if (patch.name !== undefined) {
        c.name = patch.name;
        c.name_key = savedQueryNameKey(patch.name);
      }
      if (patch.query !== undefined) c.query_text = patch.query;
      if (patch.shared !== undefined) c.shared = patch.shared ? 1 : 0;
      if (patch.updatedAt !== undefined) c.updated_at = patch.updatedAt;
      if (Object.keys(c).length > 0) {
        const r = await conflictAware(dialect, `A saved query named '${patch.name ?? ''}'`, () =>
          db.updateTable('saved_queries').set(c).where('tenant_id', '=', tenantId).where('query_id', '=', id).executeTakeFirst());
        if (Number(r.numUpdatedRows) === 0) return null;
      }
      return get(tenantId, id);
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('saved_queries').where('tenant_id', '=', tenantId).where('query_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
