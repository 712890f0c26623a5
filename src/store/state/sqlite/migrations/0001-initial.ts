/** SQLite migration 0001: the initial state-store schema (see ../../db-schema.ts). */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table tenants (
    tenant_id text primary key,
    name text not null,
    created_at text not null
  )`,
  `create table signing_keys (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    kid text not null,
    alg text not null,
    private_jwk text not null,
    public_jwk text not null,
    created_at text not null,
    primary key (tenant_id, kid)
  )`,
  `create index signing_keys_created on signing_keys (tenant_id, created_at)`,
  `create table apps (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    client_id text not null,
    name text not null,
    secret_hash text not null,
    permissions text not null,
    created_at text not null,
    primary key (tenant_id, client_id)
  )`,
  `create table enrollment_tokens (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    id text not null,
    token_hash text not null unique,
    created_at text not null,
    expires_at text not null,
    revoked_at text,
    uses integer not null default 0,
    primary key (tenant_id, id)
  )`,
  `create table devices (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    id text not null,
    computer_dns_name text not null,
    first_seen text not null,
    last_seen text not null,
    os_platform text not null,
    os_version text,
    version text,
    os_processor text,
    os_architecture text,
    os_build integer,
    last_ip_address text,
    last_external_ip_address text,
    agent_version text,
    sensor_health text not null,
    onboarding_status text not null,
    rbac_group_id integer not null,
    rbac_group_name text,
    risk_score text not null,
    exposure_level text,
    device_value text not null,
    aad_device_id text,
    is_aad_joined integer not null check (is_aad_joined in (0, 1)),
    ip_addresses text not null,
    managed_by text not null,
    managed_by_status text not null,
    defender_av_status text not null,
    credential_hash text not null,
    primary key (tenant_id, id)
  )`,
  `create index devices_last_seen on devices (tenant_id, last_seen desc, id)`,
  `create index devices_name on devices (tenant_id, lower(computer_dns_name))`,
  `create index devices_group on devices (tenant_id, rbac_group_id, last_seen)`,
  `create index devices_last_ip on devices (tenant_id, last_ip_address)`,
  `create table device_tags (
    tenant_id text not null,
    device_id text not null,
    tag text not null,
    position integer not null,
    primary key (tenant_id, device_id, tag),
    foreign key (tenant_id, device_id) references devices (tenant_id, id) on delete cascade
  )`,
  `create index device_tags_tag on device_tags (tenant_id, tag)`,
  `create table audit_log (
    seq integer primary key autoincrement,
    tenant_id text not null,
    time text not null,
    actor_kind text not null,
    actor_id text not null,
    action text not null,
    target text not null,
    result text not null,
    details text
  )`,
  `create index audit_log_time on audit_log (tenant_id, time, seq)`,
];

const DOWN = ['audit_log', 'device_tags', 'devices', 'enrollment_tokens', 'apps', 'signing_keys', 'tenants']
  .map((t) => `drop table if exists ${t}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Creates every state-store table and index. */
export const initialSqlite: Migration = {
  up: (db) => run(db, UP),
  down: (db) => run(db, DOWN),
};
