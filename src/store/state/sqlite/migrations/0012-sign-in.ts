/**
 * SQLite migration 0012-sign-in: the stored state of user sign-in (domain/sign-in.ts) —
 * pending sign-in requests, grants, authorization codes, refresh tokens, device codes and
 * failed-sign-in counters — and public clients (apps without a secret, with redirect URIs).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `alter table apps add column public_client integer not null default 0 check (public_client in (0, 1))`,
  `alter table apps add column redirect_uris text not null default '[]'`,
  `create table sign_in_requests (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    request_id text not null,
    kind text not null,
    csrf_hash text not null,
    browser_hash text not null,
    client_id text not null,
    redirect_uri text,
    response_mode text,
    state text,
    nonce text,
    scope text not null,
    code_challenge text,
    user_code text,
    first_factor_user_id text,
    created_at text not null,
    expires_at text not null,
    primary key (tenant_id, request_id)
  )`,
  `create index sign_in_requests_expiry on sign_in_requests (expires_at)`,
  `create table sign_in_grants (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    grant_id text not null,
    user_id text not null,
    client_id text not null,
    created_at text not null,
    revoked_at text,
    primary key (tenant_id, grant_id)
  )`,
  `create index sign_in_grants_user on sign_in_grants (tenant_id, user_id)`,
  `create table authorization_codes (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    code_hash text not null,
    grant_id text not null,
    client_id text not null,
    redirect_uri text not null,
    code_challenge text,
    user_id text not null,
    scope text not null,
    nonce text,
    created_at text not null,
    expires_at text not null,
    used_at text,
    primary key (tenant_id, code_hash)
  )`,
  `create index authorization_codes_expiry on authorization_codes (expires_at)`,
  `create table refresh_tokens (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    token_hash text not null,
    grant_id text not null,
    client_id text not null,
    user_id text not null,
    scope text not null,
    created_at text not null,
    expires_at text not null,
    used_at text,
    primary key (tenant_id, token_hash)
  )`,
  `create index refresh_tokens_expiry on refresh_tokens (expires_at)`,
  `create table device_codes (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    device_code_hash text not null,
    user_code text not null,
    client_id text not null,
    scope text not null,
    status text not null check (status in ('pending', 'approved', 'denied', 'redeemed')),
    poll_interval integer not null,
    user_id text,
    grant_id text,
    last_polled_at text,
    created_at text not null,
    expires_at text not null,
    primary key (tenant_id, device_code_hash),
    unique (tenant_id, user_code)
  )`,
  `create index device_codes_expiry on device_codes (expires_at)`,
  `create table sign_in_failures (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    throttle_key text not null,
    failures integer not null,
    window_started_at text not null,
    locked_until text,
    primary key (tenant_id, throttle_key)
  )`,
];

const DROPPED = ['sign_in_failures', 'device_codes', 'refresh_tokens', 'authorization_codes', 'sign_in_grants', 'sign_in_requests'];

/** Creates the sign-in tables and adds public clients to apps. */
export const signInSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    for (const t of DROPPED) await sql.raw(`drop table if exists ${t}`).execute(db);
    await sql`alter table apps drop column redirect_uris`.execute(db);
    await sql`alter table apps drop column public_client`.execute(db);
  },
};
