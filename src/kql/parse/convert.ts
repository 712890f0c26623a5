/**
 * Converts Kusto's Bridge syntax tree into the plain tree of syntax.ts.
 */
import { kustoRuntime } from './kusto-runtime.ts';
import type { Syn, SynList, SynNode } from './syntax.ts';

let kindNames: Map<number, string> | null = null;

function kindName(kind: number): string {
  if (!kindNames) kindNames = new Map();
  let n = kindNames.get(kind);
  if (n === undefined) {
    const { K, System } = kustoRuntime();
    n = String(System.Enum.toString(K.Syntax.SyntaxKind, kind));
    kindNames.set(kind, n);
  }
  return n;
}

/** Converts one Bridge syntax element (node, token or list) and everything under it. */
export function convertSyntax(e: any): Syn | null {
  if (e == null) return null;
  const kind = kindName(e.Kind);
  if (e.IsToken) {
    const start = e.TextStart as number;
    const text = String(e.Text ?? '');
    return { type: 'token', kind, text, start, end: start + text.length };
  }
  const start = e.TextStart as number;
  const end = e.End as number;
  const n = e.ChildCount as number;
  if (kind === 'List') {
    const items: Syn[] = [];
    for (let i = 0; i < n; i++) {
      let child = e.GetChild(i);
      if (child == null) continue;
      if (!child.IsToken && kindName(child.Kind) === 'SeparatedElement') child = child.GetChild(0);
      const c = convertSyntax(child);
      if (c) items.push(c);
    }
    const list: SynList = { type: 'list', kind: 'List', start, end, items };
    return list;
  }
  const c: Record<string, Syn | null> = {};
  for (let i = 0; i < n; i++) {
    const name = String(e.GetName(i) ?? i);
    c[name] = convertSyntax(e.GetChild(i));
  }
  const node: SynNode = { type: 'node', kind, start, end, c };
  if (kind === 'StringLiteralExpression' || kind === 'CompoundStringLiteralExpression') {
    const v = e.LiteralValue;
    if (typeof v === 'string') node.value = v;
  }
  return node;
}
