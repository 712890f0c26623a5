/**
 * make-series: `make-series [kind=nonempty] agg [default=v], … on Axis from A to B step S [by keys]`.
 * Rows in [A, B) are aggregated per bin of size S; each group yields one array per aggregate (the
 * default where a bin is empty) plus the array of bin starts, named after the axis column.
 */
import { ir, type AggItem, type Expr, type NamedExpr, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { AGGREGATE_FUNCTIONS, canonicalFunctionName, resultType } from '../functions/catalog.ts';
import type { Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { expressionResultName, nameText, UniqueNames } from './naming.ts';
import { dynamicTester, project, scopeOf } from './relation.ts';

/** Binds make-series over `input`. */
export function bindMakeSeries(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const sc = scopeOf(input, env);
  const isDyn = dynamicTester(b, sc);
  let nonempty = false;
  for (const p of childList(op, 'Parameters')) {
    if (p.type === 'node' && tokensText(p.c.Name).toLowerCase() === 'kind') nonempty = tokensText(p.c.Expression).toLowerCase() === 'nonempty';
  }
  const onNode = childNode(childNode(op, 'OnClause')!, 'Expression');
  const axis = b.expr.bind(onNode, sc);
  const axisName = expressionResultName(onNode, isDyn) ?? 'Column1';
  const range = childNode(op, 'RangeClause');
  let from: Expr;
  let to: Expr;
  let step: Expr;
  if (range?.kind === 'MakeSeriesFromToStepClause') {
    const fromC = childNode(range, 'MakeSeriesFromClause');
    const toC = childNode(range, 'MakeSeriesToClause');
    if (!fromC || !toC) return b.fail(range, 'make-series needs both from and to');
    from = b.expr.bind(fromC.c.Expression, sc);
    to = b.expr.bind(toC.c.Expression, sc);
    step = b.expr.bind(childNode(range, 'MakeSeriesStepClause')!.c.Expression, sc);
  } else if (range?.kind === 'MakeSeriesInRangeClause') {
    const args = childList(childNode(range, 'Arguments') ?? childNode(range, 'ArgumentList') ?? range, 'Expressions');
    if (args.length !== 3) return b.fail(range, 'make-series in range() needs start, stop and step');
    [from, to, step] = args.map((a) => b.expr.bind(a, sc));
  } else {
    return b.fail(op, 'make-series needs from, to and step');
  }
  const rangeCheck = ir.call('and', [ir.call('>=', [axis, from], 'bool'), ir.call('<', [axis, to], 'bool')], 'bool');
  const filtered: Rel = { k: 'filter', input, cond: rangeCheck, columns: input.columns };

  const names = new UniqueNames();
  const keys: NamedExpr[] = [];
  const byClause = childNode(op, 'ByClause');
  for (const k of byClause ? childList(byClause, 'Expressions') : []) {
    if (k.type !== 'node') continue;
    const isNamed = k.kind === 'SimpleNamedExpression';
    const e = b.expr.bind(isNamed ? k.c.Expression : k, sc);
    keys.push({ name: names.take((isNamed ? nameText(k.c.Name) : expressionResultName(k, isDyn)) ?? 'Column1'), expr: e.type === 'dynamic' ? convertTo(e, 'string') : e });
  }
  const aggs: AggItem[] = [];
  const series: { name: string; hidden: string; def: Expr }[] = [];
  childList(op, 'Aggregates').forEach((item, i) => {
    if (item.type !== 'node') return;
    let exprNode = childNode(item, 'Expression') ?? item;
    let explicit: string | null = null;
    if (exprNode.kind === 'SimpleNamedExpression') { explicit = nameText(exprNode.c.Name); exprNode = childNode(exprNode, 'Expression')!; }
    if (exprNode.kind !== 'FunctionCallExpression') return b.fail(exprNode, 'make-series expects aggregate functions');
    const fn = canonicalFunctionName(nameText(exprNode.c.Name) ?? '');
    const sig = Object.hasOwn(AGGREGATE_FUNCTIONS, fn) ? AGGREGATE_FUNCTIONS[fn] : undefined;
    if (!sig || fn === 'arg_max' || fn === 'arg_min' || fn === 'percentiles' || fn === 'percentilesw') return b.fail(exprNode, `The aggregate '${fn}' is not supported in make-series`);
    const args = childList(childNode(exprNode, 'ArgumentList')!, 'Expressions').map((a) => b.expr.bind(a, sc));
    const type = resultType(sig, args);
    const hidden = `__ms${i}`;
    aggs.push({ fn, args, outs: [{ name: hidden, type }] });
    const defNode = childNode(item, 'DefaultExpression');
    const def = defNode ? b.expr.bind(defNode.c.Expression, sc) : ir.lit(0, type === 'real' ? 'real' : 'long');
    series.push({ name: names.take(explicit ?? expressionResultName(exprNode, isDyn) ?? `Column${i + 1}`), hidden, def });
  });
  const idx = ir.call('__series_index', [axis, from, step], 'long');
  const perBin: Rel = {
    k: 'aggregate', input: filtered, keys: [...keys, { name: '__idx', expr: idx }], aggs,
    columns: [...keys.map((k) => ({ name: k.name, type: k.expr.type })), { name: '__idx', type: 'long' }, ...aggs.map((a) => a.outs[0])],
  };
  const pairs: AggItem[] = series.map((s) => ({
    fn: '__series_pairs', args: [ir.col('__idx', 'long'), ir.col(s.hidden, aggs.find((a) => a.outs[0].name === s.hidden)!.outs[0].type)],
    outs: [{ name: s.hidden, type: 'dynamic' }],
  }));
  pairs.push({ fn: 'count', args: [], outs: [{ name: '__bins', type: 'long' }] });
  const keyCols: Column[] = keys.map((k) => ({ name: k.name, type: k.expr.type }));
  let grouped: Rel = {
    k: 'aggregate', input: perBin, keys: keys.map((k) => ({ name: k.name, expr: ir.col(k.name, k.expr.type) })), aggs: pairs,
    columns: [...keyCols, ...pairs.map((p) => p.outs[0])],
  };
  if (!nonempty) grouped = { k: 'filter', input: grouped, cond: ir.call('>', [ir.col('__bins', 'long'), ir.lit(0, 'long')], 'bool'), columns: grouped.columns };
  const n = ir.call('__series_count', [from, to, step], 'long');
  return project(grouped, [
    ...keyCols.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })),
    ...series.map((s) => ({ name: s.name, expr: ir.call('__series_fill', [ir.col(s.hidden, 'dynamic'), s.def, n], 'dynamic') })),
    { name: names.take(axisName), expr: ir.call('__series_axis', [from, step, n], 'dynamic') },
  ]);
}
