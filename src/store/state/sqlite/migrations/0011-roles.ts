/**
 * SQLite migration 0011-roles: a tenant's stored roles (src/domain/role.ts). Names are unique per
 * tenant regardless of case (`name_key`); permission options and device groups are JSON.
 * The audit log gains the actor's name (`actor_name`, null in older records).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table roles (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    role_id text not null,
    name text not null,
    name_key text not null,
    description text,
    permissions text not null,
    device_groups text not null,
    created_at text not null,
    primary key (tenant_id, role_id),
    unique (tenant_id, name_key)
  )`,
  // the audit log names its actor as people know it (a user's principal name, an app's name)
  `alter table audit_log add column actor_name text`,
];

/** Creates the roles table and the audit log's actor_name. */
export const rolesSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists roles`.execute(db);
    await sql`alter table audit_log drop column actor_name`.execute(db);
  },
};
