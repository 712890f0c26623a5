/** StreamCursorRepo over kysely: one row per (output, tenant), upserted. */
import type { Kysely } from 'kysely';
import type { StreamCursorRepo } from '../../domain/ports.ts';
import type { StateDb } from './db-schema.ts';

/** A StreamCursorRepo on `db`. */
export function kyselyStreamCursorRepo(db: Kysely<StateDb>): StreamCursorRepo {
  return {
    async get(output, tenantId) {
      const r = await db.selectFrom('stream_cursors').select(['last_update_time', 'alert_id'])
        .where('output', '=', output).where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? { lastUpdateTime: r.last_update_time, alertId: r.alert_id } : null;
    },
    async save(output, tenantId, cursor) {
      await db.insertInto('stream_cursors')
        .values({ output, tenant_id: tenantId, last_update_time: cursor.lastUpdateTime, alert_id: cursor.alertId })
        .onConflict((oc) => oc.columns(['output', 'tenant_id']).doUpdateSet({ last_update_time: cursor.lastUpdateTime, alert_id: cursor.alertId }))
        .execute();
    },
  };
}
