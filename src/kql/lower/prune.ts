/**
 * Column pruning on the lowered IR: every relation carries only the columns something above it
 * reads. KQL carries whole rows through a pipeline (a union pads each table to the union of all
 * columns, mv-expand repeats every column per element), while a query usually reads a handful;
 * SQL engines prune plain projections themselves but not always through UNION ALL or UNNEST.
 *
 * The pass never changes results: row counts and order are untouched (filters, joins, dedupes and
 * sorts keep the columns they test), and every relation still outputs at least one column. CTEs,
 * mv-apply and correlated rows are left whole, since more than one consumer may read them.
 */
import { ir, type Expr, type Query, type Rel } from '../ir/ir.ts';
import type { Column } from '../types.ts';

/** Column names a relation's consumer reads; 'all' when every column is needed. */
type Need = Set<string> | 'all';

/** Prunes the query's result relation (its output columns all stay) and each subquery inside it. */
export function pruneColumns(q: Query): Query {
  return { ctes: q.ctes.map((c) => ({ name: c.name, rel: prune(c.rel, 'all') })), rel: prune(q.rel, 'all') };
}

function refs(e: Expr, acc: Set<string>): Set<string> {
  if (e.k === 'col') acc.add(e.name);
  else if (e.k === 'call') for (const a of e.args) refs(a, acc);
  return acc;
}

function pruneExpr(e: Expr): Expr {
  if (e.k === 'subquery') return { ...e, rel: prune(e.rel, 'all') };
  if (e.k === 'call') {
    let changed = false;
    const args = e.args.map((a) => {
      const x = pruneExpr(a);
      if (x !== a) changed = true;
      return x;
    });
    return changed ? { ...e, args } : e;
  }
  return e;
}

/** `need` plus the columns the expressions read. */
function plus(need: Need, exprs: readonly Expr[]): Need {
  if (need === 'all') return 'all';
  const out = new Set(need);
  for (const e of exprs) refs(e, out);
  return out;
}

/** The columns of `cols` that are needed, in order; the first column when none is (SQL needs one). */
function keep(cols: readonly Column[], need: Need): Column[] {
  if (need === 'all') return [...cols];
  const kept = cols.filter((c) => need.has(c.name));
  return kept.length > 0 ? kept : cols.slice(0, 1);
}

function sameNames(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name);
}

/** A relation producing exactly `cols` (by name, in order) from `r`, projecting when it differs. */
function exactly(r: Rel, cols: Column[]): Rel {
  if (sameNames(r.columns, cols)) return r;
  return { k: 'project', input: r, items: cols.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: cols };
}

function prune(r: Rel, need: Need): Rel {
  switch (r.k) {
    case 'scan': {
      const columns = keep(r.columns, need);
      return columns.length === r.columns.length ? r : { ...r, columns };
    }
    case 'values': case 'range': case 'cte': case 'outer':
      return r;
    case 'filter': {
      const input = prune(r.input, plus(need, [r.cond]));
      return { ...r, input, cond: pruneExpr(r.cond), columns: input.columns };
    }
    case 'project': {
      const items = need === 'all' ? r.items : r.items.filter((i) => need.has(i.name));
      const kept = items.length > 0 ? items : r.items.slice(0, 1);
      const input = prune(r.input, plus(new Set(), kept.map((i) => i.expr)));
      const names = new Set(kept.map((i) => i.name));
      return { ...r, input, items: kept.map((i) => ({ name: i.name, expr: pruneExpr(i.expr) })), columns: r.columns.filter((c) => names.has(c.name)) };
    }
    case 'aggregate': {
      const input = prune(r.input, plus(new Set(), [...r.keys.map((k) => k.expr), ...r.aggs.flatMap((a) => a.args)]));
      return {
        ...r, input,
        keys: r.keys.map((k) => ({ name: k.name, expr: pruneExpr(k.expr) })),
        aggs: r.aggs.map((a) => ({ ...a, args: a.args.map(pruneExpr) })),
      };
    }
    case 'sort': {
      const input = prune(r.input, plus(need, r.keys.map((k) => k.expr)));
      return { ...r, input, keys: r.keys.map((k) => ({ ...k, expr: pruneExpr(k.expr) })), columns: input.columns };
    }
    case 'limit': {
      const input = prune(r.input, plus(need, [r.count]));
      return { ...r, input, columns: input.columns };
    }
    case 'dedupe': {
      const input = prune(r.input, plus(need, r.keys));
      return { ...r, input, keys: r.keys.map(pruneExpr), columns: input.columns };
    }
    case 'join': {
      const outputs = need === 'all' ? r.outputs : r.outputs.filter((o) => need.has(o.as));
      const kept = outputs.length > 0 ? outputs : r.outputs.slice(0, 1);
      const side = (s: 'left' | 'right') => {
        const n = new Set(kept.filter((o) => o.side === s).map((o) => o.name));
        for (const o of r.on) refs(s === 'left' ? o.left : o.right, n);
        for (const g of r.ranges ?? []) {
          if (s === 'left') refs(g.left, n);
          else {
            refs(g.lo, n);
            refs(g.hi, n);
          }
        }
        return n;
      };
      const names = new Set(kept.map((o) => o.as));
      return {
        ...r,
        left: prune(r.left, side('left')),
        right: prune(r.right, side('right')),
        on: r.on.map((o) => ({ left: pruneExpr(o.left), right: pruneExpr(o.right) })),
        ...(r.ranges ? { ranges: r.ranges.map((g) => ({ left: pruneExpr(g.left), lo: pruneExpr(g.lo), hi: pruneExpr(g.hi) })) } : {}),
        outputs: kept,
        columns: r.columns.filter((c) => names.has(c.name)),
      };
    }
    case 'union': {
      const columns = keep(r.columns, need);
      const inner = new Set(columns.map((c) => c.name));
      return { ...r, inputs: r.inputs.map((i) => exactly(prune(i, inner), columns)), columns };
    }
    case 'mvexpand': {
      const made = new Set(r.items.map((i) => i.name));
      if (r.indexName) made.add(r.indexName);
      const fromInput: Need = need === 'all' ? 'all' : new Set([...need].filter((n) => !made.has(n)));
      const input = prune(r.input, plus(fromInput, r.items.map((i) => i.expr)));
      const present = new Set(input.columns.map((c) => c.name));
      return {
        ...r, input,
        items: r.items.map((i) => ({ ...i, expr: pruneExpr(i.expr) })),
        columns: r.columns.filter((c) => made.has(c.name) || present.has(c.name)),
      };
    }
    case 'window': {
      const made = new Set(r.items.map((i) => i.name));
      const fromInput: Need = need === 'all' ? 'all' : new Set([...need].filter((n) => !made.has(n)));
      const used = [...r.items.flatMap((i) => (i.partition ? [...i.args, i.partition] : i.args)), ...r.order.map((k) => k.expr)];
      const input = prune(r.input, plus(fromInput, used));
      const present = new Set(input.columns.map((c) => c.name));
      return { ...r, input, columns: r.columns.filter((c) => made.has(c.name) || present.has(c.name)) };
    }
    case 'mvapply':
      return { ...r, input: prune(r.input, 'all'), sub: prune(r.sub, 'all') };
    case 'components':
      return { ...r, nodes: prune(r.nodes, 'all'), edges: prune(r.edges, plus(new Set(), [r.source, r.target])) };
    case 'scanop':
      // every input column is output, and state values may read any of them
      return { ...r, input: prune(r.input, 'all'), steps: r.steps.map((st) => ({ ...st, cond: pruneExpr(st.cond), assigns: st.assigns.map((a) => ({ name: a.name, expr: pruneExpr(a.expr) })) })) };
    case 'kjoin': case 'kunion':
      throw new Error(`internal: ${r.k} must be lowered before pruning`);
  }
}
