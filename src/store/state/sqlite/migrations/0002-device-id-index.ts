/** SQLite migration 0002: devices are found by their (globally unique) id alone when a sensor authenticates. */
import { sql, type Migration } from 'kysely';

/** Indexes devices by id, whatever the tenant. */
export const deviceIdIndexSqlite: Migration = {
  up: async (db) => {
    await sql`create index devices_id on devices (id)`.execute(db);
  },
  down: async (db) => {
    await sql`drop index if exists devices_id`.execute(db);
  },
};
