/** The PostgreSQL adapter of the state store (pg Pool). */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StateStore } from '../../../domain/ports.ts';
import type { StateDb } from '../db-schema.ts';
import type { StateDialect } from '../dialect.ts';
import { kyselyStateStore } from '../kysely-state-store.ts';
import { memoryKeyRing, SecretCipher } from '../secret-cipher.ts';
import { POSTGRES_MIGRATIONS } from './migrations/index.ts';

/** The PostgreSQL dialect traits. */
export const postgresDialect: StateDialect = {
  kind: 'postgres',
  migrations: POSTGRES_MIGRATIONS,
  // 23505 = unique_violation (primary keys included).
  isUniqueViolation: (err) => (err as { code?: unknown } | null)?.code === '23505',
};

/** Pool options the adapter accepts besides the URL. */
export interface PostgresStoreOptions {
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** Seals the secret fields; by default a key held in memory, good only for a store that lives no longer than this handle (openStateStore passes the key file's). */
  secrets?: SecretCipher;
}

/**
 * Opens the PostgreSQL state store at `url` (`postgres://user:pass@host:port/db`). Connections are
 * made lazily by the pool. Does not migrate; call `migrate()`.
 */
export function openPostgresStateStore(url: string, { maxConnections = 10, secrets }: PostgresStoreOptions = {}): StateStore {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  const db = new Kysely<StateDb>({ dialect: new PostgresDialect({ pool }) });
  return kyselyStateStore(db, postgresDialect, secrets ?? new SecretCipher(memoryKeyRing()));
}
