/**
 * Graph semantics: `make-graph Source --> Target with Nodes on Key` (or `with_node_id=Name`)
 * [`partitioned-by Column (graph operator)`] and `graph-match [cycles=…] (a)-[e]->(b)<-[f*1..3]-(c), …
 * [where …] project …` (or `graph-shortest-paths`), bound to plain joins.
 *
 * A node variable becomes the columns `v.<property>` of one node row; an edge variable of fixed
 * length one edge row `e.<property>`. A variable-length edge `[e*m..n]` is unrolled: the query runs
 * once per combination of lengths (their results are united), each hop of a length-k edge being its
 * own edge row (`e#1` … `e#k`) with the k-1 nodes between them (`e@1` … `e@k-1`); `any`, `all` and
 * `map` over such an edge (or over `inner_nodes(e)`) become OR, AND and arrays over those rows.
 * Edges are matched forward (`-[e]->`), backward (`<-[e]-`) or either way (`-[e]-`). Within a
 * variable-length edge, `cycles=unique_edges` (the default) forbids reusing an edge, `none` also a
 * node, `all` nothing. Endpoints missing from the node table are nodes without properties.
 */
import { ir, type Expr, type JoinOutput, type KJoin, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { visible, type Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo, type ExprScope } from './expr.ts';
import { expressionResultName, nameText } from './naming.ts';
import { attachWindow } from './window.ts';
import { RowScope } from './scope.ts';
import { kunion } from './union.ts';
import { PARTITION_MARK } from '../runtime/graph-components.ts';

/**
 * A graph made by make-graph: its edges (with their endpoint columns) and nodes (with their key);
 * with `partitioned-by`, the column both carry, which makes a node's identity (partition, key).
 */
interface GraphDef { edges: Rel; source: string; target: string; nodes: Rel; key: string; partition?: string }

const graphs = new WeakMap<Rel, GraphDef>();

/** Whether `r` is a graph (which only graph operators take). */
export function isGraph(r: Rel): boolean {
  return graphs.has(r);
}

/** Longest variable-length edge, and most length combinations, a graph-match unrolls. */
const MAX_HOPS = 10;
const MAX_BRANCHES = 64;

const col = (r: Rel, name: string): Expr => {
  const c = r.columns.find((x) => x.name === name);
  if (!c) throw new Error(`internal: no column ${name}`);
  return ir.col(c.name, c.type);
};
const text = (e: Expr): Expr => (e.type === 'string' ? e : convertTo(e, 'string'));
const project = (input: Rel, items: { name: string; expr: Expr }[]): Rel =>
  ({ k: 'project', input, items, columns: items.map((i) => ({ name: i.name, type: i.expr.type })) });

/** An inner (or other kind of) join keeping every column of both sides, on pairs of column names. */
function join(left: Rel, right: Rel, pairs: [string, string][], kind: KJoin['kind'] = 'inner'): Rel {
  const on = pairs.length
    ? pairs.map(([l, r]) => ({ left: col(left, l), right: col(right, r) }))
    : [{ left: ir.lit(1, 'long'), right: ir.lit(1, 'long') }];
  const outputs: JoinOutput[] = [
    ...left.columns.map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type })),
    ...(kind === 'leftanti' || kind === 'leftsemi' ? [] : right.columns.map((c) => ({ side: 'right' as const, name: c.name, as: c.name, type: c.type }))),
  ];
  return { k: 'kjoin', left, right, kind, on, outputs, columns: outputs.map((o) => ({ name: o.as, type: o.type })) };
}

/** Binds `make-graph`; the result stands for the graph and is only accepted by graph operators. */
export function bindMakeGraph(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const row = RowScope.of(input.columns);
  const endpoint = (s: Syn | null, what: string): Expr => {
    const n = s && s.type === 'node' && s.kind === 'NameReference' ? nameText(s) : null;
    const c = n ? row.resolve(n) : undefined;
    if (!c) return b.fail(s ?? op, `make-graph: the ${what} must be a column of the edges`);
    return c;
  };
  const source = endpoint(op.c.SourceColumn, 'source');
  const target = endpoint(op.c.TargetColumn, 'target');
  if (tokensText(op.c.DirectionToken) !== '-->') return b.fail(op, "make-graph: only directed edges ('-->') are supported");
  // partitioned-by: one graph per value of a column the edges and nodes share; the subquery runs on
  // each and their results are united, which is the same as making the partition part of every
  // node's identity
  const partitioned = childNode(op, 'PartitionedByClause');
  const partition = partitioned ? nameText(partitioned.c.Entity) ?? '' : undefined;
  if (partition !== undefined && !row.resolve(partition)) return b.fail(partitioned!.c.Entity ?? op, `make-graph: '${partition}' is not a column of the edges`);
  const w = childNode(op, 'WithClause');
  if (!w) return b.fail(op, 'make-graph needs its nodes: with Table on Column, or with_node_id=Name');
  let nodes: Rel;
  let key: string;
  const endpoints = (name: string, type: Column['type']) => {
    const part = partition !== undefined ? [{ name: partition, expr: row.resolve(partition)! }] : [];
    const ends = kunion([project(input, [{ name, expr: convertTo(source, type) }, ...part]), project(input, [{ name, expr: convertTo(target, type) }, ...part])], ['', ''], null, 'outer');
    return { k: 'dedupe', input: ends, keys: ends.columns.map((c) => ir.col(c.name, c.type)), columns: ends.columns } as Rel;
  };
  if (w.kind === 'MakeGraphWithImplicitIdClause') {
    key = nameText(w.c.Name) ?? '';
    nodes = endpoints(key, source.type === target.type ? source.type : 'string');
  } else {
    const tables = childList(w, 'TablesAndKeys').filter((t): t is SynNode => t.type === 'node');
    if (tables.length !== 1) return b.fail(w, 'make-graph: exactly one node table is supported');
    const table = b.bindTabular(tables[0].c.Table!, env);
    key = nameText(tables[0].c.Column) ?? '';
    const keyCol = table.columns.find((c) => c.name === key);
    if (!keyCol) return b.fail(tables[0].c.Column ?? w, `make-graph: '${key}' is not a column of the node table`);
    if (partition !== undefined && !table.columns.some((c) => c.name === partition)) return b.fail(tables[0].c.Table ?? w, `make-graph: the node table has no partition column '${partition}'`);
    // endpoints the node table lacks are nodes too, without properties
    const pairs: [string, string][] = partition !== undefined ? [[key, key], [partition, partition]] : [[key, key]];
    const missing = join(endpoints(key, keyCol.type), table, pairs, 'leftanti');
    nodes = kunion([table, missing], ['', ''], null, 'outer');
  }
  const graph = project(input, input.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })));
  graphs.set(graph, { edges: input, source: (source as { name: string }).name, target: (target as { name: string }).name, nodes, key, partition });
  if (!partitioned) return graph;
  const sub = partitioned.c.Subquery;
  if (!sub) return b.fail(partitioned, 'make-graph: partitioned-by needs a graph operator in parentheses');
  return b.bindHeadless(sub, graph, env);
}

type Direction = 'forward' | 'backward' | 'either';
interface EdgeElement { name: string; dir: Direction; min: number; max: number; variable: boolean; at: SynNode }
interface Pattern { nodes: string[]; edges: EdgeElement[] }

function direction(b: Binder, e: SynNode): Direction {
  const first = tokensText(e.c.FirstToken);
  const last = tokensText(e.c.LastToken);
  const left = first.startsWith('<');
  const right = last.endsWith('>') || first.endsWith('>');
  if (left && right) return b.fail(e, 'graph-match: an edge cannot point both ways');
  return right ? 'forward' : left ? 'backward' : 'either';
}

function parsePatterns(b: Binder, op: SynNode, env: Env): Pattern[] {
  let anonymous = 0;
  return childList(op, 'Patterns').filter((p): p is SynNode => p.type === 'node').map((p) => {
    const nodes: string[] = [];
    const edges: EdgeElement[] = [];
    for (const el of childList(p, 'PatternElements')) {
      if (el.type !== 'node') continue;
      if (el.kind === 'GraphMatchPatternNode') {
        nodes.push(nameText(el.c.Name) ?? `__node${anonymous++}`);
      } else if (el.kind === 'GraphMatchPatternEdge') {
        const range = childNode(el, 'Range');
        const bound = (s: Syn | null | undefined) => {
          const v = s ? b.expr.bind(s, { env, row: RowScope.empty }) : null;
          const n = v && v.k === 'lit' ? Number(v.value) : Number.NaN;
          if (!Number.isInteger(n) || n < 0) return b.fail(range ?? el, 'graph-match: edge lengths must be non-negative integer constants');
          return n;
        };
        const min = range ? bound(range.c.RangeStart) : 1;
        const max = range ? (range.c.RangeEnd ? bound(range.c.RangeEnd) : min) : 1;
        if (max < min || max < 1) return b.fail(range ?? el, 'graph-match: the edge length range is empty');
        if (max > MAX_HOPS) return b.fail(range ?? el, `graph-match: variable-length edges may span at most ${MAX_HOPS} edges`);
        edges.push({ name: nameText(el.c.Name) ?? `__edge${anonymous++}`, dir: direction(b, el), min, max, variable: !!range, at: el });
      } else {
        return b.fail(el, `graph-match: unsupported pattern element`);
      }
    }
    if (nodes.length !== edges.length + 1) return b.fail(p, 'graph-match: a pattern alternates nodes and edges, starting and ending with a node');
    return { nodes, edges };
  });
}

/** The instances (rows) an edge variable takes in one branch: its hops and the nodes between them. */
interface EdgeInstances { hops: string[]; inner: string[]; variable: boolean }

/**
 * Binds `graph-match` over a graph, or `graph-shortest-paths [output=any|all]`: the same patterns,
 * keeping for each combination of matched nodes only the paths with the fewest edges (one of them,
 * or all).
 */
export function bindGraphMatch(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const shortest = op.kind === 'GraphShortestPathsOperator';
  const opName = shortest ? 'graph-shortest-paths' : 'graph-match';
  const g = graphs.get(input);
  if (!g) return b.fail(op, `${opName} needs a graph, made by make-graph`);
  let cycles = 'unique_edges';
  let output = 'any';
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const pname = (nameText(p.c.Name) ?? '').toLowerCase();
    const v = tokensText(p.c.Expression).toLowerCase();
    if (!shortest && pname === 'cycles' && ['none', 'all', 'unique_edges'].includes(v)) cycles = v;
    else if (shortest && pname === 'output' && (v === 'any' || v === 'all')) output = v;
    else return b.fail(p, `${opName}: unsupported parameter '${tokensText(p)}'`);
  }
  // a shortest path never repeats a node
  if (shortest) cycles = 'none';
  const patterns = parsePatterns(b, op, env);
  if (!patterns.length || patterns.every((p) => !p.edges.length)) return b.fail(op, 'graph-match needs a pattern with at least one edge');
  const projectClause = childNode(op, 'ProjectClause');
  if (!projectClause) return b.fail(op, 'graph-match needs a project clause');
  const edgeVars = patterns.flatMap((p) => p.edges);
  const seen = new Set<string>();
  for (const e of edgeVars) {
    if (seen.has(e.name)) return b.fail(e.at, `graph-match: the edge '${e.name}' appears twice`);
    seen.add(e.name);
  }

  // the rows each variable stands for
  const nodeProps = visible(g.nodes.columns);
  const edgesWithId = attachWindow(g.edges, [{ name: '__eid', fn: 'row_number', args: [], type: 'long' }]);
  const edgeProps = visible(g.edges.columns);
  const keyCol = g.nodes.columns.find((c) => c.name === g.key)!;
  // a node's identity: its key, within its partition when the graph is partitioned
  const identity = (r: Rel, key: Expr): Expr => (g.partition === undefined ? text(key)
    : ir.call('strcat', [text(col(r, g.partition)), ir.lit('\u0001', 'string'), text(key)], 'string'));
  // node_degree_in/out read each node's edge counts, joined to the nodes only when the query uses them
  const degrees = /\bnode_degree_(in|out)\s*\(/i.test(tokensText(op));
  const keyed = project(g.nodes, [
    ...g.nodes.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })),
    { name: '__key', expr: identity(g.nodes, ir.col(keyCol.name, keyCol.type)) },
  ]);
  const degreeOf = (endpoint: string, key: string, out: string): Rel => {
    const ends = project(g.edges, [{ name: key, expr: identity(g.edges, col(g.edges, endpoint)) }]);
    return {
      k: 'aggregate', input: ends, keys: [{ name: key, expr: ir.col(key, 'string') }],
      aggs: [{ fn: 'count', args: [], outs: [{ name: out, type: 'long' }] }], columns: [{ name: key, type: 'string' }, { name: out, type: 'long' }],
    };
  };
  const nodeSource = degrees
    ? join(join(keyed, degreeOf(g.target, '__kin', '__in'), [['__key', '__kin']], 'leftouter'), degreeOf(g.source, '__kout', '__out'), [['__key', '__kout']], 'leftouter')
    : keyed;
  const zeroIfNull = (name: string): Expr => ir.call('coalesce', [ir.col(name, 'long'), ir.lit(0, 'long')], 'long');
  const nodeRows = (v: string): Rel => project(nodeSource, [
    ...nodeProps.map((c) => ({ name: `${v}.${c.name}`, expr: ir.col(c.name, c.type) })),
    { name: `${v}.__key`, expr: ir.col('__key', 'string') },
    ...(degrees ? [{ name: `${v}.${DEGREE_IN}`, expr: zeroIfNull('__in') }, { name: `${v}.${DEGREE_OUT}`, expr: zeroIfNull('__out') }] : []),
  ]);
  const edgeRows = (h: string, dir: Direction): Rel => {
    const src = identity(edgesWithId, col(edgesWithId, g.source));
    const tgt = identity(edgesWithId, col(edgesWithId, g.target));
    const rows = (from: Expr, to: Expr) => project(edgesWithId, [
      ...edgeProps.map((c) => ({ name: `${h}.${c.name}`, expr: ir.col(c.name, c.type) })),
      { name: `${h}.__eid`, expr: ir.col('__eid', 'long') },
      { name: `${h}.__from`, expr: from },
      { name: `${h}.__to`, expr: to },
    ]);
    if (dir === 'forward') return rows(src, tgt);
    if (dir === 'backward') return rows(tgt, src);
    return kunion([rows(src, tgt), rows(tgt, src)], ['', ''], null, 'outer');
  };

  // one branch per combination of variable-length edge lengths
  let combos: number[][] = [[]];
  for (const e of edgeVars) {
    const next: number[][] = [];
    for (const c of combos) for (let k = e.min; k <= e.max; k++) next.push([...c, k]);
    combos = next;
    if (combos.length > MAX_BRANCHES) return b.fail(op, `graph-match: the variable-length edges allow more than ${MAX_BRANCHES} combinations of lengths`);
  }
  const eq = (a: Expr, c: Expr) => ir.call('==', [a, c], 'bool');
  const and = (xs: Expr[]) => xs.reduce((a, c) => ir.call('and', [a, c], 'bool'));
  const branches: Rel[] = [];
  for (const lengths of combos) {
    const instances = new Map<string, EdgeInstances>();
    const bound = new Set<string>();
    let r: Rel | null = null;
    const conditions: Expr[] = [];
    edgeVars.forEach((e, i) => {
      const k = lengths[i];
      const single = !e.variable && k === 1;
      instances.set(e.name, {
        hops: single ? [e.name] : Array.from({ length: k }, (_, j) => `${e.name}#${j + 1}`),
        inner: Array.from({ length: Math.max(0, k - 1) }, (_, j) => `${e.name}@${j + 1}`),
        variable: !single,
      });
    });
    for (const p of patterns) {
      if (!bound.has(p.nodes[0])) {
        r = r ? join(r, nodeRows(p.nodes[0]), []) : nodeRows(p.nodes[0]);
        bound.add(p.nodes[0]);
      }
      p.edges.forEach((e, i) => {
        const inst = instances.get(e.name)!;
        let cur = p.nodes[i];
        inst.hops.forEach((h, j) => {
          r = join(r!, edgeRows(h, e.dir), [[`${cur}.__key`, `${h}.__from`]]);
          if (j < inst.hops.length - 1) {
            const between = inst.inner[j];
            r = join(r, nodeRows(between), [[`${h}.__to`, `${between}.__key`]], 'leftouter');
            cur = between;
            return;
          }
          const next = p.nodes[i + 1];
          if (bound.has(next)) {
            conditions.push(eq(col(r, `${h}.__to`), col(r, `${next}.__key`)));
          } else {
            r = join(r, nodeRows(next), [[`${h}.__to`, `${next}.__key`]]);
            bound.add(next);
          }
        });
        // cycles within a variable-length edge
        if (inst.variable && cycles !== 'all') {
          const ids = inst.hops.map((h) => col(r!, `${h}.__eid`));
          for (let x = 0; x < ids.length; x++) for (let y = x + 1; y < ids.length; y++) conditions.push(ir.call('!=', [ids[x], ids[y]], 'bool'));
          if (cycles === 'none') {
            const path = [`${p.nodes[i]}.__key`, ...inst.inner.map((n) => `${n}.__key`), `${p.nodes[i + 1]}.__key`].map((c) => col(r!, c));
            for (let x = 0; x < path.length; x++) for (let y = x + 1; y < path.length; y++) conditions.push(ir.call('!=', [path[x], path[y]], 'bool'));
          }
        }
      });
    }
    let rel: Rel = r!;
    if (conditions.length) rel = { k: 'filter', input: rel, cond: and(conditions), columns: rel.columns };
    const nodeScopeProps = degrees ? [...nodeProps, { name: DEGREE_IN, type: 'long' as const }, { name: DEGREE_OUT, type: 'long' as const }] : nodeProps;
    const sc = graphScope(b, env, rel, instances, bound, nodeScopeProps, edgeProps, keyCol);
    const where = childNode(op, 'WhereClause');
    if (where?.c.Condition) {
      const cond = b.expr.asBool(b.expr.bind(where.c.Condition, sc), where.c.Condition as SynNode);
      rel = { k: 'filter', input: rel, cond, columns: rel.columns };
    }
    const items = childList(projectClause, 'Expressions').filter((it): it is SynNode => it.type === 'node').map((it, i) => {
      if (it.kind === 'SimpleNamedExpression') return { name: nameText(it.c.Name) ?? `Column${i + 1}`, expr: b.expr.bind(it.c.Expression, sc) };
      const base = it.kind === 'PathExpression' ? childNode(it, 'Expression') : null;
      const name = base?.kind === 'NameReference' ? `${nameText(base)}_${nameText(it.c.Selector) ?? ''}` : expressionResultName(it, () => false) ?? `Column${i + 1}`;
      return { name, expr: b.expr.bind(it, sc) };
    });
    const names = new Set<string>();
    for (const it of items) {
      if (names.has(it.name)) return b.fail(projectClause, `${opName}: the column '${it.name}' is projected twice`);
      names.add(it.name);
    }
    if (shortest) {
      // the path length and the matched nodes travel along, to keep the shortest paths per nodes
      const hops = lengths.reduce((a, c) => a + c, 0);
      items.push({ name: '__hops', expr: ir.lit(hops, 'long') });
      // ties are broken by the edges' order in the input, so `output=any` is deterministic
      const eids = edgeVars.flatMap((e) => instances.get(e.name)!.hops).map((h) => ir.call('tohex', [col(rel, `${h}.__eid`), ir.lit(16, 'long')], 'string'));
      items.push({ name: '__order', expr: eids.length === 1 ? eids[0] : ir.call('strcat', eids, 'string') });
      [...bound].forEach((v, i) => items.push({ name: `__node${i}`, expr: col(rel, `${v}.__key`) }));
    }
    branches.push(project(rel, items));
  }
  const all = branches.length === 1 ? branches[0] : kunion(branches, branches.map(() => ''), null, 'outer');
  return shortest ? shortestOnly(all, output === 'all') : all;
}

/**
 * Keeps the rows with the fewest `__hops` per combination of `__node*` keys: all of them, or the
 * first in edge order (`__order`).
 */
function shortestOnly(paths: Rel, all: boolean): Rel {
  const keyCols = paths.columns.filter((c) => c.name.startsWith('__node'));
  const keys = keyCols.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) }));
  const keepMin = (rows: Rel, column: string, type: Column['type']): Rel => {
    const minimum: Rel = {
      k: 'aggregate', input: rows, keys, aggs: [{ fn: 'min', args: [ir.col(column, type)], outs: [{ name: '__min', type }] }],
      columns: [...keyCols, { name: '__min', type }],
    };
    return join(rows, minimum, [...keyCols.map((c): [string, string] => [c.name, c.name]), [column, '__min']], 'leftsemi');
  };
  const kept = keepMin(paths, '__hops', 'long');
  const one: Rel = all ? kept : { k: 'dedupe', input: keepMin(kept, '__order', 'string'), keys: keys.map((k) => k.expr), columns: kept.columns };
  const out = paths.columns.filter((c) => !c.name.startsWith('__'));
  return project(one, out.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })));
}

/** The node properties node_degree_in() and node_degree_out() read (see bindGraphMatch). */
const DEGREE_IN = '__degree_in';
const DEGREE_OUT = '__degree_out';

/**
 * The scope of graph-match's where and project: `v.prop` of node and fixed-length edge variables,
 * any/all/map over variable-length edges and inner_nodes(), and node_id / node_degree_in /
 * node_degree_out of a node variable (or, without an argument, of the node that any/all/map visits).
 */
function graphScope(b: Binder, env: Env, rel: Rel, instances: Map<string, EdgeInstances>, nodes: Set<string>, nodeProps: Column[], edgeProps: Column[], key: Column): ExprScope {
  const row = RowScope.of(rel.columns.filter((c) => !c.name.includes('.')));
  const rowsOf = (names: string[], props: Column[]) => names.map((n) => new RowScope(props, new Map(props.map((c) => [c.name, ir.col(`${n}.${c.name}`, c.type)]))));
  const sc: ExprScope = {
    env,
    row,
    graph: {
      path(base, sel, at) {
        const inst = instances.get(base);
        if (inst?.variable) return b.fail(at, `'${base}' is a variable-length edge: use map(), any() or all() over it`);
        if (!inst && !nodes.has(base)) return undefined;
        const props = inst ? edgeProps : nodeProps;
        const c = props.find((x) => x.name === sel);
        if (!c) return b.fail(at, `'${sel}' is not a property of the ${inst ? 'edges' : 'nodes'}`);
        return ir.col(`${base}.${sel}`, c.type);
      },
      call(name, args, inner, at) {
        if (name === 'node_id' || name === 'node_degree_in' || name === 'node_degree_out') {
          const prop = name === 'node_id' ? key : { name: name === 'node_degree_in' ? DEGREE_IN : DEGREE_OUT, type: 'long' as const };
          if (args.length === 0) {
            return inner.row.resolveInternal(prop.name) ?? b.fail(at, `${name}() without an argument belongs inside any(), all() or map() over inner_nodes()`);
          }
          const v = args.length === 1 && args[0].type === 'node' && args[0].kind === 'NameReference' ? nameText(args[0]) : null;
          if (!v || !nodes.has(v)) return b.fail(at, `${name}() takes a node variable of the pattern`);
          return ir.col(`${v}.${prop.name}`, prop.type);
        }
        // `any` reaches here under its aggregate alias
        if (name === 'take_any') name = 'any';
        if (name !== 'any' && name !== 'all' && name !== 'map') return undefined;
        if (args.length !== 2) return undefined;
        const target = args[0];
        let scopes: RowScope[] | null = null;
        const edgeName = (s: Syn) => (s.type === 'node' && s.kind === 'NameReference' ? nameText(s) : null);
        const direct = edgeName(target);
        if (direct && instances.has(direct)) scopes = rowsOf(instances.get(direct)!.hops, edgeProps);
        if (target.type === 'node' && target.kind === 'FunctionCallExpression' && (nameText(target.c.Name) ?? '') === 'inner_nodes') {
          const inArgs = childList(childNode(target, 'ArgumentList')!, 'Expressions');
          const e = inArgs.length === 1 ? edgeName(inArgs[0]) : null;
          if (!e || !instances.has(e)) return b.fail(target, 'inner_nodes() takes a variable-length edge of the pattern');
          scopes = rowsOf(instances.get(e)!.inner, nodeProps);
        }
        if (!scopes) return undefined;
        const values = scopes.map((s) => b.expr.bind(args[1], { ...inner, row: s }));
        if (name === 'map') return ir.call('pack_array', values, 'dynamic');
        const bools = values.map((v) => b.expr.asBool(v, at));
        if (!bools.length) return ir.lit(name === 'all', 'bool');
        return bools.reduce((x, y) => ir.call(name === 'all' ? 'and' : 'or', [x, y], 'bool'));
      },
    },
  };
  return sc;
}

/**
 * `graph-to-table nodes [with_node_id=Id]` or `graph-to-table edges [with_source_id=S]
 * [with_target_id=T]`: the graph's nodes or edges as a table. Node ids are opaque longs (the hash of
 * the node's identity), equal for a node and for the edges that touch it. One output per query:
 * both outputs at once (`nodes as N, edges as E`) would be two results, which the API cannot return.
 */
export function bindGraphToTable(b: Binder, input: Rel, op: SynNode): Rel {
  const g = graphs.get(input);
  if (!g) return b.fail(op, 'graph-to-table needs a graph, made by make-graph');
  const outputs = childList(op, 'OutputClause').filter((o): o is SynNode => o.type === 'node');
  if (outputs.length !== 1) return b.fail(op, 'graph-to-table: one output (nodes or edges) per query is supported');
  const out = outputs[0];
  const entity = tokensText(out.c.EntityKeyword).toLowerCase();
  const params = new Map<string, string>();
  for (const p of childList(out, 'Parameters')) {
    if (p.type !== 'node') continue;
    params.set((nameText(p.c.Name) ?? '').toLowerCase(), nameText(p.c.Expression) ?? tokensText(p.c.Expression));
  }
  const allowed = entity === 'nodes' ? ['with_node_id'] : ['with_source_id', 'with_target_id'];
  for (const k of params.keys()) if (!allowed.includes(k)) return b.fail(out, `graph-to-table ${entity}: unsupported parameter '${k}'`);
  const id = (r: Rel, key: string): Expr => {
    const k = text(col(r, key));
    const identity = g.partition === undefined ? k : ir.call('strcat', [text(col(r, g.partition)), ir.lit('\u0001', 'string'), k], 'string');
    return ir.call('hash', [identity], 'long');
  };
  const keep = (r: Rel) => visible(r.columns).map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) }));
  if (entity === 'nodes') {
    const name = params.get('with_node_id');
    return project(g.nodes, [...(name ? [{ name, expr: id(g.nodes, g.key) }] : []), ...keep(g.nodes)]);
  }
  const src = params.get('with_source_id');
  const tgt = params.get('with_target_id');
  return project(g.edges, [
    ...(src ? [{ name: src, expr: id(g.edges, g.source) }] : []),
    ...(tgt ? [{ name: tgt, expr: id(g.edges, g.target) }] : []),
    ...keep(g.edges),
  ]);
}

/**
 * `graph-mark-components [kind=weak|strong] [with_component_id=Name]`: the same graph, its nodes
 * extended by the id of their connected component (default column ComponentId); with
 * `partitioned-by`, components stay within a partition.
 */
export function bindGraphMarkComponents(b: Binder, input: Rel, op: SynNode): Rel {
  const g = graphs.get(input);
  if (!g) return b.fail(op, 'graph-mark-components needs a graph, made by make-graph');
  let strong = false;
  let name = 'ComponentId';
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const param = (nameText(p.c.Name) ?? '').toLowerCase();
    const value = nameText(p.c.Expression) ?? tokensText(p.c.Expression);
    if (param === 'kind' && (value === 'weak' || value === 'strong')) strong = value === 'strong';
    else if (param === 'with_component_id' && value) name = value;
    else return b.fail(p, `graph-mark-components: unsupported parameter '${tokensText(p)}' (kind=weak|strong and with_component_id=Name are)`);
  }
  if (g.nodes.columns.some((c) => c.name === name)) return b.fail(op, `graph-mark-components: the nodes already have a column '${name}'`);
  const identity = (r: Rel, key: string): Expr => {
    const k = text(col(r, key));
    return g.partition === undefined ? k : ir.call('strcat', [text(col(r, g.partition)), ir.lit(PARTITION_MARK, 'string'), k], 'string');
  };
  const nodes: Rel = {
    k: 'components', nodes: g.nodes, edges: g.edges, nodeKey: identity(g.nodes, g.key),
    source: identity(g.edges, g.source), target: identity(g.edges, g.target), strong, name, partitioned: g.partition !== undefined,
    columns: [...g.nodes.columns, { name, type: 'long' }],
  };
  const graph = project(input, input.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })));
  graphs.set(graph, { ...g, nodes });
  return graph;
}
