/**
 * SQLite migration 0016-device-group-ids: each tenant's last device-group id, so that an id is never
 * given twice. Rows already stamped with a deleted group's id (hunting rows, alerts of deleted
 * devices) must never come to belong to a later group; taking the next id also serializes the
 * creation of groups in a tenant. Seeded from the groups that exist.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table device_group_ids (
    tenant_id text not null primary key references tenants (tenant_id) on delete cascade,
    last_id integer not null check (last_id > 0)
  )`,
  `insert into device_group_ids (tenant_id, last_id) select tenant_id, max(group_id) from device_groups group by tenant_id`,
];

/** Creates and seeds device_group_ids. */
export const deviceGroupIdsSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists device_group_ids`.execute(db);
  },
};
