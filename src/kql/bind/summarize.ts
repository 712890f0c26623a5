/**
 * summarize: group keys (`by …`) first, then aggregates, named by KQL's rules (count_, sum_X,
 * dcount_X, set_X, arg_max's column list, percentile_X_P, …). Aggregates nested in scalar
 * expressions (`round(avg(x), 2)`) are computed first and combined by a projection afterwards.
 */
import { ir, type AggItem, type Expr, type NamedExpr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import { AGGREGATE_FUNCTIONS, canonicalFunctionName, resultType } from '../functions/catalog.ts';
import { visible, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo, type AggCollector, type ExprScope } from './expr.ts';
import { expressionResultName, functionResultRule, nameText, UniqueNames } from './naming.ts';
import { RowScope } from './scope.ts';
import { columnsMatching, defaultNamer, dynamicTester, project, scopeOf } from './relation.ts';

const HIDDEN = '__agg';

/** Binds `summarize aggs by keys`. */
export function bindSummarize(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const sc = scopeOf(input, env);
  const names = new UniqueNames();
  const isDyn = dynamicTester(b, sc);
  const nextDefault = defaultNamer((n) => names.has(n));

  // group keys
  const keys: NamedExpr[] = [];
  const keyColumnRefs = new Set<string>();
  const byClause = childNode(op, 'ByClause');
  const keyNodes = byClause ? childList(byClause, 'Expressions') : [];
  const keyNames: (string | null)[] = [];
  for (const k of keyNodes) {
    if (k.type !== 'node') continue;
    let e: Expr;
    let name: string | null;
    if (k.kind === 'SimpleNamedExpression') {
      e = b.expr.bind(k.c.Expression, sc);
      name = nameText(k.c.Name);
    } else {
      e = b.expr.bind(k, sc);
      name = expressionResultName(k, isDyn);
      if (e.k === 'col') keyColumnRefs.add(e.name);
    }
    keyNames.push(name);
    keys.push({ name: '', expr: e });
  }
  keyNames.forEach((n, i) => { if (n) keys[i].name = names.take(n); });
  keyNames.forEach((n, i) => { if (!n) keys[i].name = names.take(nextDefault()); });

  // aggregates
  const aggs: AggItem[] = [];
  let hidden = 0;
  const collector: AggCollector = {
    add(fn, args, type) {
      const name = `${HIDDEN}${hidden++}`;
      aggs.push({ fn, args, outs: [{ name, type }] });
      return ir.col(name, type);
    },
  };
  const post: NamedExpr[] = [];
  let needsProject = false;
  for (const item of childList(op, 'Aggregates')) {
    if (item.type !== 'node') continue;
    let explicit: string | null = null;
    let tupleNames: string[] | null = null;
    let exprNode: Syn | null = item;
    if (item.kind === 'SimpleNamedExpression') { explicit = nameText(item.c.Name); exprNode = item.c.Expression; }
    else if (item.kind === 'CompoundNamedExpression') {
      // (a, b) = arg_max(...): names for the aggregate's output columns, in order
      tupleNames = childList(childNode(item, 'Names')!, 'Names').map((n) => nameText(n) ?? '');
      exprNode = item.c.Expression;
      if (!directAggregate(exprNode)) return b.fail(item, 'Assigning several names is only supported for arg_max, arg_min and percentiles');
    }
    const direct = directAggregate(exprNode);
    if (direct) {
      const handled = bindDirect(b, direct, explicit, sc, keyColumnRefs, names, aggs, isDyn, tupleNames);
      if (handled) { for (const c of handled) if (!c.hidden) post.push({ name: c.name, expr: ir.col(c.name, c.type) }); continue; }
    }
    const e = b.expr.bind(exprNode, { ...sc, row: RowScope.empty, agg: collector, aggRow: sc.row });
    const last = aggs[aggs.length - 1];
    if (e.k === 'col' && e.name.startsWith(HIDDEN) && last && last.outs[0].name === e.name && exprNode?.type === 'node' && isCallNode(exprNode)) {
      const name = names.take(explicit ?? expressionResultName(exprNode, isDyn) ?? nextDefault());
      last.outs[0] = { name, type: e.type };
      post.push({ name, expr: ir.col(name, e.type) });
      continue;
    }
    needsProject = true;
    post.push({ name: names.take(explicit ?? expressionResultName(exprNode, isDyn) ?? nextDefault()), expr: e });
  }
  const aggColumns: Column[] = aggs.flatMap((a) => a.outs);
  const agg: Rel = {
    k: 'aggregate', input, keys, aggs,
    columns: [...keys.map((k) => ({ name: k.name, type: k.expr.type })), ...aggColumns],
  };
  if (!needsProject) {
    // reorder to key columns, then items in written order
    const wanted = [...keys.map((k) => k.name), ...post.map((p) => p.name)];
    const shown = visible(agg.columns);
    const same = wanted.length === shown.length && wanted.every((n, i) => shown[i].name === n);
    if (same) return agg;
  }
  return project(agg, [...keys.map((k) => ({ name: k.name, expr: ir.col(k.name, k.expr.type) })), ...post]);
}

function isCallNode(n: SynNode): boolean {
  if (n.kind === 'ParenthesizedExpression') return n.c.Expression?.type === 'node' && isCallNode(n.c.Expression);
  return n.kind === 'FunctionCallExpression';
}

/** The call node when the item is directly an aggregate call with multi-column or special naming. */
function directAggregate(n: Syn | null): SynNode | null {
  if (!n || n.type !== 'node') return null;
  if (n.kind === 'ParenthesizedExpression') return directAggregate(n.c.Expression);
  if (n.kind !== 'FunctionCallExpression') return null;
  const fn = canonicalFunctionName(nameText(n.c.Name) ?? '');
  return ['arg_max', 'arg_min', 'percentile', 'percentiles', 'percentilew', 'percentilesw', 'take_any'].includes(fn) ? n : null;
}

/**
 * arg_max/arg_min (several output columns), percentile(s) (names carry the percentage) and
 * take_any(*). Returns the output columns, or null to use the generic path.
 */
function bindDirect(
  b: Binder, call: SynNode, explicit: string | null, sc: ExprScope, keyColumnRefs: Set<string>,
  names: UniqueNames, aggs: AggItem[], isDyn: (n: SynNode) => boolean, tupleNames: string[] | null = null,
): Column[] | null {
  const out = bindDirectInner(b, call, explicit, sc, keyColumnRefs, tupleNames ? new UniqueNames() : names, aggs, isDyn);
  if (!out || !tupleNames) return out;
  if (tupleNames.length > out.length) return b.fail(call, `${tupleNames.length} names given for ${out.length} columns`);
  // rename the last aggregate's outputs (the ones just bound) to the given names
  const renamed = out.map((c, i) => ({ ...c, name: names.take(i < tupleNames.length ? tupleNames[i] : c.name) }));
  const byOld = new Map(out.map((c, i) => [c, renamed[i]]));
  for (const a of aggs) a.outs = a.outs.map((o) => byOld.get(o) ?? o);
  return renamed;
}

function bindDirectInner(
  b: Binder, call: SynNode, explicit: string | null, sc: ExprScope, keyColumnRefs: Set<string>,
  names: UniqueNames, aggs: AggItem[], isDyn: (n: SynNode) => boolean,
): Column[] | null {
  const fn = canonicalFunctionName(nameText(call.c.Name) ?? '');
  const argNodes = childList(childNode(call, 'ArgumentList')!, 'Expressions');
  const inner: ExprScope = { ...sc, agg: null };
  if (fn === 'arg_max' || fn === 'arg_min') {
    if (!argNodes.length) return b.fail(call, `${fn}() needs at least one argument`);
    const by = b.expr.bind(argNodes[0], inner);
    const args: Expr[] = [by];
    const outs: Column[] = [];
    const byName = explicit ?? expressionResultName(argNodes[0], isDyn) ?? (fn === 'arg_max' ? 'max_' : 'min_');
    outs.push({ name: names.take(byName), type: by.type });
    args.push(by);
    const skip = new Set(keyColumnRefs);
    if (by.k === 'col') skip.add(by.name);
    for (const a of argNodes.slice(1)) {
      if (a.type !== 'node') continue;
      if (a.kind === 'StarExpression') {
        for (const c of visible(sc.row.columns)) {
          if (skip.has(c.name)) continue;
          skip.add(c.name);
          args.push(sc.row.resolve(c.name)!);
          outs.push({ name: names.take(c.name), type: c.type });
        }
        // hidden columns (TimeGenerated, ingestion time) come along, still hidden, as Sentinel's `*` has them
        for (const c of sc.row.columns) {
          if (!c.hidden || skip.has(c.name) || names.has(c.name)) continue;
          skip.add(c.name);
          args.push(ir.col(c.name, c.type));
          outs.push({ name: names.take(c.name), type: c.type, hidden: true });
        }
      } else if (a.kind === 'NameReference') {
        for (const c of columnsMatching(b, sc.row.columns, a)) {
          if (c.name === (by.k === 'col' ? by.name : '')) continue;
          args.push(sc.row.resolve(c.name)!);
          outs.push({ name: names.take(c.name), type: c.type });
        }
      } else if (a.kind === 'SimpleNamedExpression') {
        const e = b.expr.bind(a.c.Expression, inner);
        args.push(e);
        outs.push({ name: names.take(nameText(a.c.Name) ?? 'Column1'), type: e.type });
      } else {
        const e = b.expr.bind(a, inner);
        args.push(e);
        outs.push({ name: names.take(expressionResultName(a, isDyn) ?? 'Column1'), type: e.type });
      }
    }
    aggs.push({ fn, args, outs });
    return outs;
  }
  if (fn === 'percentile' || fn === 'percentiles' || fn === 'percentilew' || fn === 'percentilesw') {
    // weighted forms take (value, weight, percentages…): one column per percentage, named alike
    const weighted = fn.endsWith('w');
    const first = weighted ? 2 : 1;
    if (argNodes.length <= first) return b.fail(call, `${fn}() needs a value${weighted ? ', a weight' : ''} and at least one percentage`);
    let v = b.expr.bind(argNodes[0], inner);
    if (v.type === 'dynamic') v = convertTo(v, 'real');
    let w = weighted ? b.expr.bind(argNodes[1], inner) : null;
    if (w && w.type === 'dynamic') w = convertTo(w, 'long');
    if (w && w.type !== 'long' && w.type !== 'int') return b.fail(argNodes[1], `The weight of ${fn}() must be a whole number (int or long)`);
    const base = expressionResultName(argNodes[0], isDyn) ?? '';
    const outs: Column[] = [];
    for (const p of argNodes.slice(first)) {
      const pe = b.expr.bind(p, inner);
      if (pe.k !== 'lit' || typeof pe.value !== 'number') return b.fail(p, 'A percentile must be a constant number');
      const type: KqlType = resultType(AGGREGATE_FUNCTIONS.percentile, [v]);
      const single = fn === 'percentile' || fn === 'percentilew';
      const name = names.take(single && explicit ? explicit : `percentile_${base}_${String(pe.value).replace('.', '_')}`);
      const out = { name, type };
      aggs.push({ fn: weighted ? 'percentilew' : 'percentile', args: w ? [v, w, pe] : [v, pe], outs: [out] });
      outs.push(out);
    }
    return outs;
  }
  if (fn === 'take_any' && argNodes.some((a) => a.type === 'node' && a.kind === 'StarExpression')) {
    const outs: Column[] = [];
    for (const c of visible(sc.row.columns)) {
      if (keyColumnRefs.has(c.name)) continue;
      const out = { name: names.take(c.name), type: c.type };
      aggs.push({ fn: 'take_any', args: [sc.row.resolve(c.name)!], outs: [out] });
      outs.push(out);
    }
    return outs;
  }
  if (fn === 'take_any' && argNodes.length > 1) {
    const outs: Column[] = [];
    for (const a of argNodes) {
      const e = b.expr.bind(a, inner);
      const rule = functionResultRule('take_any');
      const prefix = rule && rule.kind === 'prefix' ? rule.prefix : 'any';
      const out = { name: names.take(`${prefix}_${expressionResultName(a, isDyn) ?? ''}`), type: e.type };
      aggs.push({ fn: 'take_any', args: [e], outs: [out] });
      outs.push(out);
    }
    return outs;
  }
  return null;
}
