/**
 * `[T |] search [kind=case_sensitive|case_insensitive] [in (T1, T2*, …)] Predicate`: the rows of one
 * or more tables that match a search predicate.
 *
 * A bare string term matches a row when any of its string or dynamic columns has the term (`has`);
 * `*term*` means contains, `term*` hasprefix and `*term` hassuffix. `Column:"term"` limits the term to
 * one column. Terms combine with `and`, `or` and parentheses; any other expression (`X == "y"`,
 * `Timestamp > ago(1d)`) is an ordinary predicate over each table, false in a table that lacks a
 * column it names. Without an input the search covers every table in scope; the tables searched by
 * name or by default get a leading `$table` column with the table's name.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { ir, type Expr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { visible } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';
import { kunion } from './union.ts';

/** The name of the source column search adds when it reads tables itself. */
const SOURCE_COLUMN = '$table';

/** The string operator and the text to look for that a search term stands for. */
function termOperator(b: Binder, node: Syn, raw: string, caseSensitive: boolean): { op: string; text: string } {
  const lead = raw.startsWith('*');
  const trail = raw.length > 1 && raw.endsWith('*');
  const text = raw.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (!text || text.includes('*')) return b.fail(node, `search: the term '${raw}' is not supported (a '*' may only start or end a term)`);
  const op = lead && trail ? 'contains' : trail ? 'hasprefix' : lead ? 'hassuffix' : 'has';
  return { op: caseSensitive ? `${op}_cs` : op, text };
}

function stringValue(n: Syn | null | undefined): string | undefined {
  return n && n.type === 'node' && n.kind === 'StringLiteralExpression' ? n.value : undefined;
}

/**
 * The predicate over one table's row for a search (or find) condition; parts that name a column the
 * table lacks are false there.
 */
export function searchPredicate(b: Binder, node: Syn, row: RowScope, env: Env, caseSensitive: boolean): Expr {
  if (node.type === 'node') {
    switch (node.kind) {
      case 'AndExpression': case 'OrExpression': {
        const op = node.kind === 'AndExpression' ? 'and' : 'or';
        return ir.call(op, [searchPredicate(b, node.c.Left!, row, env, caseSensitive), searchPredicate(b, node.c.Right!, row, env, caseSensitive)], 'bool');
      }
      case 'ParenthesizedExpression':
        return searchPredicate(b, node.c.Expression!, row, env, caseSensitive);
      case 'StringLiteralExpression': {
        const { op, text } = termOperator(b, node, node.value ?? '', caseSensitive);
        const cols = visible(row.columns).filter((c) => c.type === 'string' || c.type === 'dynamic');
        if (!cols.length) return ir.lit(false, 'bool');
        return cols
          .map((c): Expr => ir.call(op, [convertTo(ir.col(c.name, c.type), 'string'), ir.lit(text, 'string')], 'bool'))
          .reduce((acc, e) => ir.call('or', [acc, e], 'bool'));
      }
      case 'SearchExpression': {
        const raw = stringValue(node.c.Right);
        const name = nameText(node.c.Left);
        if (raw === undefined || !name) return b.fail(node, 'search: expected Column:"term"');
        const col = row.resolve(name);
        if (!col) return ir.lit(false, 'bool');
        const { op, text } = termOperator(b, node.c.Right!, raw, caseSensitive);
        return ir.call(op, [convertTo(col, 'string'), ir.lit(text, 'string')], 'bool');
      }
    }
  }
  try {
    const e = b.expr.bind(node, { env, row });
    return e.type === 'bool' ? e : b.fail(node, 'search: the predicate must be a boolean expression');
  } catch (err) {
    // a column this table does not have makes the predicate false here, not an error
    if (err instanceof PalisadeError && /^Failed to resolve/.test(err.message)) return ir.lit(false, 'bool');
    throw err;
  }
}

/** The tables an `in (T1, T2*, …)` clause names, or every table in scope without one. */
export function tablesIn(b: Binder, inClause: SynNode | null, what: string): { rel: Rel; name: string }[] {
  const out: { rel: Rel; name: string }[] = [];
  if (!inClause) {
    for (const t of b.tablesMatching('*')) out.push({ rel: b.scan(t), name: t.name });
    return out;
  }
  for (const e of childList(inClause, 'Expressions')) {
    const pattern = nameText(e) ?? '';
    const matches = pattern.includes('*') ? b.tablesMatching(pattern) : [b.table(pattern)].filter((t) => t !== undefined);
    if (!matches.length) return b.fail(e, `${what}: no table matches '${pattern}'`);
    for (const t of matches) out.push({ rel: b.scan(t), name: t.name });
  }
  return out;
}

/** Binds a search operator; `input` is the piped input, if any. */
export function bindSearch(b: Binder, input: Rel | null, op: SynNode, env: Env): Rel {
  let caseSensitive = false;
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const name = tokensText(p.c.Name).toLowerCase();
    const value = (nameText(p.c.Expression) ?? tokensText(p.c.Expression)).toLowerCase();
    if (name !== 'kind' || (value !== 'case_sensitive' && value !== 'case_insensitive')) return b.fail(p, `search: unsupported parameter '${tokensText(p)}'`);
    caseSensitive = value === 'case_sensitive';
  }
  const condition = op.c.Condition;
  if (!condition) return b.fail(op, 'search needs a predicate');

  const inClause = childNode(op, 'InClause');
  if (input && inClause) return b.fail(inClause, "search: 'in (...)' cannot be used with a piped input");
  const sources = input ? [{ rel: input, name: '' }] : tablesIn(b, inClause, 'search');

  const filtered = sources.map((s) => ({
    name: s.name,
    rel: { k: 'filter', input: s.rel, cond: searchPredicate(b, condition, RowScope.of(s.rel.columns), env, caseSensitive), columns: s.rel.columns } as Rel,
  }));
  if (input) return filtered[0].rel;
  return kunion(filtered.map((f) => f.rel), filtered.map((f) => f.name), SOURCE_COLUMN, 'outer');
}
