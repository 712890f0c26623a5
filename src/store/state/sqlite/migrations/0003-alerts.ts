/**
 * SQLite migration 0003: alerts (src/entities/alert.ts), incidents (src/entities/incident.ts) and
 * the entities each alert is about (`alert_entities`, how alerts are grouped into incidents).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table alerts (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    id text not null,
    incident_id integer,
    investigation_id integer,
    investigation_state text,
    assigned_to text,
    severity text not null,
    status text not null,
    classification text,
    determination text,
    detection_source text not null,
    detector_id text,
    category text not null,
    threat_family_name text,
    threat_name text,
    title text not null,
    description text not null,
    recommended_action text,
    alert_creation_time text not null,
    first_event_time text,
    last_event_time text,
    last_update_time text not null,
    resolved_time text,
    machine_id text,
    computer_dns_name text,
    rbac_group_id integer not null,
    rbac_group_name text,
    mitre_techniques text not null,
    related_user text,
    logged_on_users text not null,
    comments text not null,
    evidence text not null,
    dedupe_key text,
    indicator_id text,
    primary key (tenant_id, id)
  )`,
  `create unique index alerts_dedupe on alerts (tenant_id, dedupe_key) where dedupe_key is not null`,
  `create index alerts_created on alerts (tenant_id, alert_creation_time desc, id)`,
  `create index alerts_updated on alerts (tenant_id, last_update_time, id)`,
  `create index alerts_machine on alerts (tenant_id, machine_id, alert_creation_time)`,
  `create index alerts_incident on alerts (tenant_id, incident_id)`,
  `create table incidents (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    incident_id integer not null,
    incident_name text not null,
    created_time text not null,
    last_update_time text not null,
    assigned_to text,
    classification text not null,
    determination text not null,
    status text not null,
    severity text not null,
    tags text not null,
    comments text not null,
    primary key (tenant_id, incident_id)
  )`,
  `create index incidents_updated on incidents (tenant_id, last_update_time, incident_id)`,
  `create table alert_entities (
    tenant_id text not null,
    alert_id text not null,
    entity text not null,
    alert_time text not null,
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
export const alertsSqlite: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
