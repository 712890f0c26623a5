/**
 * How the hunting page reads the values of a result (api/hunting.ts): which types are numbers, and
 * a value's text in a cell.
 */

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
