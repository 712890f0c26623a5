/**
 * A bounded LRU of prepared better-sqlite3 statements keyed by SQL text. Preparing is a parse and
 * plan in SQLite (tens of microseconds for a list query); the state store issues the same few
 * dozen statement texts over and over, so each is prepared once and reused.
 */
import type { Database, Statement } from 'better-sqlite3';
import { rowBuilder, type RowBuilder } from './row-builder.ts';

/** One cached statement. Reader statements run in raw mode; `buildRow` turns their arrays into rows. */
export interface CachedStatement {
  readonly stmt: Statement;
  /** True when the statement returns rows (SELECT, or a write with RETURNING). */
  readonly reader: boolean;
  /** The row builder for the result's columns; null until first built (see `rowsOf`). */
  buildRow: RowBuilder | null;
  /** How many columns `buildRow` was built for. */
  width: number;
}

/** Default number of statements kept. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

/**
 * Prepared statements of one database handle, at most `capacity` of them; the least recently used
 * is dropped first. Not safe to share between handles.
 */
export class StatementCache {
  readonly #db: Database;
  readonly #capacity: number;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  readonly #entries = new Map<string, CachedStatement>();

  constructor(db: Database, capacity = DEFAULT_STATEMENT_CACHE_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`statement cache capacity must be a positive integer, got ${capacity}`);
    this.#db = db;
    this.#capacity = capacity;
  }

  /** How many statements are cached. */
  get size(): number {
    return this.#entries.size;
  }

  /** The statement for `sql`, prepared on first use (throws what `prepare` throws; nothing is cached then). */
  get(sql: string): CachedStatement {
    const hit = this.#entries.get(sql);
    if (hit) {
      this.#entries.delete(sql);
      this.#entries.set(sql, hit);
      return hit;
    }
    const stmt = this.#db.prepare(sql);
    const entry: CachedStatement = { stmt: stmt.reader ? stmt.raw(true) : stmt, reader: stmt.reader, buildRow: null, width: 0 };
    this.#entries.set(sql, entry);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return entry;
  }

  /** Forgets every statement (after DDL, whose tables the cached row shapes may describe). */
  clear(): void {
    this.#entries.clear();
  }
}

/**
 * Runs a cached reader statement and returns its rows as objects. The row shape is taken from the
 * statement's columns after the first run and taken again whenever a result row has a different
 * width (the schema changed under a `select *`).
 */
export function rowsOf(entry: CachedStatement, parameters: readonly unknown[]): Record<string, unknown>[] {
  const values = entry.stmt.all(parameters) as unknown[][];
  if (!values.length) return [];
  if (!entry.buildRow || entry.width !== values[0].length) {
    entry.buildRow = rowBuilder(entry.stmt.columns().map((c) => c.name));
    entry.width = values[0].length;
  }
  const build = entry.buildRow;
  const rows = new Array<Record<string, unknown>>(values.length);
  for (let i = 0; i < values.length; i++) rows[i] = build(values[i]);
  return rows;
}
