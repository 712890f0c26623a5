/**
 * The DuckDB bulk-load baseline of the ingest benchmark: event rows written as one NDJSON file per
 * table (flat rows with every stored column, hidden ones included), then loaded into a fresh DuckDB
 * file with the event store's own DDL by `INSERT INTO <table> SELECT * FROM read_ndjson(...)` — the
 * fastest way DuckDB itself has to take in the same JSON, with the column types given up front so
 * no time goes into type detection.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { getTable } from '../../src/schema/registry.ts';
import type { TableDecl } from '../../src/schema/types.ts';
import { EVENT_TABLE_DDL } from '../../src/store/events/duckdb/generated-ddl.ts';
import { HIDDEN_COLUMNS, duckDbColumnType, quoteIdent } from '../../src/store/events/duckdb/layout.ts';

/** One NDJSON file of a table and how many rows it holds. */
export interface TableFile {
  table: string;
  path: string;
  rows: number;
}

/** What the bulk load took. */
export interface BulkLoadResult {
  rows: number;
  seconds: number;
  /** Rows per table after the load (read back with count(*)). */
  counts: Record<string, number>;
}

/** Writes rows (already flat objects keyed by column name) to `<dir>/<table>.ndjson`, one file per table. */
export async function writeTableFiles(dir: string, rowsByTable: ReadonlyMap<string, readonly Record<string, unknown>[]>): Promise<TableFile[]> {
  const files: TableFile[] = [];
  for (const [table, rows] of rowsByTable) {
    const path = join(dir, `${table}.ndjson`);
    const out = createWriteStream(path);
    let buf = '';
    for (const r of rows) {
      buf += JSON.stringify(r) + '\n';
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
    files.push({ table, path, rows: rows.length });
  }
  return files;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The `columns={...}` argument of read_ndjson for a table: declared columns then hidden ones, with their stored types. */
export function readNdjsonColumns(t: TableDecl): string {
  const cols: [string, string][] = [
    ...t.columns.map((c): [string, string] => [c.name, duckDbColumnType(c)]),
    [HIDDEN_COLUMNS.tenantId, 'VARCHAR'],
    [HIDDEN_COLUMNS.rbacGroupId, 'INTEGER'],
    [HIDDEN_COLUMNS.ingestTime, 'TIMESTAMP'],
    [HIDDEN_COLUMNS.batchSeq, 'BIGINT'],
  ];
  return `{${cols.map(([n, ty]) => `${sqlString(n)}: ${sqlString(ty)}`).join(', ')}}`;
}

/**
 * Creates a fresh DuckDB database at `dbPath` with the event tables' DDL and loads every file with
 * read_ndjson; only the INSERT statements are timed. `threads` sets DuckDB's thread count (its default,
 * all cores, when absent).
 */
export async function bulkLoadNdjson(dbPath: string, files: readonly TableFile[], opts: { threads?: number } = {}): Promise<BulkLoadResult> {
  const config: Record<string, string> = {};
  if (opts.threads !== undefined) config.threads = String(opts.threads);
  const instance = await DuckDBInstance.create(dbPath, config);
  const conn = await instance.connect();
  try {
    for (const f of files) await conn.run(EVENT_TABLE_DDL[f.table]);
    const started = performance.now();
    let rows = 0;
    for (const f of files) {
      const t = getTable(f.table);
      if (!t) throw new Error(`unknown table ${f.table}`);
      const r = await conn.run(
        `INSERT INTO ${quoteIdent(t.name)} SELECT * FROM read_ndjson(${sqlString(f.path)}, columns = ${readNdjsonColumns(t)}, format = 'newline_delimited', maximum_object_size = 16777216)`,
      );
      rows += r.rowsChanged;
    }
    const seconds = (performance.now() - started) / 1000;
    const counts: Record<string, number> = {};
    for (const f of files) {
      const r = await conn.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(f.table)}`);
      counts[f.table] = Number(r.getRows()[0][0]);
    }
    return { rows, seconds, counts };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
