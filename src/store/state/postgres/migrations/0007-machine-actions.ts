/**
 * PostgreSQL migration 0007: machine actions (src/entities/machine-action.ts declares the columns).
 * A partial unique index keeps one open (Pending or InProgress) action of each kind per device, so
 * two racing requests cannot both create one; `machine_actions_open` serves a device's /work poll
 * and `machine_actions_expiry` the sweeper that times actions out.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table machine_actions (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    type text collate "C" not null,
    scope text collate "C",
    requestor text collate "C" not null,
    requestor_comment text collate "C" not null,
    request_source text collate "C" not null,
    external_id text collate "C",
    title text collate "C",
    status text collate "C" not null,
    machine_id text collate "C" not null,
    computer_dns_name text collate "C",
    rbac_group_id integer not null,
    created_at text collate "C" not null,
    last_update_at text collate "C" not null,
    cancellation_requestor text collate "C",
    cancellation_comment text collate "C",
    cancellation_at text collate "C",
    error_hresult integer not null,
    related_file_info text collate "C",
    commands text collate "C" not null,
    expires_at text collate "C" not null,
    acknowledged integer not null check (acknowledged in (0, 1)),
    status_message text collate "C",
    file_info text collate "C",
    primary key (tenant_id, id)
  )`,
  `create index machine_actions_created on machine_actions (tenant_id, created_at desc, id)`,
  `create index machine_actions_updated on machine_actions (tenant_id, last_update_at)`,
  `create index machine_actions_machine on machine_actions (tenant_id, machine_id, created_at desc)`,
  `create unique index machine_actions_one_open on machine_actions (tenant_id, machine_id, type) where status in ('Pending', 'InProgress')`,
  `create index machine_actions_expiry on machine_actions (expires_at) where status in ('Pending', 'InProgress')`,
];

/** Creates the machine_actions table and its indexes. */
export const machineActionsPostgres: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists machine_actions`.execute(db);
  },
};
