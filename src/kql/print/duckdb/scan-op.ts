/**
 * The scan operator in DuckDB SQL. The input rows are numbered in their order; one aggregation
 * collects them twice, in that order: as a list of structs (every input column, from which the
 * output rows are picked) and as JSON objects of what the state machine needs (row values `h…` and
 * kept state columns `k…`, datetimes as the text of their ticks). The engine function kql_scan runs the state
 * machine (src/kql/runtime/scan.ts) and returns the output rows as JSON `{q, i, s, m, d…}`: their
 * position in the output, the position of the input row, the step, the match id and the declared
 * columns' values.
 */
import type { ScanOp } from '../../ir/ir.ts';
import type { KqlType } from '../../types.ts';
import type { ExprPrinter } from '../dialect.ts';
import type { ScanPlan } from '../../ir/scan-plan.ts';
import { engineCall } from './sql-helpers.ts';

/** Most input rows one scan (or one partition of it) takes. */
export const MAX_SCAN_ROWS = 5_000_000;

/** The JSON type from_json reads a declared value as (datetime as the text of its ticks, dynamic as JSON). */
const JSON_TYPES: Record<KqlType, string> = {
  string: 'VARCHAR', guid: 'VARCHAR', long: 'BIGINT', int: 'INTEGER', real: 'DOUBLE', decimal: 'DOUBLE', bool: 'BOOLEAN',
  datetime: 'VARCHAR', timespan: 'BIGINT', dynamic: 'JSON',
};

/** A value as the state machine takes it (JSON has no NaN or infinities: those cross as text). */
function handOver(sql: string, type: KqlType): string {
  // ticks beyond 2^53 would lose digits as JSON numbers
  if (type === 'datetime') return `CAST(${sql} AS VARCHAR)`;
  if (type === 'real' || type === 'decimal') {
    const x = type === 'decimal' ? `CAST(${sql} AS DOUBLE)` : sql;
    return `(CASE WHEN isfinite(${x}) OR ${x} IS NULL THEN to_json(${x}) ELSE to_json(CAST(${x} AS VARCHAR)) END)`;
  }
  return sql;
}

/** A declared value read back from the state machine's JSON, as its SQL type. */
function takeBack(p: ExprPrinter, sql: string, type: KqlType): string {
  switch (type) {
    case 'datetime': return `CAST(${sql} AS BIGINT)`;
    case 'string': return `COALESCE(${sql}, '')`;
    case 'decimal': return `CAST(${sql} AS ${p.dialect.sqlType('decimal')})`;
    default: return sql;
  }
}

/** SELECT for a scan over `input` (SQL of its input relation). */
export function scanOpSql(p: ExprPrinter, r: ScanOp, plan: ScanPlan, input: string): string {
  const q = p.dialect.quoteIdent;
  const a = p.alias();
  const b = p.alias();
  const g = p.alias();
  const u = p.alias();
  const x = p.alias();
  const order = r.order.map((k) => `${p.expr(k.expr)} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ');
  const numbered = `SELECT *, row_number() OVER (${order ? `ORDER BY ${order}` : ''}) AS __i FROM (${input}) AS ${a}`;
  const whole = r.input.columns.map((c, j) => `f${j} := ${q(c.name)}`);
  const handed = [
    ...plan.rowValues.map((e, j) => `h${j} := ${handOver(p.expr(e), e.type)}`),
    ...plan.kept.map((c, j) => `k${j} := ${handOver(q(c.name), c.type)}`),
  ];
  const listed = handed.length ? `CAST(to_json(list(struct_pack(${handed.join(', ')}) ORDER BY __i)) AS VARCHAR)` : `CAST(to_json(list(0 ORDER BY __i)) AS VARCHAR)`;
  // the state machine holds the whole input in memory: past the cap, a clear error instead
  const rowsJson = `CASE WHEN count(*) > ${MAX_SCAN_ROWS} THEN error(${p.param(`scan: the input has more than ${MAX_SCAN_ROWS.toLocaleString('en-US')} rows; filter or summarize it first`, 'string')}) ELSE ${listed} END`;
  const collected = `SELECT list(struct_pack(${whole.join(', ')}) ORDER BY __i) AS __rows, ${rowsJson} AS __js FROM (${numbered}) AS ${b}`;
  const shape = JSON.stringify([{ q: 'BIGINT', i: 'BIGINT', s: 'BIGINT', m: 'BIGINT', ...Object.fromEntries(r.declared.map((d, j) => [`d${j}`, JSON_TYPES[d.type]])) }]);
  const call = engineCall('scan', [p.param(JSON.stringify(plan.spec), 'string'), `${g}.__js`]);
  // Output rows are picked from the list by position (list_select) and unnested beside their JSON
  // outputs in the select list: linear in the rows, and no lateral join, so that a scan inside
  // `partition by` (a correlated subquery) decorrelates.
  const picked = `SELECT ${g}.__rows, from_json(${call}, ${p.param(shape, 'string')}) AS __out FROM (${collected}) AS ${g}`;
  const outputs = `SELECT unnest(list_select(${u}.__rows, list_transform(${u}.__out, (o) -> o.i + 1))) AS __r, unnest(${u}.__out) AS __o FROM (${picked}) AS ${u}`;
  const cols = [
    ...r.input.columns.map((c, j) => `${x}.__r.f${j} AS ${q(c.name)}`),
    ...r.declared.map((d, j) => `${takeBack(p, `${x}.__o.d${j}`, d.type)} AS ${q(d.name)}`),
  ];
  if (r.matchId) cols.push(`${x}.__o.m AS ${q(r.matchId)}`);
  if (r.stepName) cols.push(`CASE ${x}.__o.s ${r.steps.map((st, k) => `WHEN ${k} THEN ${p.param(st.name, 'string')}`).join(' ')} END AS ${q(r.stepName)}`);
  return `SELECT ${cols.join(', ')} FROM (${outputs}) AS ${x} ORDER BY ${x}.__o.q`;
}
