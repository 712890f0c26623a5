/**
 * Binds the tabular operators that follow a pipe (`T | where …`): where, project and its
 * variants, extend, sort, top, take, distinct, count, and the pass-through ones (serialize,
 * render, as). Larger operators live in their own files and are dispatched from here.
 */
import { ir, walkRels, type AggItem, type Expr, type NamedExpr, type Rel, type SortKey } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, firstTokenText, tokensText } from '../parse/syntax.ts';
import { DOTNET_TYPE_NAMES, visible, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo, type ExprScope } from './expr.ts';
import { bindBagUnpack } from './bag-unpack.ts';
import { bindJoin, bindLookup } from './join.ts';
import { bindMvExpand } from './mv-expand.ts';
import { expressionResultName, nameText, UniqueNames } from './naming.ts';
import { bindParse } from './parse-operator.ts';
import { bindParseKv } from './parse-kv.ts';
import { bindPivot } from './pivot.ts';
import { bindIpLookup } from './ip-lookup.ts';
import { bindGraphMarkComponents, bindGraphMatch, bindGraphToTable, bindMakeGraph, isGraph } from './graph.ts';
import { bindRollingPercentile, bindSlidingWindowCounts } from './rolling-windows.ts';
import { bindRowsNear } from './rows-near.ts';
import { bindGeoLookup } from './geo-lookup.ts';
import { bindMultiValue, compoundNames, multiValueCall } from './multi-value.ts';
import { bindSearch } from './search.ts';
import { bindMakeSeries } from './make-series.ts';
import { RowScope } from './scope.ts';
import { columnsMatching, defaultNamer, dynamicTester, project, scopeOf } from './relation.ts';
import { attachWindow, windowCollector } from './window.ts';
import { bindScanOp } from './scan-op.ts';
import { bindDcountIntersect } from './dcount-intersect.ts';
import { bindSummarize } from './summarize.ts';
import { bindUnion } from './union.ts';
import { wildcardMatcher } from './wildcard.ts';

/** Binds one piped operator applied to `input`. */
export function bindOperator(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  if (op.kind === 'MakeGraphOperator') return bindMakeGraph(b, input, op, env);
  if (op.kind === 'GraphMatchOperator' || op.kind === 'GraphShortestPathsOperator') return bindGraphMatch(b, input, op, env);
  if (op.kind === 'GraphToTableOperator') return bindGraphToTable(b, input, op);
  if (op.kind === 'GraphMarkComponentsOperator') return bindGraphMarkComponents(b, input, op);
  if (isGraph(input)) return b.fail(op, `A graph is only taken by graph-mark-components, graph-match, graph-shortest-paths and graph-to-table (not by '${firstTokenText(op)}')`);
  switch (op.kind) {
    case 'FilterOperator': {
      const w = windowCollector();
      const cond = b.expr.bind(op.c.Condition, { ...scopeOf(input, env), win: w.collector });
      if (!w.items.length) return { k: 'filter', input, cond: asCondition(b, cond, op), columns: input.columns };
      const windowed = attachWindow(input, w.items);
      const filtered: Rel = { k: 'filter', input: windowed, cond: asCondition(b, cond, op), columns: windowed.columns };
      return project(filtered, input.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), true);
    }
    case 'ProjectOperator': return bindProject(b, input, op, env);
    case 'ExtendOperator': return bindExtend(b, input, childList(op, 'Expressions'), env);
    case 'ProjectAwayOperator': return bindProjectAway(b, input, op);
    case 'ProjectByNamesOperator': return bindProjectByNames(b, input, op, env);
    case 'ProjectKeepOperator': return bindProjectKeep(b, input, op);
    case 'ProjectRenameOperator': return bindProjectRename(b, input, op);
    case 'ProjectReorderOperator': return bindProjectReorder(b, input, op);
    case 'SortOperator': return { k: 'sort', input, keys: sortKeys(b, input, childList(op, 'Expressions'), env), columns: input.columns };
    case 'TopOperator': {
      const count = limitCount(b, op.c.Expression, env);
      const keys = sortKeys(b, input, [op.c.ByExpression!], env);
      const sorted: Rel = { k: 'sort', input, keys, columns: input.columns };
      return { k: 'limit', input: sorted, count, columns: input.columns };
    }
    case 'TakeOperator': return { k: 'limit', input, count: limitCount(b, op.c.Expression, env), columns: input.columns };
    case 'DistinctOperator': return bindDistinct(b, input, op, env);
    case 'CountOperator': {
      const asName = childNode(op, 'AsIdentifier') ? nameText(childNode(op, 'AsIdentifier')!.c.Name) : null;
      const name = asName ?? 'Count';
      return { k: 'aggregate', input, keys: [], aggs: [{ fn: 'count', args: [], outs: [{ name, type: 'long' }] }], columns: [{ name, type: 'long' }] };
    }
    case 'SummarizeOperator': return bindSummarize(b, input, op, env);
    case 'JoinOperator': return bindJoin(b, input, op, env);
    case 'LookupOperator': return bindLookup(b, input, op, env);
    case 'UnionOperator': return bindUnion(b, input, op, env);
    case 'MvExpandOperator': return bindMvExpand(b, input, op, env);
    case 'MvApplyOperator': return bindMvApply(b, input, op, env);
    case 'PartitionOperator': return bindPartition(b, input, op, env);
    case 'ScanOperator': return bindScanOp(b, input, op, env);
    case 'MakeSeriesOperator': return bindMakeSeries(b, input, op, env);
    case 'TopNestedOperator': return bindTopNested(b, input, op, env);
    case 'ParseOperator': return bindParse(b, input, op, env, false);
    case 'ParseWhereOperator': return bindParse(b, input, op, env, true);
    case 'ParseKvOperator': return bindParseKv(b, input, op, env);
    case 'SerializeOperator': return childList(op, 'Expressions').length ? bindExtend(b, input, childList(op, 'Expressions'), env) : input;
    case 'AsOperator': {
      const n = nameText(op.c.Name);
      if (n) b.asNames.set(input, n);
      return input;
    }
    case 'RenderOperator':
      return input;
    // consume runs its input for the side effects and returns nothing
    case 'ConsumeOperator':
      return { k: 'filter', input, cond: ir.lit(false, 'bool'), columns: input.columns };
    case 'InvokeOperator': {
      const fc = childNode(op, 'Function');
      if (!fc || fc.kind !== 'FunctionCallExpression') return b.fail(op, 'invoke needs a function call');
      return b.bindTabularCall(fc, env, input);
    }
    case 'SearchOperator': return bindSearch(b, input, op, env);
    case 'GetSchemaOperator': return getSchema(input);
    case 'SampleOperator': {
      const count = limitCount(b, op.c.Expression, env);
      const keys: SortKey[] = [{ expr: ir.call('rand', [], 'real'), desc: false, nullsFirst: false }];
      return { k: 'limit', input: { k: 'sort', input, keys, columns: input.columns }, count, columns: input.columns };
    }
    case 'EvaluateOperator': {
      const fc = childNode(op, 'FunctionCall');
      const plugin = fc ? nameText(fc.c.Name) : tokensText(op).split(' ')[1];
      if (fc && plugin === 'bag_unpack') return bindBagUnpack(b, input, op, fc, env);
      if (fc && plugin === 'pivot') return bindPivot(b, input, op, fc, env);
      if (fc && (plugin === 'ipv4_lookup' || plugin === 'ipv6_lookup')) return bindIpLookup(b, input, fc, env, plugin === 'ipv4_lookup' ? 4 : 6);
      if (fc && plugin === 'rows_near') return bindRowsNear(b, input, fc, env);
      if (fc && plugin === 'dcount_intersect') return bindDcountIntersect(b, input, fc, env);
      if (fc && plugin === 'sliding_window_counts') return bindSlidingWindowCounts(b, input, fc, env);
      if (fc && plugin === 'rolling_percentile') return bindRollingPercentile(b, input, fc, env);
      if (fc && (plugin === 'geo_polygon_lookup' || plugin === 'geo_line_lookup')) return bindGeoLookup(b, input, fc, env, plugin === 'geo_polygon_lookup' ? 'polygon' : 'line');
      return b.fail(op, `The operator 'evaluate ${plugin ?? ''}' is not supported`);
    }
    default:
      return b.fail(op, `The operator '${firstTokenText(op)}' is not supported`);
  }
}

/** Binds a pipe of operators with no source (`op | op …`, as in mv-apply subqueries) over `input`. */
export function bindHeadless(b: Binder, s: Syn, input: Rel, env: Env): Rel {
  if (s.type !== 'node') return b.fail(s, 'Expected a subquery');
  if (s.kind === 'PipeExpression') return bindOperator(b, bindHeadless(b, s.c.Expression!, input, env), childNode(s, 'Operator')!, env);
  if (s.kind === 'ParenthesizedExpression') return bindHeadless(b, s.c.Expression!, input, env);
  return bindOperator(b, input, s, env);
}

let outerIds = 0;

/** mv-apply items on (subquery): the subquery runs over each row's expansion. */
function bindMvApply(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const outerId = ++outerIds;
  const outer: Rel = { k: 'outer', id: outerId, columns: input.columns };
  const expand = bindMvExpand(b, outer, op, env);
  const subNode = childNode(op, 'Subquery');
  const sub = bindHeadless(b, subNode?.c.Expression ?? subNode!, expand, env);
  const expanded = new Set(expand.k === 'mvexpand' ? expand.items.map((i) => i.name) : []);
  // hidden columns (TimeGenerated, the ingestion time) stay reachable, as through any row operator;
  // one the subquery outputs itself (recomputed, or passed through) comes from the subquery
  const fromSub = new Set(sub.columns.map((c) => c.name));
  const keep = input.columns.filter((c) => !expanded.has(c.name) && !(c.hidden && fromSub.has(c.name)));
  const extra = sub.columns.filter((c) => !keep.some((k) => k.name === c.name));
  return {
    k: 'mvapply', input, outerId, sub, keep: keep.map((c) => c.name), extra: extra.map((c) => c.name),
    columns: [...keep, ...extra],
  };
}

/**
 * partition by Col (subquery): the subquery runs once per distinct value of Col over the rows with
 * that value; the results are concatenated.
 */
function bindPartition(b: Binder, source: Rel, op: SynNode, env: Env): Rel {
  const keyNode = childNode(op, 'ByExpression');
  const key = b.expr.bind(keyNode, scopeOf(source, env));
  if (key.k !== 'col') return b.fail(keyNode, 'partition by needs a column');
  // DuckDB cannot flatten a correlated subquery through every join kind (full outer joins among
  // them): an input holding a join is computed once, as a materialized CTE, and the subquery filters
  // that plain relation by its key. Other inputs stay inline, where unused columns are pruned.
  const input = holdsJoin(source) && !readsOuterRow(source) ? b.materialize(source) : source;
  const keys: Rel = { k: 'aggregate', input, keys: [{ name: key.name, expr: key }], aggs: [], columns: [{ name: key.name, type: key.type }] };
  const outerId = ++outerIds;
  const outer: Rel = { k: 'outer', id: outerId, columns: keys.columns };
  const partRows: Rel = {
    k: 'kjoin', left: input, right: outer, kind: 'inner', on: [{ left: key, right: ir.col(key.name, key.type) }],
    outputs: input.columns.map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type })), columns: input.columns,
  };
  const operand = childNode(op, 'Operand');
  const subNode = operand?.c.Subquery ?? operand?.c.Expression;
  if (!operand || operand.kind !== 'PartitionSubquery' || !subNode) return b.fail(op, 'Only the partition by Column (subquery) form is supported');
  const sub = bindHeadless(b, subNode, partRows, env);
  return { k: 'mvapply', input: keys, outerId, sub, keep: [], extra: sub.columns.map((c) => c.name), columns: sub.columns };
}

/** True when some node of `r` (subqueries included) satisfies `test`. */
function anyRel(r: Rel, test: (x: Rel) => boolean): boolean {
  let found = false;
  walkRels(r, (x) => {
    if (test(x)) found = true;
  });
  return found;
}

/** True when `r` reads the current row of an enclosing mv-apply or partition (it cannot be a CTE). */
const readsOuterRow = (r: Rel) => anyRel(r, (x) => x.k === 'outer');
/** True when `r` joins. */
const holdsJoin = (r: Rel) => anyRel(r, (x) => x.k === 'kjoin' || x.k === 'join');

/** top-nested with one level: `top-nested [N] of Col by Agg [asc|desc]` → Col, aggregated_Col. */
function bindTopNested(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const clauses = childList(op, 'Clauses').filter((c): c is SynNode => c.type === 'node');
  if (clauses.length !== 1) return b.fail(op, "The operator 'top-nested' with several levels is not supported");
  const cl = clauses[0];
  if (cl.c.WithOthersClause) return b.fail(cl.c.WithOthersClause, "top-nested 'with others' is not supported");
  const sc = scopeOf(input, env);
  const ofNode = childNode(cl, 'OfExpression');
  const ofName = ofNode?.kind === 'SimpleNamedExpression' ? nameText(ofNode.c.Name) ?? 'Column1' : expressionResultName(ofNode, dynamicTester(b, sc)) ?? 'Column1';
  let of = b.expr.bind(ofNode?.kind === 'SimpleNamedExpression' ? ofNode.c.Expression : ofNode, sc);
  if (of.type === 'dynamic') of = convertTo(of, 'string');
  let byNode = childNode(cl, 'ByExpression')!;
  let desc = true;
  if (byNode.kind === 'OrderedExpression') {
    desc = tokensText(childNode(byNode, 'Ordering')?.c.AscOrDescKeyword ?? null).toLowerCase() !== 'asc';
    byNode = childNode(byNode, 'Expression')!;
  }
  const aggs: AggItem[] = [];
  const collector = {
    add(fn: string, args: Expr[], type: KqlType): Expr {
      const name = `__tn${aggs.length}`;
      aggs.push({ fn, args, outs: [{ name, type }] });
      return ir.col(name, type);
    },
  };
  let aggName = `aggregated_${ofName}`;
  if (byNode.kind === 'SimpleNamedExpression') {
    aggName = nameText(byNode.c.Name) ?? aggName;
    byNode = childNode(byNode, 'Expression')!;
  }
  const aggExpr = b.expr.bind(byNode, { ...sc, row: RowScope.empty, agg: collector, aggRow: sc.row });
  const grouped: Rel = {
    k: 'aggregate', input, keys: [{ name: ofName, expr: of }], aggs,
    columns: [{ name: ofName, type: of.type }, ...aggs.flatMap((a) => a.outs)],
  };
  const shaped = project(grouped, [{ name: ofName, expr: ir.col(ofName, of.type) }, { name: aggName, expr: aggExpr }]);
  const keys: SortKey[] = [{ expr: ir.col(aggName, aggExpr.type), desc, nullsFirst: !desc }];
  const sorted: Rel = { k: 'sort', input: shaped, keys, columns: shaped.columns };
  const count = cl.c.Expression ? limitCount(b, cl.c.Expression, env) : null;
  return count ? { k: 'limit', input: sorted, count, columns: sorted.columns } : sorted;
}

/** A where condition must be boolean (dynamic is converted). */
function asCondition(b: Binder, e: Expr, at: SynNode): Expr {
  if (e.type === 'bool') return e;
  if (e.type === 'dynamic') return convertTo(e, 'bool');
  return b.fail(at.c.Condition ?? at, `The where condition must be boolean, got ${e.type}`);
}

/** A take/top/sample count: a constant integer. */
function limitCount(b: Binder, s: Syn | null, env: Env): Expr {
  const e = b.expr.bind(s, { env, row: RowScope.empty });
  if (e.type !== 'long' && e.type !== 'int') return b.fail(s, 'The row count must be an integer');
  return e;
}

/** project a, b = expr, c*, … — every item is evaluated over the input row. */
function bindProject(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const w = windowCollector();
  const sc: ExprScope = { ...scopeOf(input, env), win: w.collector };
  const items: NamedExpr[] = [];
  const names = new UniqueNames();
  const nextDefault = defaultNamer((n) => names.has(n) || sc.row.has(n));
  const isDyn = dynamicTester(b, sc);
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node') continue;
    const refName = it.kind === 'NameReference' ? nameText(it) ?? '' : '';
    if (it.kind === 'NameReference' && (sc.row.has(refName) || refName.includes('*') || env.get(refName)?.kind !== 'scalar')) {
      for (const c of columnsMatching(b, input.columns, it)) items.push({ name: names.take(c.name), expr: ir.col(c.name, c.type) });
      continue;
    }
    if (it.kind === 'SimpleNamedExpression') {
      const e = b.expr.bind(it.c.Expression, sc);
      items.push({ name: names.take(nameText(it.c.Name) ?? nextDefault()), expr: e });
      continue;
    }
    const e = b.expr.bind(it, sc);
    items.push({ name: names.take(expressionResultName(it, isDyn) ?? nextDefault()), expr: e });
  }
  return project(attachWindow(input, w.items), items);
}

/**
 * extend a = expr, …: items are evaluated left to right and may use names defined by earlier
 * items; an existing column of the same name is replaced in place, new ones are appended.
 */
export function bindExtend(b: Binder, input: Rel, exprs: Syn[], env: Env): Rel {
  const cols: Column[] = input.columns.map((c) => ({ ...c }));
  const overrides = new Map<string, Expr>();
  const nextDefault = defaultNamer((n) => cols.some((c) => c.name === n));
  const w = windowCollector();
  for (const it of exprs) {
    if (it.type !== 'node') continue;
    const sc: ExprScope = { env, row: new RowScope(cols, overrides, input.columns), win: w.collector };
    const assigned: { name: string; expr: Expr }[] = [];
    if (it.kind === 'SimpleNamedExpression') {
      assigned.push({ expr: b.expr.bind(it.c.Expression, sc), name: nameText(it.c.Name) ?? nextDefault() });
    } else if (it.kind === 'CompoundNamedExpression') {
      const mv = multiValueCall(childNode(it, 'Expression'));
      if (!mv) return b.fail(it, 'Assigning several names at once is only supported for functions that return several values (series_stats, array sorts of several arrays)');
      assigned.push(...bindMultiValue(b, mv, compoundNames(it), sc));
    } else if (multiValueCall(it)) {
      assigned.push(...bindMultiValue(b, multiValueCall(it)!, null, sc));
    } else {
      const e = b.expr.bind(it, sc);
      assigned.push({ expr: e, name: expressionResultName(it, dynamicTester(b, sc)) ?? nextDefault() });
    }
    for (const { name, expr: e } of assigned) {
      const at = cols.findIndex((c) => c.name === name);
      if (at >= 0) cols[at] = { name, type: e.type };
      else cols.push({ name, type: e.type });
      overrides.set(name, e);
    }
  }
  return project(attachWindow(input, w.items), cols.map((c) => ({ name: c.name, expr: overrides.get(c.name) ?? ir.col(c.name, c.type) })), true);
}

function bindProjectAway(b: Binder, input: Rel, op: SynNode): Rel {
  const drop = new Set<string>();
  for (const it of childList(op, 'Expressions')) {
    if (it.type === 'node') for (const c of columnsMatching(b, input.columns, it)) drop.add(c.name);
  }
  return someColumn(b, op, 'project-away', project(input, input.columns.filter((c) => !drop.has(c.name)).map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), true));
}

/** The relation, refused (by the operator's name) when it is left with no visible column. */
function someColumn(b: Binder, op: SynNode, name: string, rel: Rel): Rel {
  return visible(rel.columns).length ? rel : b.fail(op, `${name} leaves no columns: a result needs at least one`);
}

/**
 * project-by-names: columns named by names, string literals, dynamic arrays of names or `*`
 * patterns, in the order given (then matched); names that match no column are ignored.
 */
function bindProjectByNames(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const picked: Column[] = [];
  const take = (pattern: string) => {
    const matches = wildcardMatcher(pattern);
    for (const c of visible(input.columns)) if (matches(c.name) && !picked.includes(c)) picked.push(c);
  };
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node') continue;
    if (it.kind === 'NameReference') {
      take(nameText(it) ?? '');
      continue;
    }
    const v = b.expr.bind(it, { env, row: RowScope.empty });
    if (v.k !== 'lit') return b.fail(it, 'project-by-names takes column names, patterns or a dynamic array of them, as constants');
    const values = typeof v.value === 'string' && v.type === 'dynamic' ? JSON.parse(v.value) as unknown : v.value;
    const names = Array.isArray(values) ? values : [values];
    for (const n of names) {
      if (typeof n !== 'string') return b.fail(it, 'project-by-names: column names must be strings');
      take(n);
    }
  }
  return someColumn(b, op, 'project-by-names', project(input, picked.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), true));
}

function bindProjectKeep(b: Binder, input: Rel, op: SynNode): Rel {
  const keep = new Set<string>();
  for (const it of childList(op, 'Expressions')) {
    if (it.type === 'node') for (const c of columnsMatching(b, input.columns, it)) keep.add(c.name);
  }
  return someColumn(b, op, 'project-keep', project(input, input.columns.filter((c) => keep.has(c.name)).map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), true));
}

function bindProjectRename(b: Binder, input: Rel, op: SynNode): Rel {
  const renames = new Map<string, string>();
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node' || it.kind !== 'SimpleNamedExpression') return b.fail(it, 'project-rename expects new = old');
    const oldName = nameText(childNode(it, 'Expression')) ?? '';
    if (!input.columns.some((c) => c.name === oldName)) return b.fail(it.c.Expression, `Failed to resolve column '${oldName}'`);
    renames.set(oldName, nameText(it.c.Name) ?? oldName);
  }
  return project(input, input.columns.map((c) => ({ name: renames.get(c.name) ?? c.name, expr: ir.col(c.name, c.type) })), true);
}

function bindProjectReorder(b: Binder, input: Rel, op: SynNode): Rel {
  const first: Column[] = [];
  const taken = new Set<string>();
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node') continue;
    let target = it;
    let order: 'asc' | 'desc' | null = null;
    if (it.kind === 'OrderedExpression') {
      target = childNode(it, 'Expression')!;
      const o = tokensText(childNode(it, 'Ordering')?.c.AscOrDescKeyword ?? null).toLowerCase();
      order = o === 'desc' ? 'desc' : o === 'asc' ? 'asc' : null;
    }
    let cols = columnsMatching(b, input.columns, target).filter((c) => !taken.has(c.name));
    if (order) cols = [...cols].sort((x, y) => (order === 'asc' ? 1 : -1) * x.name.localeCompare(y.name));
    for (const c of cols) { first.push(c); taken.add(c.name); }
  }
  const all = [...first, ...input.columns.filter((c) => !taken.has(c.name))];
  return project(input, all.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), true);
}

/** sort/top keys: `expr [asc|desc] [nulls first|last]`; KQL's default is desc. */
function sortKeys(b: Binder, input: Rel, items: Syn[], env: Env): SortKey[] {
  const sc = scopeOf(input, env);
  return items.filter((i): i is SynNode => i?.type === 'node').map((it) => {
    let target: Syn | null = it;
    let desc = true;
    let nulls: string | null = null;
    if (it.kind === 'OrderedExpression') {
      target = it.c.Expression;
      const ord = childNode(it, 'Ordering');
      if (ord) {
        const ad = tokensText(ord.c.AscOrDescKeyword).toLowerCase();
        if (ad === 'asc') desc = false;
        const nc = childNode(ord, 'NullsClause');
        if (nc) nulls = tokensText(nc.c.FirstOrLastKeyword).toLowerCase();
      }
    }
    let e = b.expr.bind(target, sc);
    if (e.type === 'dynamic') e = convertTo(e, 'string');
    return { expr: e, desc, nullsFirst: nulls ? nulls === 'first' : !desc };
  });
}

/** distinct a, b / distinct * — one row per distinct combination. */
function bindDistinct(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const sc = scopeOf(input, env);
  const keys: NamedExpr[] = [];
  const names = new UniqueNames();
  const nextDefault = defaultNamer((n) => names.has(n));
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node') continue;
    if (it.kind === 'StarExpression') {
      for (const c of visible(input.columns)) keys.push({ name: names.take(c.name), expr: ir.col(c.name, c.type) });
    } else if (it.kind === 'NameReference') {
      for (const c of columnsMatching(b, input.columns, it)) keys.push({ name: names.take(c.name), expr: ir.col(c.name, c.type) });
    } else if (it.kind === 'SimpleNamedExpression') {
      keys.push({ name: names.take(nameText(it.c.Name) ?? nextDefault()), expr: b.expr.bind(it.c.Expression, sc) });
    } else {
      keys.push({ name: names.take(expressionResultName(it, dynamicTester(b, sc)) ?? nextDefault()), expr: b.expr.bind(it, sc) });
    }
  }
  return { k: 'aggregate', input, keys, aggs: [], columns: keys.map((k) => ({ name: k.name, type: k.expr.type })) };
}

/** getschema: one row per column (ColumnName, ColumnOrdinal, DataType, ColumnType). */
function getSchema(input: Rel): Rel {
  const columns: Column[] = [
    { name: 'ColumnName', type: 'string' }, { name: 'ColumnOrdinal', type: 'int' },
    { name: 'DataType', type: 'string' }, { name: 'ColumnType', type: 'string' },
  ];
  const rows = visible(input.columns).map((c, i) => [
    ir.lit(c.name, 'string'), ir.lit(i, 'int'),
    ir.lit(`System.${c.type === 'dynamic' ? 'Object' : c.type === 'bool' ? 'SByte' : DOTNET_TYPE_NAMES[c.type]}`, 'string'),
    ir.lit(c.type, 'string'),
  ]);
  return { k: 'values', columns, rows };
}
