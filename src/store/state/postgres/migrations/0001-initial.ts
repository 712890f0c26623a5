/**
 * PostgreSQL migration 0001: the initial state-store schema (see ../../db-schema.ts). Text columns
 * use the "C" collation so comparisons and ORDER BY follow code-point order, exactly like SQLite's
 * default BINARY collation, whatever the database's locale.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table tenants (
    tenant_id text collate "C" primary key,
    name text collate "C" not null,
    created_at text collate "C" not null
  )`,
  `create table signing_keys (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    kid text collate "C" not null,
    alg text collate "C" not null,
    private_jwk text collate "C" not null,
    public_jwk text collate "C" not null,
    created_at text collate "C" not null,
    primary key (tenant_id, kid)
  )`,
  `create index signing_keys_created on signing_keys (tenant_id, created_at)`,
  `create table apps (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    client_id text collate "C" not null,
    name text collate "C" not null,
    secret_hash text collate "C" not null,
    permissions text collate "C" not null,
    created_at text collate "C" not null,
    primary key (tenant_id, client_id)
  )`,
  `create table enrollment_tokens (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    token_hash text collate "C" not null unique,
    created_at text collate "C" not null,
    expires_at text collate "C" not null,
    revoked_at text collate "C",
    uses integer not null default 0,
    primary key (tenant_id, id)
  )`,
  `create table devices (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    id text collate "C" not null,
    computer_dns_name text collate "C" not null,
    first_seen text collate "C" not null,
    last_seen text collate "C" not null,
    os_platform text collate "C" not null,
    os_version text collate "C",
    version text collate "C",
    os_processor text collate "C",
    os_architecture text collate "C",
    os_build integer,
    last_ip_address text collate "C",
    last_external_ip_address text collate "C",
    agent_version text collate "C",
    sensor_health text collate "C" not null,
    onboarding_status text collate "C" not null,
    rbac_group_id integer not null,
    rbac_group_name text collate "C",
    risk_score text collate "C" not null,
    exposure_level text collate "C",
    device_value text collate "C" not null,
    aad_device_id text collate "C",
    is_aad_joined integer not null check (is_aad_joined in (0, 1)),
    ip_addresses text collate "C" not null,
    managed_by text collate "C" not null,
    managed_by_status text collate "C" not null,
    defender_av_status text collate "C" not null,
    credential_hash text collate "C" not null,
    primary key (tenant_id, id)
  )`,
  `create index devices_last_seen on devices (tenant_id, last_seen desc, id)`,
  `create index devices_name on devices (tenant_id, lower(computer_dns_name))`,
  `create index devices_group on devices (tenant_id, rbac_group_id, last_seen)`,
  `create index devices_last_ip on devices (tenant_id, last_ip_address)`,
  `create table device_tags (
    tenant_id text collate "C" not null,
    device_id text collate "C" not null,
    tag text collate "C" not null,
    position integer not null,
    primary key (tenant_id, device_id, tag),
    foreign key (tenant_id, device_id) references devices (tenant_id, id) on delete cascade
  )`,
  `create index device_tags_tag on device_tags (tenant_id, tag)`,
  `create table audit_log (
    seq bigint generated always as identity primary key,
    tenant_id text collate "C" not null,
    time text collate "C" not null,
    actor_kind text collate "C" not null,
    actor_id text collate "C" not null,
    action text collate "C" not null,
    target text collate "C" not null,
    result text collate "C" not null,
    details text collate "C"
  )`,
  `create index audit_log_time on audit_log (tenant_id, time, seq)`,
];

const DOWN = ['audit_log', 'device_tags', 'devices', 'enrollment_tokens', 'apps', 'signing_keys', 'tenants']
  .map((t) => `drop table if exists ${t}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Creates every state-store table and index. */
export const initialPostgres: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
