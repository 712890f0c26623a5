/**
 * DuckDB mappings of KQL aggregate functions (single-output ones; arg_max/arg_min are printed by
 * the dialect's aggregate hook because they produce several columns from one row).
 */
import { PalisadeError } from '../../../domain/errors.ts';
import type { Expr } from '../../ir/ir.ts';
import type { AggHandler, ExprPrinter } from '../dialect.ts';
import { requirePercentages } from '../../ir/percentages.ts';
import { datetimeText7, distinctList, engineCall, jsonList, litNumber, timespanText, toJson } from './sql-helpers.ts';

const E = (p: ExprPrinter, e: Expr) => p.expr(e);
const filt = (p: ExprPrinter, pred: Expr | undefined) => (pred ? ` FILTER (WHERE ${E(p, pred)})` : '');

/** Caps a JSON list aggregate at maxSize elements when given. */
function capped(p: ExprPrinter, list: string, max: Expr | undefined): string {
  return max ? `list_slice(${list}, 1, CAST(${E(p, max)} AS BIGINT))` : list;
}

/** make_list / make_set over one value; dynamic arrays are flattened for make_set as in KQL. */
function makeList(set: boolean, withNulls = false): (p: ExprPrinter, v: Expr, pred: Expr | undefined, max: Expr | undefined) => string {
  return (p, v, pred, max) => {
    const j = toJson(p, v);
    const conds = [withNulls ? null : `${E(p, v)} IS NOT NULL`, pred ? E(p, pred) : null].filter(Boolean);
    const f = conds.length ? ` FILTER (WHERE ${conds.join(' AND ')})` : '';
    let list = `list(${j})${f}`;
    if (set && v.type === 'dynamic') list = `flatten(list(COALESCE(${jsonList(E(p, v))}, [${j}]))${f})`;
    if (set) list = distinctList(list);
    return `COALESCE(to_json(${capped(p, list, max)}), CAST('[]' AS JSON))`;
  };
}

/**
 * Kusto's sums, variances and standard deviations start from 0: a group without a value (all nulls,
 * or the one row a summarize without keys gives for an empty input) gets 0, and so does the variance
 * of a single value, where SQL gives null.
 */
const zeroed = (sql: string, type: string) => `CAST(COALESCE(${sql}, 0) AS ${type})`;

/**
 * A DuckDB list of the weighted nearest-rank percentiles of `v` (weights `w`): the group's values
 * sorted, and their weights in the same order handed to the engine function that finds each
 * percentile's position (src/kql/runtime/weighted-percentile.ts). Rows with a null value or a weight
 * that is not positive count for nothing. Ties need no stable order: the positions within a run of
 * equal values all hold the same value.
 */
/** A datetime or timespan value (SQL of its ticks) as its KQL text, the form dynamic arrays hold; other values as they are. */
function asText(v: Expr, sql: string): string {
  return v.type === 'datetime' ? datetimeText7(sql) : v.type === 'timespan' ? timespanText(sql) : sql;
}

function weightedPercentiles(p: ExprPrinter, v: Expr, w: Expr, pcts: number[]): string {
  const value = E(p, v);
  const weight = E(p, w);
  const keep = ` FILTER (WHERE ${value} IS NOT NULL AND ${weight} > 0)`;
  const positions = engineCall('weighted_percentile_positions', [`CAST(to_json(list(${weight} ORDER BY ${value})${keep}) AS VARCHAR)`, p.param(JSON.stringify(pcts), 'string')], true);
  return `list_select(list(${value} ORDER BY ${value})${keep}, CAST(${positions} AS BIGINT[]))`;
}

/**
 * An hll() sketch, kept exact: the JSON array of the group's distinct non-null values (as JSON, so
 * 1 and "1" stay apart), sorted; null when there is none (as Kusto's sketch of an empty input).
 * hll_merge unites such arrays and dcount_hll counts one, so dcount_hll gives the exact distinct
 * count where Kusto's HyperLogLog estimates it; the accuracy argument changes nothing.
 */
function hllSketch(p: ExprPrinter, v: Expr, pred: Expr | undefined): string {
  const keep = [`${E(p, v)} IS NOT NULL`, pred ? E(p, pred) : null].filter(Boolean).join(' AND ');
  return `to_json(list_sort(list_distinct(list(${toJson(p, v)}) FILTER (WHERE ${keep}))))`;
}

/** The DuckDB aggregate table, keyed by KQL name. */
export const DUCKDB_AGGREGATES: Record<string, AggHandler> = {
  // count(expr): the rows where expr is not null (a string is never null in KQL)
  count: (p, [v]) => (v && v.type !== 'string' ? `CAST(count(${E(p, v)}) AS BIGINT)` : 'CAST(count(*) AS BIGINT)'),
  countif: (p, [pred]) => `CAST(count(*)${filt(p, pred)} AS BIGINT)`,
  dcount: (p, [v]) => `CAST(count(DISTINCT ${E(p, v)}) AS BIGINT)`,
  dcountif: (p, [v, pred]) => `CAST(count(DISTINCT ${E(p, v)})${filt(p, pred)} AS BIGINT)`,
  sum: (p, [v], item) => zeroed(`sum(${E(p, v)})`, p.dialect.sqlType(item.outs[0].type)),
  sumif: (p, [v, pred], item) => zeroed(`sum(${E(p, v)})${filt(p, pred)}`, p.dialect.sqlType(item.outs[0].type)),
  avg: (p, [v], item) => avg(p, v, undefined, item.outs[0].type),
  avgif: (p, [v, pred], item) => avg(p, v, pred, item.outs[0].type),
  min: (p, [v]) => `min(${E(p, v)})`,
  max: (p, [v]) => `max(${E(p, v)})`,
  minif: (p, [v, pred]) => `min(${E(p, v)})${filt(p, pred)}`,
  maxif: (p, [v, pred]) => `max(${E(p, v)})${filt(p, pred)}`,
  take_any: (p, [v]) => `any_value(${E(p, v)})`,
  take_anyif: (p, [v, pred]) => `any_value(${E(p, v)})${filt(p, pred)}`,
  make_list: (p, [v, max]) => makeList(false)(p, v, undefined, max),
  make_list_if: (p, [v, pred, max]) => makeList(false)(p, v, pred, max),
  make_list_with_nulls: (p, [v, max]) => makeList(false, true)(p, v, undefined, max),
  make_set: (p, [v, max]) => makeList(true)(p, v, undefined, max),
  make_set_if: (p, [v, pred, max]) => makeList(true)(p, v, pred, max),
  make_bag: (p, [v]) => bag(p, v, undefined),
  make_bag_if: (p, [v, pred]) => bag(p, v, pred),
  buildschema: (p, [v]) => engineCall('buildschema', [`CAST(to_json(list(${toJson(p, v)}) FILTER (WHERE ${E(p, v)} IS NOT NULL)) AS VARCHAR)`], true),
  // an exact t-digest: the group's [value, weight] pairs sorted by value (see src/kql/runtime/tdigest.ts); null for no value
  tdigest: (p, [v, w]) => (v.type === 'datetime' ? p.fail('tdigest() of datetime values is not supported (its digest holds numbers)') : `to_json(list([CAST(${E(p, v)} AS DOUBLE), ${w ? `CAST(${E(p, w)} AS DOUBLE)` : '1.0'}] ORDER BY ${E(p, v)}) FILTER (WHERE ${E(p, v)} IS NOT NULL))`),
  tdigest_merge: (p, [d]) => `to_json(list_sort(flatten(list(TRY_CAST(${E(p, d)} AS DOUBLE[][])) FILTER (WHERE ${E(p, d)} IS NOT NULL))))`,
  hll: (p, [v]) => hllSketch(p, v, undefined),
  hll_if: (p, [v, pred]) => hllSketch(p, v, pred),
  hll_merge: (p, [h]) => `to_json(list_sort(list_distinct(flatten(list(${jsonList(E(p, h))}) FILTER (WHERE ${E(p, h)} IS NOT NULL)))))`,
  percentile: (p, [v, pct]) => {
    const n = litNumber(pct);
    if (n === undefined || n < 0 || n > 100) throw new PalisadeError('BadRequest', 'A percentile must be a constant between 0 and 100');
    return `quantile_disc(${E(p, v)}, ${p.param(n / 100, 'real')})`;
  },
  percentiles_array: (p, [v, ...pcts]) => `to_json([${requirePercentages(pcts).map((x) => asText(v, `quantile_disc(${E(p, v)}, ${p.param(x / 100, 'real')})`)).join(', ')}])`,
  percentilew: (p, [v, w, pct]) => `${weightedPercentiles(p, v, w, requirePercentages([pct]))}[1]`,
  percentilesw_array: (p, [v, w, ...pcts]) => `to_json(${v.type === 'datetime' || v.type === 'timespan' ? `list_transform(${weightedPercentiles(p, v, w, requirePercentages(pcts))}, x -> ${asText(v, 'x')})` : weightedPercentiles(p, v, w, requirePercentages(pcts))})`,
  stdev: (p, [v]) => zeroed(`stddev_samp(${E(p, v)})`, 'DOUBLE'),
  stdevif: (p, [v, pred]) => zeroed(`stddev_samp(${E(p, v)})${filt(p, pred)}`, 'DOUBLE'),
  stdevp: (p, [v]) => zeroed(`stddev_pop(${E(p, v)})`, 'DOUBLE'),
  variance: (p, [v]) => zeroed(`var_samp(${E(p, v)})`, 'DOUBLE'),
  varianceif: (p, [v, pred]) => zeroed(`var_samp(${E(p, v)})${filt(p, pred)}`, 'DOUBLE'),
  variancep: (p, [v]) => zeroed(`var_pop(${E(p, v)})`, 'DOUBLE'),
  variancepif: (p, [v, pred]) => zeroed(`var_pop(${E(p, v)})${filt(p, pred)}`, 'DOUBLE'),
  // like variance, a group of one pair (or none) answers 0, not null
  covariance: (p, [a, b]) => zeroed(`covar_samp(${E(p, a)}, ${E(p, b)})`, 'DOUBLE'),
  covarianceif: (p, [a, b, pred]) => zeroed(`covar_samp(${E(p, a)}, ${E(p, b)})${filt(p, pred)}`, 'DOUBLE'),
  covariancep: (p, [a, b]) => zeroed(`covar_pop(${E(p, a)}, ${E(p, b)})`, 'DOUBLE'),
  __series_pairs: (p, [i, v]) => `to_json(list(json_object('i', ${E(p, i)}, 'v', ${toJson(p, v)})))`,
  binary_all_and: (p, [v]) => `bit_and(${E(p, v)})`,
  binary_all_or: (p, [v]) => `bit_or(${E(p, v)})`,
  binary_all_xor: (p, [v]) => `bit_xor(${E(p, v)})`,
};

function avg(p: ExprPrinter, v: Expr, pred: Expr | undefined, type: string): string {
  // datetimes exactly, to the tick: the sum of the ticks divided by the count
  if (v.type === 'datetime') return `CAST(sum(CAST(${E(p, v)} AS HUGEINT))${filt(p, pred)} // count(${E(p, v)})${filt(p, pred)} AS BIGINT)`;
  if (v.type === 'timespan') return `CAST(avg(${E(p, v)})${filt(p, pred)} AS BIGINT)`;
  if (type === 'decimal') return `CAST(avg(${E(p, v)})${filt(p, pred)} AS DECIMAL(38,10))`;
  // Kusto divides the sum by the count: no value at all gives NaN, not null
  return `COALESCE(CAST(avg(${E(p, v)})${filt(p, pred)} AS DOUBLE), CAST('NaN' AS DOUBLE))`;
}

function bag(p: ExprPrinter, v: Expr, pred: Expr | undefined): string {
  const conds = [`json_type(${E(p, v)}) = 'OBJECT'`, pred ? E(p, pred) : null].filter(Boolean).join(' AND ');
  return `COALESCE(list_reduce(list(${E(p, v)}) FILTER (WHERE ${conds}), (a, b) -> json_merge_patch(a, b)), CAST('{}' AS JSON))`;
}
