/**
 * The plugins that aggregate over a window of bins ending at each bin, per combination of dimensions.
 * Each row is expanded to the bins whose window holds it (its own bin and the ones after it within
 * the window), then the rows are grouped by that bin.
 *
 * - `evaluate sliding_window_counts(IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin [, dim…])`:
 *   for each bin of [Start, End] (bins of Bin from Start), the rows (`Count`) and distinct ids
 *   (`dcount`, exact here) of the window of LookbackWindow ending with that bin. Bins no row reaches
 *   are not output.
 * - `evaluate rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, WindowSize [, dim…])`:
 *   for each bin (of BinSize) that holds rows, the percentile (nearest rank, as `percentile`) of the
 *   values of that bin and the WindowSize - 1 bins before it, as `rolling_<W>_percentile_<col>_<P>`.
 */
import { ir, type Expr, type NamedExpr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import { AGGREGATE_FUNCTIONS, resultType } from '../functions/catalog.ts';
import type { Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { nameText, UniqueNames } from './naming.ts';
import { RowScope } from './scope.ts';

const BIN = '__rw_bin';
const STEP = '__rw_step';
const AT = '__rw_at';
const VALUE = '__rw_value';
/** Most bins one row may be counted in. */
const MAX_STEPS = 10_000;

/** The column a name reference names, for the output column names. */
function refName(n: Syn): string | null {
  return n.type === 'node' && n.kind === 'NameReference' ? nameText(n) : null;
}

function pluginArgs(fc: SynNode): Syn[] {
  const argList = childNode(fc, 'ArgumentList');
  return argList ? childList(argList, 'Expressions') : [];
}

function constant(b: Binder, env: Env, n: Syn, type: 'datetime' | 'timespan' | 'real' | 'long', plugin: string, what: string): Expr {
  const e = b.expr.bind(n, { env, row: RowScope.of([]) });
  const numeric = type === 'real' || type === 'long';
  if (e.k !== 'lit' || e.value === null || (numeric ? !['int', 'long', 'real', 'decimal'].includes(e.type) : e.type !== type)) {
    return b.fail(n as SynNode, `${plugin}: ${what} must be a constant ${numeric ? 'number' : type}`);
  }
  return e;
}

const cols = (items: readonly NamedExpr[]): Column[] => items.map((i) => ({ name: i.name, type: i.expr.type }));

/**
 * `input`'s rows with their bin (`binOf`), value and dimensions, each repeated for the `steps` bins
 * from its own: columns AT (the window's bin), VALUE and the dimensions.
 */
function expandToWindows(input: Rel, binOf: Expr, binSize: Expr, steps: number, value: Expr, dims: readonly NamedExpr[]): Rel {
  const dimRefs = dims.map((d) => ({ name: d.name, expr: ir.col(d.name, d.expr.type) }));
  const binnedItems: NamedExpr[] = [{ name: BIN, expr: binOf }, { name: VALUE, expr: value }, ...dims];
  const binned: Rel = { k: 'project', input, items: binnedItems, columns: cols(binnedItems) };
  const offsets = ir.lit(JSON.stringify(Array.from({ length: steps }, (_, i) => i)), 'dynamic');
  const expanded: Rel = {
    k: 'mvexpand', input: binned, items: [{ name: STEP, expr: offsets, type: 'long' }], indexName: null, limit: null,
    columns: [...binned.columns, { name: STEP, type: 'long' }], bagExpansion: 'bag',
  };
  const at = ir.call('+', [ir.col(BIN, 'datetime'), ir.call('*', [binSize, ir.col(STEP, 'long')], 'timespan')], 'datetime');
  const placedItems: NamedExpr[] = [
    { name: AT, expr: at }, { name: VALUE, expr: ir.col(VALUE, value.type) }, { name: STEP, expr: ir.col(STEP, 'long') }, ...dimRefs,
  ];
  return { k: 'project', input: expanded, items: placedItems, columns: cols(placedItems) };
}

function steps(b: Binder, node: Syn, plugin: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) return b.fail(node as SynNode, `${plugin}: the window must span at least one bin`);
  if (n > MAX_STEPS) return b.fail(node as SynNode, `${plugin}: the window may span at most ${MAX_STEPS} bins`);
  return n;
}

/** Binds `evaluate sliding_window_counts(...)` over `input`. */
export function bindSlidingWindowCounts(b: Binder, input: Rel, fc: SynNode, env: Env): Rel {
  const P = 'sliding_window_counts';
  const args = pluginArgs(fc);
  if (args.length < 6) return b.fail(fc, `${P} takes IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin and optional dimension columns`);
  const row = RowScope.of(input.columns);
  const ofRow = (n: Syn): Expr => b.expr.bind(n, { env, row });
  const id = ofRow(args[0]);
  const timeline = ofRow(args[1]);
  if (timeline.type !== 'datetime') return b.fail(args[1] as SynNode, `${P}: TimelineColumn must be a datetime`);
  const start = constant(b, env, args[2], 'datetime', P, 'Start');
  const end = constant(b, env, args[3], 'datetime', P, 'End');
  const lookback = constant(b, env, args[4], 'timespan', P, 'LookbackWindow');
  const bin = constant(b, env, args[5], 'timespan', P, 'Bin');
  const binTicks = Number(bin.k === 'lit' ? bin.value : 0);
  if (!(binTicks > 0)) return b.fail(args[5] as SynNode, `${P}: Bin must be positive`);
  const n = steps(b, args[4], P, Math.ceil(Number(lookback.k === 'lit' ? lookback.value : 0) / binTicks));

  const names = new UniqueNames();
  const timelineName = names.take(refName(args[1]) ?? 'Timestamp');
  const dims: NamedExpr[] = args.slice(6).map((d, i) => ({ name: names.take(refName(d) ?? `Column${i + 1}`), expr: ofRow(d) }));
  const binOf = ir.call('bin_at', [timeline, bin, start], 'datetime');
  const inRange: Rel = {
    k: 'filter', input,
    cond: ir.call('and', [ir.call('>=', [timeline, start], 'bool'), ir.call('<=', [binOf, ir.call('bin_at', [end, bin, start], 'datetime')], 'bool')], 'bool'),
    columns: input.columns,
  };
  const windows = expandToWindows(inRange, binOf, bin, n, id, dims);
  const kept: Rel = { k: 'filter', input: windows, cond: ir.call('<=', [ir.col(AT, 'datetime'), end], 'bool'), columns: windows.columns };
  const keys: NamedExpr[] = [{ name: timelineName, expr: ir.col(AT, 'datetime') }, ...dims.map((d) => ({ name: d.name, expr: ir.col(d.name, d.expr.type) }))];
  const countName = names.take('Count');
  const dcountName = names.take('dcount');
  const grouped: Rel = {
    k: 'aggregate', input: kept, keys,
    aggs: [
      { fn: 'count', args: [], outs: [{ name: countName, type: 'long' }] },
      { fn: 'dcount', args: [ir.col(VALUE, id.type)], outs: [{ name: dcountName, type: 'long' }] },
    ],
    columns: [...cols(keys), { name: countName, type: 'long' }, { name: dcountName, type: 'long' }],
  };
  return { k: 'sort', input: grouped, keys: [{ expr: ir.col(timelineName, 'datetime'), desc: false, nullsFirst: true }], columns: grouped.columns };
}

/** Binds `evaluate rolling_percentile(...)` over `input`. */
export function bindRollingPercentile(b: Binder, input: Rel, fc: SynNode, env: Env): Rel {
  const P = 'rolling_percentile';
  const args = pluginArgs(fc);
  if (args.length < 5) return b.fail(fc, `${P} takes ValueColumn, Percentile, IndexColumn, BinSize, WindowSize and optional dimension columns`);
  const row = RowScope.of(input.columns);
  const ofRow = (n: Syn): Expr => b.expr.bind(n, { env, row });
  const value = ofRow(args[0]);
  if (!['int', 'long', 'real', 'decimal', 'datetime', 'timespan'].includes(value.type)) return b.fail(args[0] as SynNode, `${P}: ValueColumn must be numeric`);
  const pct = constant(b, env, args[1], 'real', P, 'Percentile');
  const pctValue = Number(pct.k === 'lit' ? pct.value : Number.NaN);
  if (!(pctValue >= 0 && pctValue <= 100)) return b.fail(args[1] as SynNode, `${P}: Percentile must be between 0 and 100`);
  const index = ofRow(args[2]);
  if (index.type !== 'datetime') return b.fail(args[2] as SynNode, `${P}: IndexColumn must be a datetime`);
  const bin = constant(b, env, args[3], 'timespan', P, 'BinSize');
  if (!(Number(bin.k === 'lit' ? bin.value : 0) > 0)) return b.fail(args[3] as SynNode, `${P}: BinSize must be positive`);
  const size = constant(b, env, args[4], 'long', P, 'WindowSize');
  const n = steps(b, args[4], P, Number(size.k === 'lit' ? size.value : 0));

  const names = new UniqueNames();
  const indexName = names.take(refName(args[2]) ?? 'Timestamp');
  const dims: NamedExpr[] = args.slice(5).map((d, i) => ({ name: names.take(refName(d) ?? `Column${i + 1}`), expr: ofRow(d) }));
  const windows = expandToWindows(input, ir.call('bin', [index, bin], 'datetime'), bin, n, value, dims);
  const keys: NamedExpr[] = [{ name: indexName, expr: ir.col(AT, 'datetime') }, ...dims.map((d) => ({ name: d.name, expr: ir.col(d.name, d.expr.type) }))];
  const outName = names.take(`rolling_${n}_percentile_${refName(args[0]) ?? 'value'}_${String(pctValue).replace('.', '_')}`);
  const OWN = '__rw_own';
  const values = ir.col(VALUE, value.type);
  const out: Column = { name: outName, type: resultType(AGGREGATE_FUNCTIONS.percentile, [values]) };
  const grouped: Rel = {
    k: 'aggregate', input: windows, keys,
    aggs: [
      { fn: 'percentile', args: [values, ir.lit(pctValue, 'real')], outs: [out] },
      // a bin is output only when it holds rows of its own
      { fn: 'countif', args: [ir.call('==', [ir.col(STEP, 'long'), ir.lit(0, 'long')], 'bool')], outs: [{ name: OWN, type: 'long' }] },
    ],
    columns: [...cols(keys), out, { name: OWN, type: 'long' }],
  };
  const own: Rel = { k: 'filter', input: grouped, cond: ir.call('>', [ir.col(OWN, 'long'), ir.lit(0, 'long')], 'bool'), columns: grouped.columns };
  const shown = grouped.columns.filter((c) => c.name !== OWN);
  const projected: Rel = { k: 'project', input: own, items: shown.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: shown };
  return { k: 'sort', input: projected, keys: [{ expr: ir.col(indexName, 'datetime'), desc: false, nullsFirst: true }], columns: shown };
}
