/**
 * Runs documentation cases (the kql-docs cases.jsonl format) on an in-memory DuckDB: compiles
 * each query with no event tables (docs cases use datatable/print/range), executes it with a
 * per-case timeout and compares the result with the documented table strictly (compare.ts). The
 * documentation errors Palisade knows of (docs-known-errors.json beside this file: a case whose
 * printed column names are wrong, with the reason) give the names compared instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { CompiledQuery } from '../../src/domain/ports.ts';
import { registerEngineFunctions } from '../../src/store/events/duckdb/engine-functions.ts';
import { cellConverter } from '../../src/store/events/duckdb/values.ts';
import { compileDiscovering } from '../../src/kql/compile.ts';
import { formatValue } from '../../src/kql/result-format.ts';
import { compareTables, type ExpectedTable } from './compare.ts';
import { usesOnlyListed } from './listed.ts';

/** One case of a cases.jsonl file (fields this runner uses). */
export interface DocsCase {
  id: string;
  page: string;
  query: string;
  expected: ExpectedTable;
  ordered?: boolean;
  flags?: string[];
  operators?: Record<string, number>;
  functions?: Record<string, number>;
}

/** The outcome of one case. */
export interface CaseOutcome {
  id: string;
  page: string;
  category: string;
  status: 'pass' | 'fail' | 'error';
  reason?: string;
  /** Flagged random/approximate/nondeterministic: informational only. */
  informational: boolean;
  /** Uses only the operators and functions of the coverage list. */
  listedOnly: boolean;
  /** Column names that differ from the documented table (informational). */
  nameMismatch?: string;
  ms: number;
}

/** A category for reporting: the kind of documentation page. */
export function categoryOf(page: string): string {
  if (page.includes('functions-library')) return 'functions-library';
  if (/aggregation-function\.md$/.test(page)) return 'aggregation-functions';
  if (/-function\.md$/.test(page)) return 'scalar-functions';
  if (/-operator\.md$/.test(page)) return 'tabular-operators';
  if (/graph/.test(page)) return 'graph';
  return 'other';
}

/** A query's rows with each cell converted as the event store hands it to the hunting API. */
async function readRows(conn: DuckDBConnection, q: CompiledQuery): Promise<unknown[][]> {
  const reader = await conn.runAndReadAll(q.sql, q.params as never[]);
  const convert = reader.columnTypes().map((t, i) => cellConverter(t, q.columns[i]?.type));
  return reader.getRows().map((r) => r.map((v, i) => convert[i](v)));
}

const INFORMATIONAL = /^(nondeterministic|approximate)|random/;

/** A documented table whose column names are wrong in the documentation, and why. */
interface KnownDocError {
  id: string;
  columns: string[];
  reason: string;
}

/** The known documentation errors by case id. */
export function loadKnownDocErrors(file = join(import.meta.dirname, 'docs-known-errors.json')): Map<string, KnownDocError> {
  const list = JSON.parse(readFileSync(file, 'utf8')) as KnownDocError[];
  for (const k of list) {
    if (!k.id || !Array.isArray(k.columns) || !k.reason) throw new Error(`${file}: each entry needs id, columns and reason`);
  }
  return new Map(list.map((k) => [k.id, k]));
}

/** Runs every case; `now` fixes now()/ago() for all of them. */
export async function runDocsCases(cases: DocsCase[], opts: { timeoutMs?: number; now?: Date } = {}): Promise<CaseOutcome[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? new Date('2024-01-01T00:00:00Z');
  const known = loadKnownDocErrors();
  const out: CaseOutcome[] = [];
  for (const c of cases) {
    // a fresh in-memory database per case: no state or memory carries over between cases
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' });
    const conn = await instance.connect();
    registerEngineFunctions(conn);
    try {
      out.push(await runOne(conn, c, timeoutMs, now, known.get(c.id)?.columns));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }
  return out;
}

async function runOne(conn: DuckDBConnection, c: DocsCase, timeoutMs: number, now: Date, names?: string[]): Promise<CaseOutcome> {
  const started = performance.now();
  const base = {
    id: c.id, page: c.page, category: categoryOf(c.page),
    informational: (c.flags ?? []).some((f) => INFORMATIONAL.test(f)),
    listedOnly: usesOnlyListed(c.operators ?? {}, c.functions ?? {}),
  };
  const done = (status: CaseOutcome['status'], reason?: string): CaseOutcome => ({ ...base, status, reason, ms: performance.now() - started });
  const timer = setTimeout(() => conn.interrupt(), timeoutMs);
  let compiled;
  try {
    // bag_unpack steps that read property names run on the same connection
    const read = (q: CompiledQuery) => readRows(conn, q);
    compiled = await compileDiscovering(c.query, { tenantId: 'docs', deviceScope: 'all', now }, read, []);
  } catch (e) {
    clearTimeout(timer);
    return done('error', `compile: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const rows = (await readRows(conn, compiled)).map((r) => r.map((v, i) => formatValue(v, compiled.columns[i]?.type ?? 'string')));
    const cmp = compareTables({ columns: compiled.columns, rows }, c.expected, !!c.ordered, names);
    return cmp.ok ? done('pass') : done('fail', cmp.reason);
  } catch (e) {
    return done('error', `run: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}
