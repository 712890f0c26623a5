/**
 * The KQL pipeline end to end: parse → bind → lower (then prune unread columns) → print (DuckDB).
 */
import type { CompiledQuery } from '../domain/ports.ts';
import type { TableDecl } from '../schema/types.ts';
import { PalisadeError } from '../domain/errors.ts';
import { DiscoveryNeeded } from './bind/discovery.ts';
import { ExternalDataNeeded } from './bind/external-data.ts';
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
  /** externaldata is refused unless true; its URLs are then fetched with `fetchExternalData`. */
  allowExternalData?: boolean;
  /** geo_info_from_ip_address is refused unless true (the store then has a GeoIP database). */
  geoIp?: boolean;
  /** Texts already fetched for externaldata, by URL. */
  externalData?: Readonly<Record<string, string>>;
  /** Fetches an externaldata URL's text (compileDiscovering); absent, externaldata is refused. */
  fetchExternalData?: (url: string) => Promise<string>;
  /** Property names already read from the data, by operator id (see compileDiscovering). */
  discovered?: Readonly<Record<string, readonly string[]>>;
  /** Reads only the rows of this committed batch (near-real-time detection rules). */
  batchSeq?: number;
}

/** A lowered plan, or the plan that reads from the data what binding needs first. */
interface Plan {
  query: Query;
  /** Set when `query` lists property names for this operator id instead of answering the query. */
  discover?: string;
}

function plan(text: string, opts: CompileOptions, tables: readonly TableDecl[]): Plan {
  const parsed = parseKql(text);
  const binder = new Binder(parsed, {
    tables,
    tenantId: opts.tenantId,
    deviceScope: opts.deviceScope,
    now: opts.now,
    lookbackDays: opts.lookbackDays ?? 30,
    allowExternalData: opts.allowExternalData ?? false,
    geoIp: opts.geoIp ?? false,
    externalData: opts.externalData,
    discovered: opts.discovered,
    batchSeq: opts.batchSeq,
  });
  let q: Query;
  let discover: string | undefined;
  try {
    q = binder.bindQuery(parsed.root);
  } catch (e) {
    if (!(e instanceof DiscoveryNeeded)) throw e;
    q = { ctes: binder.ctes, rel: e.rel };
    discover = e.id;
  }
  // hidden columns (ingestion time, aliases) never reach the output
  if (q.rel.columns.some((c) => c.hidden)) {
    const shown = q.rel.columns.filter((c) => !c.hidden);
    q.rel = { k: 'project', input: q.rel, items: shown.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: shown };
  }
  return { query: pruneColumns(lower(q)), discover };
}

/** Binds a query text into the lowered relational IR (exposed for tests and tools). */
export function planKql(text: string, opts: CompileOptions, tables: readonly TableDecl[]): Query {
  return plan(text, opts, tables).query;
}

/**
 * Compiles KQL to SQL for `dialect` (DuckDB by default) against the given tables. When the query's
 * columns depend on the data (bag_unpack without an output schema, pivot), the result is the query
 * that reads those names, marked with `discover`: use compileDiscovering to run the whole thing.
 */
export function compileWith(text: string, opts: CompileOptions, tables: readonly TableDecl[], dialect: Dialect = duckdbDialect): CompiledQuery {
  const { query, discover } = plan(text, opts, tables);
  const { sql, params } = printSql(query, dialect);
  const columns = query.rel.columns.map((c) => ({ name: c.name, type: c.type }));
  const compiled: CompiledQuery = { sql, params, columns };
  if (discover) compiled.discover = discover;
  else if (dialect.jsonRows && columns.length > 0) compiled.jsonSql = dialect.jsonRows(columns, sql);
  return compiled;
}

/** Rounds of discovery one query may need (one per bag_unpack without an output schema or externaldata). */
const MAX_DISCOVERY_ROUNDS = 8;

/**
 * compileWith, running the steps the query needs first: discovery queries (executed with `read`,
 * which returns their rows; their property names are passed to the next round) and the fetches of
 * externaldata URLs (with `opts.fetchExternalData`).
 */
export async function compileDiscovering(
  text: string, opts: CompileOptions, read: (q: CompiledQuery) => Promise<unknown[][]>,
  tables: readonly TableDecl[], dialect: Dialect = duckdbDialect,
): Promise<CompiledQuery> {
  const discovered: Record<string, readonly string[]> = { ...opts.discovered };
  const externalData: Record<string, string> = { ...opts.externalData };
  for (let round = 0; round < MAX_DISCOVERY_ROUNDS; round++) {
    let c: CompiledQuery;
    try {
      c = compileWith(text, { ...opts, discovered, externalData }, tables, dialect);
    } catch (e) {
      if (!(e instanceof ExternalDataNeeded)) throw e;
      if (!opts.fetchExternalData) throw new PalisadeError('BadRequest', "The operator 'externaldata' is not supported: this server does not fetch external data");
      for (const url of e.urls) externalData[url] = await opts.fetchExternalData(url);
      continue;
    }
    if (!c.discover) return c;
    const rows = await read(c);
    discovered[c.discover] = rows.map((r) => (r[0] === null || r[0] === undefined ? '' : String(r[0]))).filter((k) => k !== '');
  }
  throw new PalisadeError('BadRequest', `The query needs more than ${MAX_DISCOVERY_ROUNDS} bag_unpack or pivot steps that read names from the data`);
}
