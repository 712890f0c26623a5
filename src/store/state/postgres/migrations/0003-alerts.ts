/**
 * PostgreSQL migration 0003 (text columns in the "C" collation, as 0001): alerts (src/entities/alert.ts), incidents (src/entities/incident.ts) and
 * the entities each alert is about (`alert_entities`, how alerts are grouped into incidents).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table alerts (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    incident_id bigint,
    investigation_id bigint,
    investigation_state text collate "C",
    assigned_to text collate "C",
    severity text collate "C" not null,
    status text collate "C" not null,
    classification text collate "C",
    determination text collate "C",
    detection_source text collate "C" not null,
    detector_id text collate "C",
    category text collate "C" not null,
    threat_family_name text collate "C",
    threat_name text collate "C",
    title text collate "C" not null,
    description text collate "C" not null,
    recommended_action text collate "C",
    alert_creation_time text collate "C" not null,
    first_event_time text collate "C",
    last_event_time text collate "C",
    last_update_time text collate "C" not null,
    resolved_time text collate "C",
    machine_id text collate "C",
    computer_dns_name text collate "C",
    rbac_group_id integer not null,
    rbac_group_name text collate "C",
    mitre_techniques text collate "C" not null,
    related_user text collate "C",
    logged_on_users text collate "C" not null,
    comments text collate "C" not null,
    evidence text collate "C" not null,
    dedupe_key text collate "C",
    indicator_id text collate "C",
    primary key (tenant_id, id)
  )`,
  `create unique index alerts_dedupe on alerts (tenant_id, dedupe_key) where dedupe_key is not null`,
  `create index alerts_created on alerts (tenant_id, alert_creation_time desc, id)`,
  `create index alerts_updated on alerts (tenant_id, last_update_time, id)`,
  `create index alerts_machine on alerts (tenant_id, machine_id, alert_creation_time)`,
  `create index alerts_incident on alerts (tenant_id, incident_id)`,
  `create table incidents (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    incident_id bigint not null,
    incident_name text collate "C" not null,
    created_time text collate "C" not null,
    last_update_time text collate "C" not null,
    assigned_to text collate "C",
    classification text collate "C" not null,
    determination text collate "C" not null,
    status text collate "C" not null,
    severity text collate "C" not null,
    tags text collate "C" not null,
    comments text collate "C" not null,
    primary key (tenant_id, incident_id)
  )`,
  `create index incidents_updated on incidents (tenant_id, last_update_time, incident_id)`,
  `create table alert_entities (
    tenant_id text collate "C" not null,
    alert_id text collate "C" not null,
    entity text collate "C" not null,
    alert_time text collate "C" not null,
    primary key (tenant_id, alert_id, entity),
    foreign key (tenant_id, alert_id) references alerts (tenant_id, id) on delete cascade
  )`,
  `create index alert_entities_entity on alert_entities (tenant_id, entity, alert_time)`,
];

const DOWN = ['alert_entities', 'incidents', 'alerts'].map((t) => `drop table if exists ${t}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Creates the alert, incident and alert-entity tables. */
export const alertsPostgres: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
