/**
 * Stage 1 of the KQL pipeline: text → plain syntax tree, using Microsoft's parser. Syntax errors
 * become a PalisadeError('BadRequest') carrying the 1-based line and column of the first error.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { convertSyntax } from './convert.ts';
import { kustoRuntime } from './kusto-runtime.ts';
import type { SynNode } from './syntax.ts';

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

/**
 * Parses KQL. Throws PalisadeError('BadRequest', message, {details: {line, column}}) for the first
 * syntax error; otherwise returns the plain syntax tree.
 */
export function parseKql(text: string): ParsedQuery {
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
