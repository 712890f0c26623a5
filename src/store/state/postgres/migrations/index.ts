/** The PostgreSQL migrations, in order (names sort in application order). */
import type { Migration } from 'kysely';
import { initialPostgres } from './0001-initial.ts';

/** Every PostgreSQL migration by name. */
export const POSTGRES_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initialPostgres,
};
