/**
 * SQLite migration 0009-users: local user accounts (domain/user.ts). One row per user
 * and tenant, the principal name unique per tenant by its lower-cased key.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table users (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    user_id text not null,
    upn text not null,
    upn_key text not null,
    display_name text not null,
    password_hash text not null,
    totp_secret text,
    totp_enabled integer not null check (totp_enabled in (0, 1)),
    roles text not null,
    disabled integer not null check (disabled in (0, 1)),
    created_at text not null,
    last_sign_in_at text,
    primary key (tenant_id, user_id),
    unique (tenant_id, upn_key)
  )`,
];

/** Creates the users table. */
export const usersSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists users`.execute(db);
  },
};
