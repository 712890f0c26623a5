/**
 * An error of the hunting API placed in the editor: the API answers a query it cannot compile with
 * `{"error":{"code","message","target","line","column"}}` (1-based line and column of the problem).
 */

/** A marker's place and message, in Monaco's 1-based coordinates. */
export interface QueryMarker {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
}

/** The error body of a failed API call, as far as the console reads it. */
export interface ApiErrorBody {
  error?: { code?: string; message?: string; line?: unknown; column?: unknown };
}

/**
 * The marker of an API error in `text`: from the reported line and column to the end of the word
 * there (at least one character), or null when the error carries no position.
 */
export function markerOfError(text: string, body: ApiErrorBody): QueryMarker | null {
  const e = body.error;
  if (!e || typeof e.line !== 'number' || typeof e.column !== 'number') return null;
  const lines = text.split(/\r\n|\r|\n/);
  const lineNumber = Math.min(Math.max(1, Math.trunc(e.line)), Math.max(lines.length, 1));
  const line = lines[lineNumber - 1] ?? '';
  const startColumn = Math.min(Math.max(1, Math.trunc(e.column)), line.length + 1);
  const word = /^[\w.$]+/.exec(line.slice(startColumn - 1));
  const endColumn = startColumn + Math.max(word ? word[0].length : 1, 1);
  return { startLineNumber: lineNumber, startColumn, endLineNumber: lineNumber, endColumn, message: e.message ?? e.code ?? 'Query error' };
}
