/**
 * A plain, immutable copy of the Kusto syntax tree. Converting once from the Bridge objects keeps
 * every later stage free of the Bridge runtime: nodes are ordinary objects with string kinds
 * (Kusto's SyntaxKind names), child slots by Kusto's child names, and source offsets.
 */

/** A token: keyword, identifier, literal or punctuation. */
export interface SynToken {
  type: 'token';
  /** Kusto SyntaxKind name, e.g. `IdentifierToken`, `StringLiteralToken`, `WhereKeyword`. */
  kind: string;
  text: string;
  /** Offset of the first character of the token text (trivia excluded). */
  start: number;
  end: number;
}

/** A syntax node with named child slots (a missing optional slot is null). */
export interface SynNode {
  type: 'node';
  /** Kusto SyntaxKind name, e.g. `FilterOperator`, `AndExpression`, `NameReference`. */
  kind: string;
  start: number;
  end: number;
  c: Record<string, Syn | null>;
  /** For string literal expressions: the decoded string value. */
  value?: string;
}

/** A list of elements; separators are dropped. */
export interface SynList {
  type: 'list';
  kind: 'List';
  start: number;
  end: number;
  items: Syn[];
}

/** Any element of the plain syntax tree. */
export type Syn = SynToken | SynNode | SynList;

/** True when `s` is a node of the given kind (or of any kind when omitted). */
export function isNode(s: Syn | null | undefined, kind?: string): s is SynNode {
  return !!s && s.type === 'node' && (kind === undefined || s.kind === kind);
}

/** The child slot `name` of a node as a node, or null. */
export function childNode(n: SynNode, name: string): SynNode | null {
  const c = n.c[name];
  return c && c.type === 'node' ? c : null;
}

/** The child slot `name` of a node as a token, or null. */
export function childToken(n: SynNode, name: string): SynToken | null {
  const c = n.c[name];
  return c && c.type === 'token' ? c : null;
}

/** The items of list slot `name` (empty when absent). */
export function childList(n: SynNode, name: string): Syn[] {
  const c = n.c[name];
  return c && c.type === 'list' ? c.items : [];
}

/** The text of the first token under `s`, or '' (used for names and keywords). */
export function firstTokenText(s: Syn | null | undefined): string {
  if (!s) return '';
  if (s.type === 'token') return s.text;
  if (s.type === 'list') return s.items.length ? firstTokenText(s.items[0]) : '';
  for (const k of Object.keys(s.c)) {
    const t = firstTokenText(s.c[k]);
    if (t) return t;
  }
  return '';
}

/** Concatenated source text of every token under `s`, separated by single spaces. */
export function tokensText(s: Syn | null | undefined): string {
  const out: string[] = [];
  const walk = (e: Syn | null | undefined): void => {
    if (!e) return;
    if (e.type === 'token') { if (e.text) out.push(e.text); return; }
    if (e.type === 'list') { e.items.forEach(walk); return; }
    for (const k of Object.keys(e.c)) walk(e.c[k]);
  };
  walk(s);
  return out.join(' ');
}
