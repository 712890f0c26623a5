/**
 * kysely's SqliteDialect, except that transactions start with BEGIN IMMEDIATE: the write lock is
 * taken up front, so a transaction that reads and then writes waits (busy_timeout) for another
 * process's writer instead of failing with SQLITE_BUSY when it tries to upgrade its lock.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** A SqliteDialect whose transactions begin immediate. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
