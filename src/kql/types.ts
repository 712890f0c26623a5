/**
 * KQL scalar types as the engine sees them, plus the small helpers the binder and printer share.
 */
import type { KqlColumnType } from '../schema/types.ts';

/** A KQL scalar type (the ten types of the hunting schema). */
export type KqlType = KqlColumnType;

/** A named, typed column of a tabular result. */
export interface Column {
  name: string;
  type: KqlType;
  /**
   * Hidden columns (a scan's ingestion time, the TimeGenerated alias) can be referenced by name but
   * never appear through `*`, wildcards, joins, unions or in a query's output unless projected by name.
   */
  hidden?: boolean;
}

/** The columns a `*` or wildcard sees. */
export function visible(columns: readonly Column[]): Column[] {
  return columns.filter((c) => !c.hidden);
}

const TYPE_ALIASES: Record<string, KqlType> = {
  string: 'string', long: 'long', int64: 'long', int: 'int', int32: 'int', real: 'real', double: 'real',
  float: 'real', bool: 'bool', boolean: 'bool', datetime: 'datetime', date: 'datetime', timespan: 'timespan',
  time: 'timespan', dynamic: 'dynamic', guid: 'guid', uniqueid: 'guid', decimal: 'decimal',
};

/** Maps a KQL type name (including aliases such as `double`, `date`, `boolean`) to its type, or null. */
export function parseTypeName(name: string): KqlType | null {
  const key = name.toLowerCase();
  return Object.hasOwn(TYPE_ALIASES, key) ? TYPE_ALIASES[key] : null;
}

/** True for long, int, real and decimal. */
export function isNumeric(t: KqlType): boolean {
  return t === 'long' || t === 'int' || t === 'real' || t === 'decimal';
}

/** True for long and int. */
export function isInteger(t: KqlType): boolean {
  return t === 'long' || t === 'int';
}

/** The type both numeric operands are promoted to by arithmetic (int < long < decimal < real). */
export function promoteNumeric(a: KqlType, b: KqlType): KqlType {
  if (a === 'real' || b === 'real') return 'real';
  if (a === 'decimal' || b === 'decimal') return 'decimal';
  if (a === 'long' || b === 'long') return 'long';
  return 'int';
}

/** .NET type names used in the hunting API's Schema. */
export const DOTNET_TYPE_NAMES: Record<KqlType, string> = {
  string: 'String', long: 'Int64', int: 'Int32', real: 'Double', bool: 'Boolean', datetime: 'DateTime',
  timespan: 'TimeSpan', dynamic: 'Object', guid: 'Guid', decimal: 'Decimal',
};

/** Ticks (100 ns) per unit. */
export const TICKS = {
  tick: 1,
  microsecond: 10,
  millisecond: 10_000,
  second: 10_000_000,
  minute: 600_000_000,
  hour: 36_000_000_000,
  day: 864_000_000_000,
} as const;
