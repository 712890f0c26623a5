/**
 * The parse and validate steps: one NDJSON line `{"table": "...", "row": {...}}` becomes a row of a
 * known sensor table whose every value has been checked and coerced to its column type. Unknown
 * tables and columns, wrong types, a line or string value beyond its length bound, and a missing,
 * unparseable or future (more than one day ahead) Timestamp dead-letter the line with a reason.
 */
import type { IndicatorHit } from '../detect/indicator-matcher.ts';
import type { EventRow } from '../domain/ports.ts';
import { canonicalUtcMicros, formatDatetimeTicksTrimmed, isCanonicalUtc, parseDatetimeMicros, parseDatetimeTicksUtc } from '../schema/datetime.ts';
import { getTable } from '../schema/registry.ts';
import type { ColumnDecl, TableDecl } from '../schema/types.ts';
import { coerceValue } from './coerce.ts';
import { deadLetter, ok } from './step.ts';
import type { StepResult } from './step.ts';

/** A parsed line: table name and raw row object. */
export interface RawLine {
  table: string;
  row: Record<string, unknown>;
}

/** A validated line: its table declaration and the coerced row. */
export interface ValidLine {
  table: TableDecl;
  row: EventRow;
  /** Timestamp in microseconds since the epoch. */
  ts: bigint;
  /** Indicators the row matched (set by the match step; absent when none). */
  hits?: IndicatorHit[];
}

/** Longest event line accepted (characters); a longer one is dead-lettered unread. */
export const MAX_LINE_CHARS = 1024 * 1024;
/** Longest value of a string column (characters): a Windows command line is at most 32,767. */
export const MAX_STRING_CHARS = 64 * 1024;

/** Parses one NDJSON line into table + row. */
export function parseLine(text: string): StepResult<RawLine> {
  if (text.length > MAX_LINE_CHARS) return deadLetter(`line longer than ${MAX_LINE_CHARS} characters`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return deadLetter('invalid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return deadLetter('a line must be a JSON object {"table": ..., "row": {...}}');
  const { table, row } = v as { table?: unknown; row?: unknown };
  if (typeof table !== 'string') return deadLetter('missing "table" (a table name)');
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return deadLetter('missing "row" (an object of column values)');
  let extra: string[] | undefined;
  for (const k in v) {
    if (k !== 'table' && k !== 'row') (extra ??= []).push(k);
  }
  if (extra) return deadLetter(`unexpected field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} next to "table" and "row"`);
  return ok({ table, row: row as Record<string, unknown> });
}

const columnIndex = new WeakMap<TableDecl, Map<string, ColumnDecl>>();

function columnsOf(t: TableDecl): Map<string, ColumnDecl> {
  let m = columnIndex.get(t);
  if (!m) columnIndex.set(t, (m = new Map(t.columns.map((c) => [c.name, c]))));
  return m;
}

/** Columns the server sets itself; whatever the row says is replaced, so it is not validated. */
const STAMPED = new Set(['DeviceId', 'DeviceName']);


/**
 * Deepest nesting of arrays and objects a value may have. Deeper values are refused line by line:
 * serializing them (to store them, or to print them in a query) would exhaust the call stack.
 */
export const MAX_NESTING = 100;

/** Whether `value` holds arrays or objects nested more than `max` levels deep (walked without recursion). */
export function nestedDeeperThan(value: object, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const k in v) stack.push([(v as Record<string, unknown>)[k], depth + 1]);
  }
  return false;
}

/** Largest allowed lead of an event's Timestamp over the server clock. */
export const MAX_FUTURE_MICROS = 86_400_000_000n;

/**
 * Validates a parsed line against its table and coerces every value. `nowMicros` is the server clock;
 * `source` says who wrote the line: a sensor may write only sensor tables, the server (EventWriter) any.
 * The row object of `raw` becomes the valid row: values are coerced in place (the line was parsed for
 * this call alone, and not copying ~50 values per event is a measurable part of ingest cost).
 */
export function validateLine(raw: RawLine, nowMicros: bigint, source: 'sensor' | 'service' = 'sensor'): StepResult<ValidLine> {
  const table = getTable(raw.table);
  if (!table) return deadLetter(`unknown table '${raw.table}'`);
  if (source === 'sensor' && (table.writtenBy ?? 'sensor') !== 'sensor') return deadLetter(`table '${raw.table}' is not accepted from sensors`);
  const cols = columnsOf(table);
  const row = raw.row;
  let unknown: string[] | undefined;
  for (const k in row) {
    if (!cols.has(k)) (unknown ??= []).push(k);
  }
  if (unknown) {
    return deadLetter(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} for table ${table.name}`);
  }
  const tsRaw = row.Timestamp;
  if (tsRaw === undefined || tsRaw === null) return deadLetter('Timestamp is required');
  const fast = typeof tsRaw === 'string' ? canonicalUtcMicros(tsRaw) : Number.NaN;
  const ts = !Number.isNaN(fast) ? BigInt(fast) : typeof tsRaw === 'string' ? parseDatetimeMicros(tsRaw) : null;
  if (ts === null) return deadLetter(`column 'Timestamp': ${(coerceValue('datetime', tsRaw) as { reason: string }).reason}`);
  if (ts - nowMicros > MAX_FUTURE_MICROS) return deadLetter('Timestamp is more than 1 day in the future');
  // other spellings are stored in the canonical form, to the tick (Timestamp keeps a seventh digit)
  if (Number.isNaN(fast) && !isCanonicalUtc(tsRaw as string)) row.Timestamp = formatDatetimeTicksTrimmed(parseDatetimeTicksUtc(tsRaw as string)!);
  for (const name in row) {
    const value = row[name];
    if (name === 'Timestamp' || value === null || STAMPED.has(name)) continue;
    const type = cols.get(name)!.type;
    // Fast paths for values already in canonical form (most of them).
    if (typeof value === 'string') {
      if (type === 'string') {
        if (value.length > MAX_STRING_CHARS) return deadLetter(`column '${name}': longer than ${MAX_STRING_CHARS} characters`);
        continue;
      }
    } else if (typeof value === 'number') {
      if ((type === 'long' && Number.isSafeInteger(value)) || (type === 'int' && Number.isInteger(value) && value <= 2147483647 && value >= -2147483648) || type === 'real') continue;
    } else if (typeof value === 'boolean') {
      if (type === 'bool') continue;
    }
    if (type === 'datetime' && typeof value === 'string' && !Number.isNaN(canonicalUtcMicros(value))) continue;
    if (typeof value === 'object' && nestedDeeperThan(value, MAX_NESTING)) return deadLetter(`column '${name}': nested deeper than ${MAX_NESTING} levels`);
    const c = coerceValue(type, value);
    if (!c.ok) return deadLetter(`column '${name}': ${c.reason}`);
    if (c.value !== value) {
      // dynamic text is parsed by the coercion: its depth is checked as well
      if (typeof c.value === 'object' && c.value !== null && nestedDeeperThan(c.value, MAX_NESTING)) return deadLetter(`column '${name}': nested deeper than ${MAX_NESTING} levels`);
      row[name] = c.value;
    }
  }
  return ok({ table, row, ts });
}
