/**
 * SQLite migration 0005: custom detection rules (src/entities/detection-rule.ts declares the columns).
 * The run lease (`lease_owner`, `lease_expires_at`) lives on the rule's row, so taking it is one
 * conditional UPDATE; the scheduler finds due rules through `detection_rules_due`.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table detection_rules (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    id text not null,
    display_name text not null,
    is_enabled integer not null check (is_enabled in (0, 1)),
    created_by text not null,
    created_at text not null,
    last_modified_by text not null,
    last_modified_at text not null,
    query_text text not null,
    query_modified_at text not null,
    period text not null,
    next_run_at text,
    nrt_table text,
    detection_action text not null,
    last_run_at text,
    last_run_status text,
    last_run_failure_reason text,
    last_run_error_code text,
    last_success_at text,
    lease_owner text,
    lease_expires_at text,
    primary key (tenant_id, id)
  )`,
  `create index detection_rules_created on detection_rules (tenant_id, created_at desc, id)`,
  `create index detection_rules_due on detection_rules (is_enabled, next_run_at)`,
  `create index detection_rules_nrt on detection_rules (tenant_id, period, is_enabled)`,
];

/** Creates the detection_rules table and its indexes. */
export const detectionRulesSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists detection_rules`.execute(db);
  },
};
