/**
 * `find [withsource=Col] [in (T1, T2*, …)] where Predicate [project-smart | project Col[:type], …]`:
 * the rows of several tables that match a predicate, with the table's name in a leading column
 * (`source_` unless withsource names it).
 *
 * The predicate is evaluated per table; a part that names a column the table lacks is false there.
 * With `project`, the output has exactly the listed columns (typed by `Col:type` or by the tables
 * that have them; null where a table lacks one). Without it (project-smart), the output has the
 * columns the predicate names, then the columns every table has, then `pack_`, a bag of the rest
 * of each row.
 */
import { ir, type Expr, type NamedExpr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, visible, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';
import { searchPredicate, tablesIn } from './search.ts';
import { kunion } from './union.ts';

const PACK = 'pack_';

/** Names referenced in a predicate, in order of first appearance. */
function referenced(n: Syn | null | undefined, acc: string[]): string[] {
  if (!n || n.type === 'token') return acc;
  if (n.type === 'list') {
    for (const i of n.items) referenced(i, acc);
    return acc;
  }
  if (n.kind === 'NameReference') {
    const name = nameText(n);
    if (name && !acc.includes(name)) acc.push(name);
    return acc;
  }
  for (const c of Object.values(n.c)) referenced(c, acc);
  return acc;
}

/** A bag of the given columns of the row. */
function packOf(cols: readonly Column[]): Expr {
  if (cols.length === 0) return ir.lit('{}', 'dynamic');
  return ir.call('pack', cols.flatMap((c) => [ir.lit(c.name, 'string'), ir.col(c.name, c.type)]), 'dynamic');
}

/** The type a column has in the tables that have it (the first one's when they differ). */
function typeIn(sources: readonly Rel[], name: string): KqlType | undefined {
  for (const r of sources) {
    const c = visible(r.columns).find((x) => x.name === name);
    if (c) return c.type;
  }
  return undefined;
}

/** Binds a find operator. */
export function bindFind(b: Binder, op: SynNode, env: Env): Rel {
  let withSource = 'source_';
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const name = tokensText(p.c.Name).toLowerCase();
    if (name !== 'withsource') return b.fail(p, `find: unsupported parameter '${tokensText(p)}'`);
    withSource = nameText(p.c.Expression) ?? tokensText(p.c.Expression);
  }
  const condition = op.c.Condition;
  if (!condition) return b.fail(op, 'find needs a where predicate');
  const tables = tablesIn(b, childNode(op, 'InClause'), 'find');
  const filtered = tables.map((t) => ({
    name: t.name,
    rel: { k: 'filter', input: t.rel, cond: searchPredicate(b, condition, RowScope.of(t.rel.columns), env, false), columns: t.rel.columns } as Rel,
  }));
  const rels = filtered.map((f) => f.rel);

  // the output columns, and for each table how to fill them
  const out: Column[] = [];
  const project = childNode(op, 'Project');
  const smart = !project || /^project-smart$/i.test(tokensText(project.c.ProjectKeyword ?? null));
  if (!smart) {
    for (const c of childList(project!, 'Columns')) {
      if (c.type !== 'node') continue;
      const ref = c.kind === 'TypedColumnReference' ? childNode(c, 'Column') : c;
      const name = ref && ref.kind === 'NameReference' ? nameText(ref) : null;
      if (!name) return b.fail(c, 'find: project takes column names or Column:type');
      const declared = c.kind === 'TypedColumnReference' ? parseTypeName(tokensText(childNode(c, 'Type')?.c.Type ?? c.c.Type)) : null;
      if (c.kind === 'TypedColumnReference' && !declared) return b.fail(c, `find: unknown type in '${tokensText(c)}'`);
      const type = declared ?? typeIn(rels, name);
      if (!type) return b.fail(c, `find: no table has a column '${name}'`);
      out.push({ name, type });
    }
  } else {
    for (const name of referenced(condition, [])) {
      const type = typeIn(rels, name);
      if (type && !out.some((c) => c.name === name)) out.push({ name, type });
    }
    for (const c of visible(rels[0].columns)) {
      if (out.some((o) => o.name === c.name)) continue;
      if (rels.every((r) => visible(r.columns).some((x) => x.name === c.name && x.type === c.type))) out.push({ name: c.name, type: c.type });
    }
  }

  const shaped = rels.map((r): Rel => {
    const mine = visible(r.columns);
    const items: NamedExpr[] = out.map((c) => {
      const have = mine.find((x) => x.name === c.name);
      return { name: c.name, expr: have ? convertTo(ir.col(have.name, have.type), c.type) : ir.lit(null, c.type) };
    });
    const columns = out.map((c) => ({ ...c }));
    if (smart) {
      items.push({ name: PACK, expr: packOf(mine.filter((x) => !out.some((c) => c.name === x.name))) });
      columns.push({ name: PACK, type: 'dynamic' });
    }
    return { k: 'project', input: r, items, columns };
  });
  return kunion(shaped, filtered.map((f) => f.name), withSource, 'outer');
}
