/**
 * The answer of `POST /api/advancedqueries/run` as the console reads it, and how values are shown.
 */

/** A result column: its name and .NET type name (String, Int64, Int32, Double, Boolean, DateTime, TimeSpan, Guid, Object, …). */
export interface HuntingColumn {
  Name: string;
  Type: string;
}

/** A result row, keyed by column name. */
export type HuntingRow = Record<string, unknown>;

/** The hunting API's answer. */
export interface HuntingResult {
  Stats?: { ExecutionTime?: number; dataset_statistics?: { table_row_count?: number }[] };
  Schema: HuntingColumn[];
  Results: HuntingRow[];
}

const NUMERIC_TYPES = new Set(['Int64', 'Int32', 'Int16', 'Double', 'Single', 'Decimal', 'Byte', 'SByte', 'UInt64', 'UInt32', 'UInt16']);

/** True for the .NET type names of numbers. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(type);
}

/** A value as text in a grid cell: empty for null, JSON for objects and arrays, else its text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
