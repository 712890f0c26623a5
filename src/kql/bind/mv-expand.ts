/**
 * mv-expand: `mv-expand [bagexpansion=…] [with_itemindex=I] col [to typeof(T)], name = expr, … [limit N]`.
 * Expanded columns replace same-named input columns in place; new names are appended, then the
 * item-index column.
 */
import type { Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { expressionResultName, nameText } from './naming.ts';
import { defaultNamer, dynamicTester, scopeOf } from './relation.ts';

/** Binds an mv-expand operator over `input`. */
export function bindMvExpand(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const sc = scopeOf(input, env);
  let indexName: string | null = null;
  let bagExpansion: 'bag' | 'array' = 'bag';
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const pname = tokensText(p.c.Name).toLowerCase();
    if (pname === 'with_itemindex') indexName = nameText(p.c.Expression);
    else if (pname === 'bagexpansion' || pname === 'kind') {
      bagExpansion = tokensText(p.c.Expression).toLowerCase() === 'array' ? 'array' : 'bag';
    }
  }
  const columns: Column[] = input.columns.map((c) => ({ ...c }));
  const nextDefault = defaultNamer((n) => columns.some((c) => c.name === n));
  const items: { name: string; expr: import('../ir/ir.ts').Expr; type: KqlType }[] = [];
  for (const it of childList(op, 'Expressions')) {
    if (it.type !== 'node') continue;
    const inner = childNode(it, 'Expression')!;
    let name: string;
    let e;
    if (inner.kind === 'SimpleNamedExpression') {
      name = nameText(inner.c.Name) ?? nextDefault();
      e = b.expr.bind(inner.c.Expression, sc);
    } else {
      e = b.expr.bind(inner, sc);
      name = expressionResultName(inner, dynamicTester(b, sc)) ?? nextDefault();
    }
    if (e.type !== 'dynamic') e = convertTo(e, 'dynamic');
    let type: KqlType = 'dynamic';
    const tt = childNode(it, 'ToTypeOf');
    if (tt) {
      const t = childList(childNode(tt, 'TypeOf')!, 'Types')[0];
      const parsed = t && t.type === 'node' ? parseTypeName(tokensText(t.c.Type ?? t)) : null;
      if (!parsed) return b.fail(tt, 'Unsupported type in mv-expand ... to typeof()');
      type = parsed;
    }
    items.push({ name, expr: e, type });
    const at = columns.findIndex((c) => c.name === name);
    if (at >= 0) columns[at] = { name, type };
    else columns.push({ name, type });
  }
  let limit: number | null = null;
  const lc = childNode(op, 'RowLimitClause');
  if (lc) {
    const l = b.expr.bind(lc.c.RowLimit, { env, row: sc.row });
    if (l.k !== 'lit' || typeof l.value !== 'number') return b.fail(lc, 'mv-expand limit must be a constant');
    limit = l.value;
  }
  if (indexName) columns.push({ name: indexName, type: 'long' });
  return { k: 'mvexpand', input, items, indexName, limit, columns, bagExpansion };
}
