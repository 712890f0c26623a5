/**
 * Microsoft's full analysis of a KQL query (names, types, operator rules) against Palisade's own
 * schema: the tables of src/schema with their columns and KQL types, as Kusto's semantic checker
 * would see them in a database holding exactly those tables. It is a judgement on the query text —
 * "would Kusto accept this query against these tables?" — and never changes what Palisade runs.
 */
import { TABLES } from '../../schema/registry.ts';
import type { KqlColumnType, TableDecl } from '../../schema/types.ts';
import { kustoRuntime } from './kusto-runtime.ts';
import { lineColumn } from './parse.ts';

/** One Error-severity diagnostic of Microsoft's analyzer. */
export interface KqlAnalysisError {
  /** The analyzer's message, e.g. "The name 'DeviceID' does not refer to any known column, …". */
  message: string;
  /** Kusto's diagnostic code, e.g. `KS142`. */
  code: string;
  /** `syntax` when Microsoft's parser alone reports it; `semantic` when only the analyzer does. */
  kind: 'syntax' | 'semantic';
  /** 0-based character offset and length of the span the diagnostic points at. */
  start: number;
  length: number;
  /** 1-based line and column of `start`. */
  line: number;
  column: number;
}

/** The outcome of {@link analyzeKql}: every Error-severity diagnostic, in the analyzer's order. */
export interface KqlAnalysis {
  errors: KqlAnalysisError[];
}

/** The name of the database Palisade's tables sit in for the analyzer (the default database). */
export const ANALYZER_DATABASE = 'Palisade';

const globalsByTables = new WeakMap<readonly TableDecl[], unknown>();

function scalarType(S: any, type: KqlColumnType): unknown {
  const T = S.ScalarTypes;
  switch (type) {
    case 'string': return T.String;
    case 'long': return T.Long;
    case 'int': return T.Int;
    case 'real': return T.Real;
    case 'bool': return T.Bool;
    case 'datetime': return T.DateTime;
    case 'dynamic': return T.Dynamic;
    case 'guid': return T.Guid;
    case 'timespan': return T.TimeSpan;
    case 'decimal': return T.Decimal;
  }
}

/**
 * The columns the analyzer sees for a table: its declared columns, plus `TimeGenerated` (datetime)
 * when the table has a datetime `Timestamp` and no `TimeGenerated` of its own — the hidden alias
 * Palisade's binder accepts on such tables (src/kql/bind/binder.ts, `scan`).
 */
export function analyzerColumns(t: TableDecl): { name: string; type: KqlColumnType }[] {
  const cols: { name: string; type: KqlColumnType }[] = t.columns.map((c) => ({ name: c.name, type: c.type }));
  const hasTs = t.columns.some((c) => c.name === 'Timestamp' && c.type === 'datetime');
  if (hasTs && !t.columns.some((c) => c.name === 'TimeGenerated')) cols.push({ name: 'TimeGenerated', type: 'datetime' });
  return cols;
}

/**
 * Kusto's GlobalState whose default database holds `tables` (Palisade's registry by default).
 * Built once per table list and cached; the result is the bundle's untyped GlobalState object.
 */
export function palisadeGlobals(tables: readonly TableDecl[] = TABLES): any {
  const hit = globalsByTables.get(tables);
  if (hit) return hit;
  const { K } = kustoRuntime();
  const S = K.Symbols;
  const symbols = tables.map((t) => new S.TableSymbol.$ctor4(
    t.name,
    analyzerColumns(t).map((c) => new S.ColumnSymbol(c.name, scalarType(S, c.type), null, null, null, null)),
  ));
  const db = new S.DatabaseSymbol.$ctor1(ANALYZER_DATABASE, symbols, false);
  const globals = K.GlobalState.Default.WithDatabase(db);
  globalsByTables.set(tables, globals);
  return globals;
}

function key(d: any): string {
  return `${String(d.Code)}@${Number(d.Start)}:${Number(d.Length)}:${String(d.Message)}`;
}

/**
 * Runs Microsoft's parser and semantic analyzer (`KustoCode.ParseAndAnalyze` + `GetDiagnostics`)
 * on `text` with Palisade's schema as the default database, and returns the Error-severity
 * diagnostics with positions. An empty list means Kusto itself would accept the query against
 * these tables. Warnings and suggestions are ignored. Never throws for any query text.
 */
export function analyzeKql(text: string, tables: readonly TableDecl[] = TABLES): KqlAnalysis {
  const { K } = kustoRuntime();
  const code = K.KustoCode.ParseAndAnalyze(text, palisadeGlobals(tables));
  const syntaxKeys = new Set<string>();
  const syn = code.GetSyntaxDiagnostics();
  for (let i = 0; i < (syn.Count as number); i++) syntaxKeys.add(key(syn.getItem(i)));
  const diags = code.GetDiagnostics();
  const errors: KqlAnalysisError[] = [];
  for (let i = 0; i < (diags.Count as number); i++) {
    const d = diags.getItem(i);
    if (String(d.Severity ?? 'Error') !== 'Error') continue;
    const start = Number(d.Start);
    errors.push({
      message: String(d.Message),
      code: String(d.Code),
      kind: syntaxKeys.has(key(d)) ? 'syntax' : 'semantic',
      start,
      length: Number(d.Length),
      ...lineColumn(text, start),
    });
  }
  return { errors };
}
