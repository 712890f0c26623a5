/**
 * PostgreSQL migration 0020-saved-queries: saved hunting queries (src/domain/saved-query.ts). Names are
 * unique per owner regardless of case (`name_key`); a query is its owner's or shared (`shared` 1).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table saved_queries (
    tenant_id text collate "C" not null references tenants (tenant_id) on delete cascade,
    query_id text collate "C" not null,
    name text collate "C" not null,
    name_key text collate "C" not null,
    query_text text collate "C" not null,
    shared integer not null check (shared in (0, 1)),
    owner_id text collate "C" not null,
    owner_name text collate "C" not null,
    created_at text collate "C" not null,
    updated_at text collate "C" not null,
    primary key (tenant_id, query_id),
    unique (tenant_id, owner_id, name_key)
  )`,
  `create index saved_queries_shared on saved_queries (tenant_id, shared)`,
];

/** Creates the saved_queries table. */
export const savedQueriesPostgres: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists saved_queries`.execute(db);
  },
};
