/**
 * What a SQL dialect supplies to the printer: identifier quoting, placeholders, type names,
 * function and aggregate mappings (data tables keyed by KQL name), and the few relational
 * constructs that differ between engines. DuckDB lives in ./duckdb; others can be added beside it.
 */
import type { AggItem, Aggregate, Call, Dedupe, Expr, LitValue, MvExpand, Range, Join } from '../ir/ir.ts';
import type { KqlType } from '../types.ts';

/** The printer services a function mapping may use. */
export interface ExprPrinter {
  /** SQL for an expression (column references qualified by `qualifier` when given). */
  expr(e: Expr): string;
  /** A placeholder for a value passed as a query parameter, cast to the SQL type of `type`. */
  param(value: LitValue, type: KqlType): string;
  /** SQL for a typed NULL. */
  nullOf(type: KqlType): string;
  /** SQL for a whole relation (used by subqueries inside expressions). */
  rel(r: import('../ir/ir.ts').Rel): string;
  /** A fresh relation alias, unique within the printed statement. */
  alias(): string;
  /** Fails the compilation with a user-visible BadRequest. */
  fail(message: string): never;
  readonly dialect: Dialect;
}

/** Turns a KQL call into SQL. `args` are the call's IR arguments (print them with `p.expr`). */
export type FnHandler = (p: ExprPrinter, args: Expr[], call: Call) => string;
/** Turns a single-output aggregate into a SQL aggregate expression. */
export type AggHandler = (p: ExprPrinter, args: Expr[], item: AggItem) => string;

/** A SQL dialect. */
export interface Dialect {
  readonly name: string;
  quoteIdent(name: string): string;
  /** Placeholder for the i-th parameter (1-based). */
  placeholder(index: number): string;
  /** SQL type for a KQL type. */
  sqlType(t: KqlType): string;
  /** A parameter's value as bound for its KQL type (e.g. a datetime's IR text as the engine's number). */
  paramValue(value: LitValue, type: KqlType): LitValue;
  /** SQL reading the stored column `column` of a table as the engine holds its type (e.g. stored times as ticks). */
  readStored(column: string, type: KqlType): string;
  /**
   * A constant datetime (ticks since 0001-01-01) as the stored datetime column `column` holds it,
   * rounded down to its precision and clamped to its range: the bound of a predicate on the stored
   * column itself, which engines can check against their storage statistics.
   */
  storedDatetime(p: ExprPrinter, ticks: bigint, column: string): string;
  /** Scalar functions and operators by KQL name. */
  readonly functions: Readonly<Record<string, FnHandler>>;
  /** Aggregates by KQL name. */
  readonly aggregates: Readonly<Record<string, AggHandler>>;
  /** SELECT producing `range` rows. */
  range(p: ExprPrinter, r: Range): string;
  /** SELECT for an aggregate whose items may have several outputs (arg_max). `from` is the input SQL. */
  aggregate(p: ExprPrinter, r: Aggregate, from: string): string;
  /** SELECT keeping one row per key. */
  dedupe(p: ExprPrinter, r: Dedupe, from: string): string;
  /** A window function call over `over` (an ORDER BY clause or ''). */
  window(p: ExprPrinter, item: import('../ir/ir.ts').WindowItem, over: string): string;
  /** SELECT for mv-expand. */
  mvExpand(p: ExprPrinter, r: MvExpand, from: string): string;
  /** SELECT for scan; `input` is the input's SQL, `plan` what each row hands to the state machine. */
  scanOp(p: ExprPrinter, r: import('../ir/ir.ts').ScanOp, plan: import('../ir/scan-plan.ts').ScanPlan, input: string): string;
  /** SELECT for graph-mark-components; `nodes`/`edges` are the input SQL texts. */
  components(p: ExprPrinter, r: import('../ir/ir.ts').GraphComponents, nodes: string, edges: string): string;
  /** SELECT for a join; `left`/`right` are the input SQL texts. */
  join(p: ExprPrinter, r: Join, left: string, right: string, leftExpr: (e: Expr) => string, rightExpr: (e: Expr) => string): string;
  /**
   * Optional: a SELECT over the query's SQL that returns one column, a JSON object text per row with
   * the columns in order and each value as the hunting API prints it (see result-format.ts), so
   * that results need no conversion value by value.
   */
  jsonRows?(columns: readonly { name: string; type: KqlType }[], sql: string): string;
}
