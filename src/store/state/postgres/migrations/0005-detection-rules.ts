/**
 * PostgreSQL migration 0005: custom detection rules (src/entities/detection-rule.ts declares the columns).
 * The run lease (`lease_owner`, `lease_expires_at`) lives on the rule's row, so taking it is one
 * conditional UPDATE; the scheduler finds due rules through `detection_rules_due`.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table detection_rules (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    display_name text collate "C" not null,
    is_enabled integer not null check (is_enabled in (0, 1)),
    created_by text collate "C" not null,
    created_at text collate "C" not null,
    last_modified_by text collate "C" not null,
    last_modified_at text collate "C" not null,
    query_text text collate "C" not null,
    query_modified_at text collate "C" not null,
    period text collate "C" not null,
    next_run_at text collate "C",
    nrt_table text collate "C",
    detection_action text collate "C" not null,
    last_run_at text collate "C",
    last_run_status text collate "C",
    last_run_failure_reason text collate "C",
    last_run_error_code text collate "C",
    last_success_at text collate "C",
    lease_owner text collate "C",
    lease_expires_at text collate "C",
    primary key (tenant_id, id)
  )`,
  `create index detection_rules_created on detection_rules (tenant_id, created_at desc, id)`,
  `create index detection_rules_due on detection_rules (is_enabled, next_run_at)`,
  `create index detection_rules_nrt on detection_rules (tenant_id, period, is_enabled)`,
];

/** Creates the detection_rules table and its indexes. */
export const detectionRulesPostgres: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists detection_rules`.execute(db);
  },
};
