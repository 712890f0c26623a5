/**
 * PostgreSQL migration 0015-totp-steps: each user's last TOTP step accepted at sign-in, so that a
 * code seen once (over a shoulder, in a proxy log, phished) cannot sign in again.
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Adds users.totp_last_step. */
export const totpStepsPostgres: Migration = {
  up: async (db: Kysely<unknown>) => {
    await sql`alter table users add column totp_last_step bigint`.execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`alter table users drop column totp_last_step`.execute(db);
  },
};
