/** The SQLite adapter of the state store (better-sqlite3, one file, WAL). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type LogEvent } from 'kysely';
import type { StateStore } from '../../../domain/ports.ts';
import type { StateDb } from '../db-schema.ts';
import type { StateDialect } from '../dialect.ts';
import { kyselyStateStore } from '../kysely-state-store.ts';
import { memoryKeyRing, SecretCipher } from '../secret-cipher.ts';
import { CachedSqliteDialect } from './sqlite-dialect.ts';
import { SQLITE_MIGRATIONS } from './migrations/index.ts';

/** How long a statement waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** The SQLite dialect traits. */
export const sqliteDialect: StateDialect = {
  kind: 'sqlite',
  migrations: SQLITE_MIGRATIONS,
  isUniqueViolation: (err) => UNIQUE_CODES.has((err as { code?: unknown } | null)?.code as string),
};

/** Options of the SQLite adapter besides the path. */
export interface SqliteStoreOptions {
  /** Most prepared statements kept per store (default 256). */
  statementCacheSize?: number;
  /** Called after every statement the store runs, with its SQL text and parameters (diagnostics, tests). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
  /** Seals the secret fields; by default a key held in memory, good only for a store that lives no longer than this handle (openStateStore passes the key file's). */
  secrets?: SecretCipher;
}

/**
 * Opens (creating the file and its folder when missing) the SQLite state store at `path`, with WAL
 * journaling, a 5 s busy timeout and foreign keys on, so admin commands in another process can
 * write the same file while the server runs. Statements are prepared once and reused (see
 * sqlite-driver.ts). Does not migrate; call `migrate()`. `':memory:'` gives a private in-memory store.
 */
export function openSqliteStateStore(path: string, { statementCacheSize, onQuery, secrets }: SqliteStoreOptions = {}): StateStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Lets the planner gather statistics for tables that need them (cheap; SQLite's advice at open).
    sqlite.pragma('optimize = 0x10002');
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const db = new Kysely<StateDb>({
    dialect: new CachedSqliteDialect({ database: sqlite, statementCacheSize }),
    ...(onQuery ? { log: (e: LogEvent) => onQuery(e.query.sql, e.query.parameters) } : {}),
  });
  return kyselyStateStore(db, sqliteDialect, secrets ?? new SecretCipher(memoryKeyRing()));
}
