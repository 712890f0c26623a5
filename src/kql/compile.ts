/**
 * The KQL pipeline end to end: parse → bind → lower (then prune unread columns) → print (DuckDB).
 */
import type { CompiledQuery } from '../domain/ports.ts';
import type { TableDecl } from '../schema/types.ts';
import { Binder } from './bind/binder.ts';
import { ir, type Query } from './ir/ir.ts';
import { lower } from './lower/lower.ts';
import { pruneColumns } from './lower/prune.ts';
import { parseKql } from './parse/parse.ts';
import type { Dialect } from './print/dialect.ts';
import { duckdbDialect } from './print/duckdb/dialect.ts';
import { printSql } from './print/sql-printer.ts';

/** Options of compileKql. */
export interface CompileOptions {
  tenantId: string;
  deviceScope: 'all' | readonly number[];
  now: Date;
  /** Look-back limit in days for tables with Timestamp (default 30, as MDE). */
  lookbackDays?: number;
  /** externaldata is refused unless true (and even then the fetch is disabled). */
  allowExternalData?: boolean;
}

/** Binds a query text into the lowered relational IR (exposed for tests and tools). */
export function planKql(text: string, opts: CompileOptions, tables: readonly TableDecl[]): Query {
  const parsed = parseKql(text);
  const binder = new Binder(parsed, {
    tables,
    tenantId: opts.tenantId,
    deviceScope: opts.deviceScope,
    now: opts.now,
    lookbackDays: opts.lookbackDays ?? 30,
    allowExternalData: opts.allowExternalData ?? false,
  });
  const q = binder.bindQuery(parsed.root);
  // hidden columns (ingestion time, aliases) never reach the output
  if (q.rel.columns.some((c) => c.hidden)) {
    const shown = q.rel.columns.filter((c) => !c.hidden);
    q.rel = { k: 'project', input: q.rel, items: shown.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: shown };
  }
  return pruneColumns(lower(q));
}

/** Compiles KQL to SQL for `dialect` (DuckDB by default) against the given tables. */
export function compileWith(text: string, opts: CompileOptions, tables: readonly TableDecl[], dialect: Dialect = duckdbDialect): CompiledQuery {
  const q = planKql(text, opts, tables);
  const { sql, params } = printSql(q, dialect);
  return { sql, params, columns: q.rel.columns.map((c) => ({ name: c.name, type: c.type })) };
}
