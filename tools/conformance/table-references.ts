/**
 * The tables a query names, read from Microsoft's syntax tree rather than from its text: a name in
 * a tabular position (the start of a pipe or a statement, a union/join/lookup operand, find's
 * `in (…)`, `table("…")`) that no `let` declares. Comments and string contents are never names,
 * so a query that only mentions a table in a comment names no table.
 */
import { convertSyntax } from '../../src/kql/parse/convert.ts';
import { kustoRuntime } from '../../src/kql/parse/kusto-runtime.ts';
import type { Syn, SynNode } from '../../src/kql/parse/syntax.ts';

function nameOf(n: SynNode): string | null {
  let text = '';
  const collect = (s: Syn | null): void => {
    if (!s) return;
    if (s.type === 'token') text += s.kind === 'StringLiteralToken' ? s.text.slice(1, -1) : s.text;
    else if (s.type === 'list') s.items.forEach(collect);
    else Object.values(s.c).forEach(collect);
  };
  collect(n);
  const m = /^\[?\s*['"]?([^'"\]]+)['"]?\s*\]?$/.exec(text.trim());
  return m ? m[1] : null;
}

/** The decoded value of the first string literal under `s`, or null. */
function firstString(s: Syn | null): string | null {
  if (!s || s.type === 'token') return null;
  if (s.type === 'list') {
    for (const i of s.items) {
      const v = firstString(i);
      if (v !== null) return v;
    }
    return null;
  }
  if (s.kind === 'StringLiteralExpression' && s.value !== undefined) return s.value;
  for (const c of Object.values(s.c)) {
    const v = firstString(c);
    if (v !== null) return v;
  }
  return null;
}

/**
 * The table names a query refers to. A query with syntax errors is read from the tree Microsoft's
 * parser still builds around them, so its tables count as well.
 */
export function tableReferences(query: string): string[] {
  const root = convertSyntax(kustoRuntime().K.KustoCode.Parse(query).Syntax);
  if (!root) return [];
  const declared = new Set<string>();
  const named = new Set<string>();
  const visit = (s: Syn | null, tabular: boolean): void => {
    if (!s || s.type === 'token') return;
    if (s.type === 'list') {
      s.items.forEach((i) => visit(i, tabular));
      return;
    }
    const child = (slot: string, tab: boolean) => visit(s.c[slot] ?? null, tab);
    switch (s.kind) {
      case 'NameReference': {
        const n = nameOf(s);
        if (tabular && n) named.add(n);
        return;
      }
      case 'LetStatement': {
        const n = s.c.Name && s.c.Name.type === 'node' ? nameOf(s.c.Name) : null;
        if (n) declared.add(n);
        child('Expression', true);
        return;
      }
      case 'ExpressionStatement': case 'ParenthesizedExpression':
        child('Expression', tabular || s.kind === 'ExpressionStatement');
        return;
      case 'PipeExpression':
        child('Expression', true);
        child('Operator', false);
        return;
      case 'UnionOperator': case 'FindInClause':
        child('Expressions', true);
        return;
      case 'JoinOperator': case 'LookupOperator':
        child('Expression', true);
        for (const k of Object.keys(s.c)) if (k !== 'Expression') child(k, false);
        return;
      case 'FunctionCallExpression': {
        const fn = s.c.Name && s.c.Name.type === 'node' ? nameOf(s.c.Name) : null;
        if (fn === 'table') {
          const literal = firstString(s.c.ArgumentList ?? null);
          if (literal) named.add(literal);
          return;
        }
        for (const k of Object.keys(s.c)) child(k, false);
        return;
      }
      default:
        for (const k of Object.keys(s.c)) child(k, false);
    }
  };
  visit(root, false);
  return [...named].filter((n) => !declared.has(n)).sort();
}
