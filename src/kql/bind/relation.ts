/**
 * Helpers over bound relations that the operator binders share: the projection node, the row
 * scope, the order rows arrive in, wildcard column matching and default column names. A leaf of
 * the binder: it imports no operator binder, so every operator file can use it.
 */
import type { Expr, NamedExpr, Rel, SortKey } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { visible, type Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import type { ExprScope } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';
import { wildcardMatcher } from './wildcard.ts';

/**
 * A Project node with columns derived from the items. With `keepHidden`, an item that passes a hidden
 * input column through unchanged keeps it hidden (project-away, rename, extend…); otherwise every
 * projected column is visible (an explicit `project X`).
 */
export function project(input: Rel, items: NamedExpr[], keepHidden = false): Rel {
  const hiddenIn = new Set(input.columns.filter((c) => c.hidden).map((c) => c.name));
  return {
    k: 'project', input, items,
    columns: items.map((i) => (keepHidden && i.expr.k === 'col' && hiddenIn.has(i.expr.name) && i.expr.name === i.name
      ? { name: i.name, type: i.expr.type, hidden: true }
      : { name: i.name, type: i.expr.type })),
  };
}

/** The row scope over a relation's columns. */
export function scopeOf(input: Rel, env: Env): ExprScope {
  return { env, row: RowScope.of(input.columns) };
}

/** The order rows arrive in, when an upstream sort still determines it (its keys, else []). */
export function orderOf(r: Rel): SortKey[] {
  switch (r.k) {
    case 'sort': return r.keys;
    case 'limit': case 'filter': case 'window': return orderOf(r.input);
    case 'project': {
      const o = orderOf(r.input);
      const kept = (e: Expr): boolean => (e.k === 'col' ? r.items.some((i) => i.name === e.name && i.expr.k === 'col' && i.expr.name === e.name)
        : e.k === 'call' ? e.args.every(kept) : e.k === 'lit');
      return o.every((k) => kept(k.expr)) ? o : [];
    }
    default: return [];
  }
}

/** Names that a NameReference item denotes: one column, or every match of a wildcard. */
export function columnsMatching(b: Binder, cols: readonly Column[], item: SynNode): Column[] {
  const name = nameText(item) ?? '';
  const wild = item.c.Name?.type === 'node' && (item.c.Name.kind === 'WildcardedName' || item.c.Name.kind === 'BracketedWildcardedName');
  if (wild || name.includes('*')) {
    const matches = wildcardMatcher(name);
    return visible(cols).filter((c) => matches(c.name));
  }
  const c = name.startsWith('__') ? undefined : cols.find((x) => x.name === name);
  if (!c) return b.fail(item, `Failed to resolve column '${name}'`);
  return [c];
}

/** Whether a syntax node binds to a dynamic value (used by result naming of paths). */
export function dynamicTester(b: Binder, sc: ExprScope): (n: SynNode) => boolean {
  return (n) => {
    try {
      return b.expr.bind(n, { ...sc, agg: null }).type === 'dynamic';
    } catch {
      return false;
    }
  };
}

/** Issues KQL's default names Column1, Column2, … skipping names in use. */
export function defaultNamer(used: (n: string) => boolean): () => string {
  let i = 1;
  return () => {
    while (used(`Column${i}`)) i++;
    return `Column${i++}`;
  };
}
