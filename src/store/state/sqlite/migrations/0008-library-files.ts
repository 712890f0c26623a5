/**
 * SQLite migration 0008-library-files: the live response library
 * (src/entities/library-file.ts declares the columns). One row per file and tenant, unique by the
 * lower-cased name; the bytes are in the file store under `blob_key`.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  `create table library_files (
    tenant_id text not null references tenants (tenant_id) on delete cascade,
    file_name_key text not null,
    file_name text not null,
    sha256 text not null,
    size bigint not null,
    description text,
    creation_time text not null,
    last_updated_time text not null,
    created_by text not null,
    has_parameters integer not null check (has_parameters in (0, 1)),
    parameters_description text,
    blob_key text not null,
    primary key (tenant_id, file_name_key)
  )`,
];

/** Creates the library_files table. */
export const libraryFilesSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    for (const s of UP) await sql.raw(s).execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`drop table if exists library_files`.execute(db);
  },
};
