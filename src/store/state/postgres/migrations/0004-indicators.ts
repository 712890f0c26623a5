/** PostgreSQL migration 0004: custom indicators and each tenant's indicator counters (see ../../db-schema.ts). */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table indicators (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    indicator_value text collate "C" not null,
    indicator_type text collate "C" not null,
    action text collate "C" not null,
    created_by text collate "C" not null,
    source text collate "C" not null,
    source_type text collate "C" not null,
    severity text collate "C" not null,
    application text collate "C",
    educate_url text collate "C",
    title text collate "C" not null,
    description text collate "C" not null,
    recommended_actions text collate "C",
    creation_time text collate "C" not null,
    expiration_time text collate "C",
    last_update_time text collate "C" not null,
    last_updated_by text collate "C",
    rbac_group_names text collate "C" not null,
    rbac_group_ids text collate "C" not null,
    mitre_techniques text collate "C" not null,
    generate_alert integer not null check (generate_alert in (0, 1)),
    created_by_display_name text collate "C" not null,
    external_id text collate "C",
    created_by_source text collate "C" not null,
    change_version bigint not null,
    deleted integer not null check (deleted in (0, 1)),
    primary key (tenant_id, id)
  )`,
  // one live indicator per (type, value): the upsert key; tombstones stay for the sensors' change lists
  `create unique index indicators_live_value on indicators (tenant_id, indicator_type, indicator_value) where deleted = 0`,
  `create index indicators_change on indicators (tenant_id, change_version)`,
  `create index indicators_creation on indicators (tenant_id, creation_time desc, id)`,
  `create table indicator_counters (
    tenant_id text collate "C" primary key references tenants (tenant_id) on delete cascade,
    last_id bigint not null,
    version bigint not null
  )`,
];

const DOWN = ['indicator_counters', 'indicators'].map((t) => `drop table if exists ${t}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Creates the indicator tables. */
export const indicatorsPostgres: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
