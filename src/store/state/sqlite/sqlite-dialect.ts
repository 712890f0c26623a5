/** The kysely dialect of the SQLite state store: kysely's SQLite compiler over our driver. */
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { CachedSqliteDriver, type SqliteDriverConfig } from './sqlite-driver.ts';

/**
 * SQLite as kysely sees it (same SQL, adapter and introspection as kysely's SqliteDialect), run
 * by CachedSqliteDriver: cached prepared statements, raw-mode reads, BEGIN IMMEDIATE transactions.
 */
export class CachedSqliteDialect implements Dialect {
  readonly #config: SqliteDriverConfig;

  constructor(config: SqliteDriverConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new CachedSqliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
