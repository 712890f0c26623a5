/**
 * SQLite migration 0010-device-groups: a tenant's ranked device groups (src/domain/device-group.ts).
 * Ids and names are unique per tenant (names regardless of case); the matching rule is JSON.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table device_groups (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    group_id integer not null check (group_id > 0),
    name text not null,
    name_key text not null,
    description text,
    group_rank integer not null check (group_rank > 0),
    remediation_level text not null,
    rule text not null,
    created_at text not null,
    primary key (tenant_id, group_id),
    unique (tenant_id, name_key)
  )`,
];

/** Creates the device_groups table. */
export const deviceGroupsSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists device_groups`.execute(db);
  },
};
