/**
 * Stage 3 of the KQL pipeline: rewrites the bound plan into the core relational IR the printers
 * understand. KQL join flavours become SQL joins (innerunique dedupes its left side on the key,
 * right semi/anti swap sides), unions are aligned column by column (null for missing columns, the
 * table name for `withsource`), and subqueries inside expressions are lowered too.
 */
import { ir, type Expr, type JoinKind, type KJoin, type KUnion, type MvExpand, type Query, type Rel } from '../ir/ir.ts';

/** Lowers every relation of the query (CTEs included). Pure: the input is not modified. */
export function lower(q: Query): Query {
  const memo = new Map<Rel, Rel>();
  return { ctes: q.ctes.map((c) => ({ name: c.name, rel: lowerRel(c.rel, memo) })), rel: lowerRel(q.rel, memo) };
}

function lowerRel(r: Rel, memo: Map<Rel, Rel>): Rel {
  const done = memo.get(r);
  if (done) return done;
  const out = lowerOnce(r, memo);
  memo.set(r, out);
  return out;
}

function lowerExpr(e: Expr, memo: Map<Rel, Rel>): Expr {
  if (e.k === 'subquery') return { ...e, rel: lowerRel(e.rel, memo) };
  if (e.k === 'call') {
    let changed = false;
    const args = e.args.map((a) => {
      const x = lowerExpr(a, memo);
      if (x !== a) changed = true;
      return x;
    });
    return changed ? { ...e, args } : e;
  }
  return e;
}

function lowerOnce(r: Rel, memo: Map<Rel, Rel>): Rel {
  const L = (x: Rel) => lowerRel(x, memo);
  const E = (x: Expr) => lowerExpr(x, memo);
  switch (r.k) {
    case 'scan': case 'cte': case 'outer': return r;
    case 'mvapply': return { ...r, input: L(r.input), sub: L(r.sub) };
    case 'values': return { ...r, rows: r.rows.map((row) => row.map(E)) };
    case 'range': return { ...r, from: E(r.from), to: E(r.to), step: E(r.step) };
    case 'filter': return { ...r, input: L(r.input), cond: E(r.cond) };
    case 'project': return { ...r, input: L(r.input), items: r.items.map((i) => ({ name: i.name, expr: E(i.expr) })) };
    case 'aggregate':
      return {
        ...r, input: L(r.input), keys: r.keys.map((k) => ({ name: k.name, expr: E(k.expr) })),
        aggs: r.aggs.map((a) => ({ ...a, args: a.args.map(E) })),
      };
    case 'sort': return { ...r, input: L(r.input), keys: r.keys.map((k) => ({ ...k, expr: E(k.expr) })) };
    case 'limit': return { ...r, input: L(r.input), count: E(r.count) };
    case 'dedupe': return { ...r, input: L(r.input), keys: r.keys.map(E) };
    case 'join': return { ...r, left: L(r.left), right: L(r.right), on: r.on.map((p) => ({ left: E(p.left), right: E(p.right) })), ranges: r.ranges?.map((g) => ({ left: E(g.left), lo: E(g.lo), hi: E(g.hi) })) };
    case 'union': return { ...r, inputs: r.inputs.map(L) };
    case 'mvexpand': return expandParsedText({ ...r, input: L(r.input), items: r.items.map((i) => ({ ...i, expr: E(i.expr) })) });
    case 'window': return { ...r, input: L(r.input), items: r.items.map((i) => ({ ...i, args: i.args.map(E) })), order: r.order.map((k) => ({ ...k, expr: E(k.expr) })) };
    case 'scanop': return {
      ...r, input: L(r.input), order: r.order.map((k) => ({ ...k, expr: E(k.expr) })),
      steps: r.steps.map((st) => ({ ...st, cond: E(st.cond), assigns: st.assigns.map((a) => ({ name: a.name, expr: E(a.expr) })) })),
    };
    case 'components': return { ...r, nodes: L(r.nodes), edges: L(r.edges), nodeKey: E(r.nodeKey), source: E(r.source), target: E(r.target) };
    case 'kjoin': return lowerJoin(r, L, E);
    case 'kunion': return lowerUnion(r, L);
  }
}

const SQL_KIND: Record<string, JoinKind> = {
  innerunique: 'inner', inner: 'inner', leftouter: 'left', rightouter: 'right', fullouter: 'full',
  leftsemi: 'semi', leftanti: 'anti', rightsemi: 'semi', rightanti: 'anti',
};

function lowerJoin(j: KJoin, L: (r: Rel) => Rel, E: (e: Expr) => Expr): Rel {
  let left = L(j.left);
  let right = L(j.right);
  let on = j.on.map((p) => ({ left: E(p.left), right: E(p.right) }));
  const ranges = j.ranges?.map((g) => ({ left: E(g.left), lo: E(g.lo), hi: E(g.hi) }));
  if (ranges?.length && j.kind !== 'inner' && j.kind !== 'leftouter') throw new Error(`internal: a ${j.kind} join cannot have range conditions`);
  let outputs = j.outputs;
  if (j.kind === 'innerunique') {
    left = { k: 'dedupe', input: left, keys: on.map((p) => p.left), columns: left.columns };
  }
  if (j.kind === 'rightsemi' || j.kind === 'rightanti') {
    [left, right] = [right, left];
    on = on.map((p) => ({ left: p.right, right: p.left }));
    outputs = outputs.map((o) => ({ ...o, side: 'left' }));
  }
  return { k: 'join', left, right, kind: SQL_KIND[j.kind], on, ...(ranges?.length ? { ranges } : {}), outputs, columns: j.columns };
}

function lowerUnion(u: KUnion, L: (r: Rel) => Rel): Rel {
  const dataColumns = u.withSource ? u.columns.slice(1) : u.columns;
  const inputs = u.inputs.map((input, i) => {
    const lowered = L(input);
    const items = dataColumns.map((c, j) => {
      const src = u.maps[i][j];
      const srcCol = src === null ? undefined : input.columns.find((x) => x.name === src);
      return { name: c.name, expr: srcCol ? ir.col(srcCol.name, srcCol.type) : ir.lit(null, c.type) };
    });
    if (u.withSource) items.unshift({ name: u.withSource, expr: ir.lit(u.sources[i], 'string') });
    return { k: 'project' as const, input: lowered, items, columns: u.columns };
  });
  return { k: 'union', inputs, columns: u.columns };
}

/**
 * `extend U = parse_json(Text) | mv-expand U`: the expansion reads `parse_json(Text)` itself when
 * Text passes through the projection unchanged, so the printer can cast the text to an array
 * directly (one parse instead of two); U's own projection then goes unread and is pruned.
 */
function expandParsedText(m: MvExpand): MvExpand {
  if (m.input.k !== 'project') return m;
  const proj = m.input;
  const passedThrough = (name: string) => proj.items.some((i) => i.name === name && i.expr.k === 'col' && i.expr.name === name);
  const refsPassThrough = (e: Expr): boolean => (e.k === 'col' ? passedThrough(e.name) : e.k === 'lit' ? true : e.k === 'call' ? e.args.every(refsPassThrough) : false);
  const items = m.items.map((it) => {
    if (it.expr.k !== 'col') return it;
    const name = it.expr.name;
    const def = proj.items.find((i) => i.name === name)?.expr;
    if (!def || def.k !== 'call' || def.fn !== 'parse_json' || def.args.length !== 1 || def.args[0].type !== 'string') return it;
    return refsPassThrough(def.args[0]) ? { ...it, expr: def } : it;
  });
  return items.every((it, i) => it === m.items[i]) ? m : { ...m, items };
}
