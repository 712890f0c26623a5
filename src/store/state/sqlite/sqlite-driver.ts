/**
 * The state store's kysely driver for better-sqlite3. Compared with kysely's own SqliteDriver it
 * - reuses prepared statements through a bounded LRU keyed by SQL text (statement-cache.ts),
 * - reads rows in raw mode and builds row objects in JS (row-builder.ts),
 * - begins transactions with BEGIN IMMEDIATE: the write lock is taken up front, so a transaction
 *   that reads and then writes waits (busy_timeout) for another process's writer instead of
 *   failing with SQLITE_BUSY when it tries to upgrade its lock.
 * There is one connection (SQLite's handle); callers take turns through a mutex, as in kysely.
 */
import type { Database } from 'better-sqlite3';
import {
  CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type QueryCompiler,
  type QueryResult,
  RawNode,
} from 'kysely';
import { StatementCache, rowsOf } from './statement-cache.ts';

/** What the driver needs. */
export interface SqliteDriverConfig {
  /** An open better-sqlite3 handle; the driver closes it on destroy. */
  database: Database;
  /** Most prepared statements kept (default 256). */
  statementCacheSize?: number;
}

/** Statements that change the schema: the cached row shapes may no longer hold after them. */
const DDL = /^\s*(create|alter|drop)\b/i;

/** The single connection over one handle. */
export class CachedSqliteConnection implements DatabaseConnection {
  readonly #db: Database;
  readonly #cache: StatementCache;

  constructor(db: Database, cacheSize?: number) {
    this.#db = db;
    this.#cache = new StatementCache(db, cacheSize);
  }

  /** How many prepared statements are cached (for tests and diagnostics). */
  get cachedStatements(): number {
    return this.#cache.size;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const entry = this.#cache.get(compiled.sql);
    if (entry.reader) return { rows: rowsOf(entry, compiled.parameters) as R[] };
    const { changes, lastInsertRowid } = entry.stmt.run(compiled.parameters);
    if (DDL.test(compiled.sql)) this.#cache.clear();
    return {
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // A statement is busy while it is iterated, so streams get their own, uncached statement.
    const stmt = this.#db.prepare(compiled.sql);
    if (!stmt.reader) throw new Error('the SQLite driver streams only queries that return rows');
    for (const row of stmt.iterate(compiled.parameters)) yield { rows: [row as R] };
  }
}

/** A FIFO mutex: SQLite has one connection, used by one caller (or transaction) at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves, once the previous holder released, with the function that releases this hold. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = held;
    return ready;
  }
}

/** A kysely Driver over one better-sqlite3 handle with a statement cache (see the file comment). */
export class CachedSqliteDriver implements Driver {
  readonly #config: SqliteDriverConfig;
  readonly #mutex = new Mutex();
  #release: (() => void) | null = null;
  #connection: CachedSqliteConnection | null = null;

  constructor(config: SqliteDriverConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    this.#connection = new CachedSqliteConnection(this.#config.database, this.#config.statementCacheSize);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    this.#release = release;
    if (!this.#connection) {
      release();
      throw new Error('the SQLite driver was not initialised or is destroyed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepointCommand('savepoint', name, compileQuery));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepointCommand('rollback to', name, compileQuery));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepointCommand('release', name, compileQuery));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#connection = null;
    this.#config.database.close();
  }
}

/** `<command> <name>` with the name quoted by the dialect's compiler. */
function savepointCommand(command: string, name: string, compileQuery: QueryCompiler['compileQuery']): CompiledQuery {
  return compileQuery(RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]), createQueryId());
}
