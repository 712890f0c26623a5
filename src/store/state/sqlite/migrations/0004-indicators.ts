/** SQLite migration 0004: custom indicators and each tenant's indicator counters (see ../../db-schema.ts). */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table indicators (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    id text not null,
    indicator_value text not null,
    indicator_type text not null,
    action text not null,
    created_by text not null,
    source text not null,
    source_type text not null,
    severity text not null,
    application text,
    educate_url text,
    title text not null,
    description text not null,
    recommended_actions text,
    creation_time text not null,
    expiration_time text,
    last_update_time text not null,
    last_updated_by text,
    rbac_group_names text not null,
    rbac_group_ids text not null,
    mitre_techniques text not null,
    generate_alert integer not null check (generate_alert in (0, 1)),
    created_by_display_name text not null,
    external_id text,
    created_by_source text not null,
    change_version bigint not null,
    deleted integer not null check (deleted in (0, 1)),
    primary key (tenant_id, id)
  )`,
  // one live indicator per (type, value): the upsert key; tombstones stay for the sensors' change lists
  `create unique index indicators_live_value on indicators (tenant_id, indicator_type, indicator_value) where deleted = 0`,
  `create index indicators_change on indicators (tenant_id, change_version)`,
  `create index indicators_creation on indicators (tenant_id, creation_time desc, id)`,
  `create table indicator_counters (
    tenant_id text primary key references tenants (tenant_id) on delete cascade,
    last_id bigint not null,
    version bigint not null
  )`,
];

const DOWN = ['indicator_counters', 'indicators'].map((t) => `drop table if exists ${t}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Creates the indicator tables. */
export const indicatorsSqlite: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
