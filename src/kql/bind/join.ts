/**
 * join and lookup: the join flavour (`kind=`, default innerunique for join and leftouter for
 * lookup), the `on` keys (same-named columns, or `$left.a == $right.b`), and KQL's output
 * columns (left columns, then right columns with clashing names suffixed 1, 2, …).
 */
import type { Expr, JoinOutput, KJoin, KqlJoinKind, Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { isNumeric, visible } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText, UniqueNames } from './naming.ts';
import { RowScope } from './scope.ts';

const KINDS: Record<string, KqlJoinKind> = {
  innerunique: 'innerunique', inner: 'inner', leftouter: 'leftouter', rightouter: 'rightouter', fullouter: 'fullouter',
  outer: 'fullouter', leftanti: 'leftanti', anti: 'leftanti', leftantisemi: 'leftanti', rightanti: 'rightanti',
  rightantisemi: 'rightanti', leftsemi: 'leftsemi', semi: 'leftsemi', rightsemi: 'rightsemi',
};

/** `kind=` and other parameters of join/lookup. */
function joinKind(b: Binder, op: SynNode, dflt: KqlJoinKind): KqlJoinKind {
  let kind = dflt;
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const pname = tokensText(p.c.Name).toLowerCase();
    if (pname !== 'kind') continue;
    const v = (nameText(p.c.Expression) ?? tokensText(p.c.Expression)).toLowerCase();
    const k = Object.hasOwn(KINDS, v) ? KINDS[v] : undefined;
    if (!k) b.fail(p, `The join kind '${v}' is not supported`);
    kind = k;
  }
  return kind;
}

/** Which side a join-condition operand refers to, from its `$left` / `$right` references. */
function sideOf(s: Syn | null): 'left' | 'right' | null {
  if (!s) return null;
  if (s.type === 'token') return s.text === '$left' ? 'left' : s.text === '$right' ? 'right' : null;
  const kids = s.type === 'list' ? s.items : Object.values(s.c);
  for (const k of kids) {
    const r = sideOf(k);
    if (r) return r;
  }
  return null;
}

/** Binds the `on` clause into pairs of (left expr, right expr). */
function onPairs(b: Binder, left: Rel, right: Rel, op: SynNode, env: Env, clauseName: string): { left: Expr; right: Expr }[] {
  const clause = childNode(op, clauseName);
  if (!clause) return b.fail(op, 'join needs an on clause');
  if (clause.kind === 'JoinWhereClause') return b.fail(clause, "join ... where is not supported; use 'on'");
  const ls = RowScope.of(left.columns);
  const rs = RowScope.of(right.columns);
  const pairs: { left: Expr; right: Expr }[] = [];
  const visit = (e: Syn): void => {
    if (e.type !== 'node') return;
    if (e.kind === 'ParenthesizedExpression' && e.c.Expression) return visit(e.c.Expression);
    if (e.kind === 'AndExpression') { visit(e.c.Left!); visit(e.c.Right!); return; }
    if (e.kind === 'NameReference') {
      const n = nameText(e) ?? '';
      const l = ls.resolve(n);
      const r = rs.resolve(n);
      if (!l) return b.fail(e, `Failed to resolve column '${n}' on the left side of the join`);
      if (!r) return b.fail(e, `Failed to resolve column '${n}' on the right side of the join`);
      pairs.push(unify(l, r));
      return;
    }
    if (e.kind === 'EqualExpression') {
      const a = e.c.Left!;
      const c = e.c.Right!;
      const sa = sideOf(a);
      const sc = sideOf(c);
      if (!sa || !sc || sa === sc) return b.fail(e, 'A join condition must compare $left.column with $right.column');
      const bindSide = (n: Syn, side: 'left' | 'right') =>
        b.expr.bind(n, { env, row: side === 'left' ? ls : rs, joinSides: { left: ls, right: rs } });
      const ea = bindSide(a, sa);
      const ec = bindSide(c, sc);
      pairs.push(sa === 'left' ? unify(ea, ec) : unify(ec, ea));
      return;
    }
    b.fail(e, 'Unsupported join condition; use column names or $left.a == $right.b');
  };
  for (const e of childList(clause, 'Expressions')) visit(e);
  if (!pairs.length) return b.fail(clause, 'join needs at least one key');
  return pairs;
}

/** Brings join keys to a common type (dynamic keys take the other side's type). */
function unify(l: Expr, r: Expr): { left: Expr; right: Expr } {
  if (l.type === r.type || (isNumeric(l.type) && isNumeric(r.type))) return { left: l, right: r };
  if (l.type === 'dynamic') return { left: convertTo(l, r.type), right: r };
  if (r.type === 'dynamic') return { left: l, right: convertTo(r, l.type) };
  return { left: convertTo(l, 'string'), right: convertTo(r, 'string') };
}

/** `L | join [kind=…] (R) on …` */
export function bindJoin(b: Binder, left: Rel, op: SynNode, env: Env): Rel {
  const kind = joinKind(b, op, 'innerunique');
  const right = b.bindTabular(op.c.Expression!, env);
  const on = onPairs(b, left, right, op, env, 'ConditionClause');
  const outputs: JoinOutput[] = [];
  if (kind === 'rightsemi' || kind === 'rightanti') {
    for (const c of visible(right.columns)) outputs.push({ side: 'right', name: c.name, as: c.name, type: c.type });
  } else {
    for (const c of visible(left.columns)) outputs.push({ side: 'left', name: c.name, as: c.name, type: c.type });
    if (kind !== 'leftsemi' && kind !== 'leftanti') {
      const names = new UniqueNames(visible(left.columns).map((c) => c.name));
      for (const c of visible(right.columns)) outputs.push({ side: 'right', name: c.name, as: names.take(c.name), type: c.type });
    }
  }
  return withHidden({ k: 'kjoin', left, right, kind, on, outputs, columns: [] }, kind === 'rightsemi' || kind === 'rightanti' ? 'right' : 'left');
}

/**
 * Sets a join's columns from its outputs, plus the hidden columns (TimeGenerated, ingestion time) of
 * the side whose rows it returns, still hidden, so they stay reachable after the join. Joins that
 * return both sides' columns also keep the other side's hidden columns whose names are still free
 * (a Sentinel query may read TimeGenerated of the right side after the left one projected it away).
 */
export function withHidden(j: KJoin, side: 'left' | 'right'): Rel {
  const both = j.kind !== 'leftsemi' && j.kind !== 'leftanti' && j.kind !== 'rightsemi' && j.kind !== 'rightanti';
  const sides: ('left' | 'right')[] = both ? [side, side === 'left' ? 'right' : 'left'] : [side];
  const taken = new Set(j.outputs.map((o) => o.as));
  const extra: JoinOutput[] = [];
  for (const s of sides) {
    for (const c of (s === 'left' ? j.left : j.right).columns) {
      if (!c.hidden || taken.has(c.name)) continue;
      taken.add(c.name);
      extra.push({ side: s, name: c.name, as: c.name, type: c.type });
    }
  }
  const outputs = [...j.outputs, ...extra];
  const hiddenNames = new Set(extra.map((o) => o.as));
  return { ...j, outputs, columns: outputs.map((o) => (hiddenNames.has(o.as) ? { name: o.as, type: o.type, hidden: true } : { name: o.as, type: o.type })) };
}

/** `L | lookup [kind=leftouter|inner] (R) on …`: right key columns are not repeated. */
export function bindLookup(b: Binder, left: Rel, op: SynNode, env: Env): Rel {
  const kind = joinKind(b, op, 'leftouter');
  if (kind !== 'leftouter' && kind !== 'inner') return b.fail(op, `lookup kind=${kind} is not supported`);
  const right = b.bindTabular(op.c.Expression!, env);
  const on = onPairs(b, left, right, op, env, 'LookupClause');
  const rightKeys = new Set(on.map((p) => (p.right.k === 'col' ? p.right.name : '')));
  const outputs: JoinOutput[] = visible(left.columns).map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type }));
  const names = new UniqueNames(visible(left.columns).map((c) => c.name));
  for (const c of visible(right.columns)) {
    if (rightKeys.has(c.name)) continue;
    outputs.push({ side: 'right', name: c.name, as: names.take(c.name), type: c.type });
  }
  return withHidden({ k: 'kjoin', left, right, kind, on, outputs, columns: [] }, 'left');
}
