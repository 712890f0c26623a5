/**
 * SQLite migration 0019-idp-disabled: an external identity provider can be disabled (kept with its
 * settings and users, but not offered on the sign-in page and its sign-ins refused).
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Adds external_idps.disabled (0 for the providers already there). */
export const idpDisabledSqlite: Migration = {
  up: async (db: Kysely<unknown>) => {
    await sql`alter table external_idps add column disabled integer not null default 0 check (disabled in (0, 1))`.execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`alter table external_idps drop column disabled`.execute(db);
  },
};
