/**
 * PostgreSQL migration 0013-external-idps: a tenant's external OpenID Connect providers
 * (domain/external-idp.ts), the sign-ins started at one and not finished yet, and the link of a
 * user to the provider identity it was created from (issuer and subject, unique per tenant).
 * A user from a provider has no password: `password_hash` is '' for it (the column was declared
 * not null by 0009; the repository reads '' as "no password").
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table external_idps (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    idp_id text collate "C" not null,
    name text collate "C" not null,
    name_key text collate "C" not null,
    issuer text collate "C" not null,
    client_id text collate "C" not null,
    client_secret text collate "C",
    scopes text collate "C" not null,
    roles_claim text collate "C" not null,
    role_mapping text collate "C" not null,
    jit_provisioning integer not null check (jit_provisioning in (0, 1)),
    created_at text collate "C" not null,
    primary key (tenant_id, idp_id),
    unique (tenant_id, name_key)
  )`,
  `create table federation_requests (
    state_hash text collate "C" not null primary key,
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    idp_id text collate "C" not null,
    browser_hash text collate "C" not null,
    nonce text collate "C" not null,
    code_verifier text collate "C" not null,
    redirect_uri text collate "C" not null,
    pending_request text collate "C" not null,
    expires_at text collate "C" not null
  )`,
  'create index federation_requests_expiry on federation_requests (expires_at)',
  'alter table users add column ext_issuer text collate "C"',
  'alter table users add column ext_subject text collate "C"',
  'create unique index users_external on users (tenant_id, ext_issuer, ext_subject)',
];

/** Creates the providers and pending federated sign-ins, and links users to provider identities. */
export const externalIdpsPostgres: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop index if exists users_external`.execute(db);
    await sql`alter table users drop column ext_subject`.execute(db);
    await sql`alter table users drop column ext_issuer`.execute(db);
    await sql`drop table if exists federation_requests`.execute(db);
    await sql`drop table if exists external_idps`.execute(db);
  },
};
