/**
 * Stage 1 of the KQL pipeline: text → plain syntax tree, using Microsoft's parser. Syntax errors
 * become a PalisadeError('BadRequest') carrying the 1-based line and column of the first error.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { convertSyntax } from './convert.ts';
import { kustoRuntime } from './kusto-runtime.ts';
import type { Syn, SynNode } from './syntax.ts';

/** The result of parsing: the query block root and the original text. */
export interface ParsedQuery {
  text: string;
  root: SynNode;
}

/** 1-based line and column of a character offset in `text` (a CRLF pair counts as one break). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) { line++; lineStart = i + 1; }
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) { line++; lineStart = i + 1; }
  }
  return { line, column: end - lineStart + 1 };
}

/** A BadRequest error positioned at `offset` of `text`. */
export function queryError(text: string, offset: number, message: string): PalisadeError {
  return new PalisadeError('BadRequest', message, { details: lineColumn(text, offset) });
}

/** Parsed trees kept for repeated query texts (scheduled hunts, dashboards, retries). */
const CACHE_ENTRIES = 256;
/** Longer texts are parsed every time, so the cache stays small. */
const CACHE_MAX_TEXT = 16_384;
const cache = new Map<string, ParsedQuery>();

function freezeTree(n: Syn): void {
  if (n.type === 'node') {
    for (const child of Object.values(n.c)) if (child) freezeTree(child);
    Object.freeze(n.c);
  } else if (n.type === 'list') {
    for (const item of n.items) freezeTree(item);
    Object.freeze(n.items);
  }
  Object.freeze(n);
}

/**
 * Parses KQL. Throws PalisadeError('BadRequest', message, {details: {line, column}}) for the first
 * syntax error; otherwise returns the plain syntax tree. The tree is frozen: later stages read it
 * and never change it, so the result for a text is cached (least recently used first out) and shared.
 */
export function parseKql(text: string): ParsedQuery {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const parsed = parseUncached(text);
  if (text.length <= CACHE_MAX_TEXT) {
    freezeTree(parsed.root);
    cache.set(text, Object.freeze(parsed));
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  return parsed;
}

function parseUncached(text: string): ParsedQuery {
  const { K } = kustoRuntime();
  if (!text.trim()) throw queryError(text, 0, 'The query is empty');
  const code = K.KustoCode.Parse(text);
  const diags = code.GetSyntaxDiagnostics();
  const n = diags.Count as number;
  for (let i = 0; i < n; i++) {
    const d = diags.getItem(i);
    const severity = String(d.Severity ?? 'Error');
    if (severity !== 'Error') continue;
    throw queryError(text, d.Start as number, `Syntax error: ${String(d.Message)}`);
  }
  const root = convertSyntax(code.Syntax);
  if (!root || root.type !== 'node') throw queryError(text, 0, 'The query could not be parsed');
  return { text, root };
}
