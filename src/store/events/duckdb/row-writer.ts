/**
 * Writes event rows into a DuckDB appender, column by column in the table's declared order, followed
 * by the hidden columns. Values arrive in the canonical forms the ingest pipeline produces (see
 * src/ingest/coerce.ts); the writer also accepts a few equivalent forms (Date for datetime, digit
 * strings for long) so that services writing directly (heartbeats, alerts) need no extra step.
 */
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { DuckDBAppender } from '@duckdb/node-api';
import type { EventRow } from '../../../domain/ports.ts';
import { dateToMicros, isCanonicalUtc, parseDatetimeMicros } from '../../../schema/datetime.ts';
import { parseTimespanTicks } from '../../../schema/timespan.ts';
import type { ColumnDecl, KqlColumnType, TableDecl } from '../../../schema/types.ts';

type Writer = (ap: DuckDBAppender, v: unknown) => void;


/** Microseconds since the epoch of a datetime value (ISO text, Date, bigint micros); null when not one. */
export function datetimeMicros(v: unknown): bigint | null {
  if (typeof v === 'string') return parseDatetimeMicros(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : dateToMicros(v);
  if (typeof v === 'bigint') return v;
  return null;
}

function toBigInt(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`not a ${what}: ${String(v)}`);
}

function writerFor(c: ColumnDecl): Writer {
  const t: KqlColumnType = c.type;
  switch (t) {
    case 'string':
    case 'guid':
      return (ap, v) => ap.appendVarchar(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'dynamic':
      return (ap, v) => ap.appendVarchar(JSON.stringify(v));
    case 'long':
      return (ap, v) => ap.appendBigInt(toBigInt(v, 'long'));
    case 'timespan':
      return (ap, v) => {
        const ticks = typeof v === 'string' && v.includes(':') ? parseTimespanTicks(v) : toBigInt(v, 'timespan');
        if (ticks === null) throw new TypeError(`not a timespan: ${v}`);
        ap.appendBigInt(ticks);
      };
    case 'int':
      return (ap, v) => {
        const n = typeof v === 'number' ? v : Number(toBigInt(v, 'int'));
        if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw new TypeError(`not an int: ${String(v)}`);
        ap.appendInteger(n);
      };
    case 'real':
    case 'decimal':
      return (ap, v) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
        if (Number.isNaN(n) && typeof v !== 'number' && v !== 'NaN') throw new TypeError(`not a number: ${String(v)}`);
        ap.appendDouble(n);
      };
    case 'bool':
      return (ap, v) => {
        if (typeof v !== 'boolean') throw new TypeError(`not a bool: ${String(v)}`);
        ap.appendBoolean(v);
      };
    case 'datetime':
      return (ap, v) => {
        // Canonical UTC text (what the ingest pipeline produces) is cast by DuckDB itself, which is
        // cheaper than building a timestamp value in JS; anything else is parsed here.
        if (typeof v === 'string' && isCanonicalUtc(v)) return ap.appendVarchar(v);
        const us = datetimeMicros(v);
        if (us === null) throw new TypeError(`not a datetime: ${String(v)}`);
        ap.appendTimestamp(new DuckDBTimestampValue(us));
      };
  }
  throw new Error(`column ${c.name}: unknown type ${String(t)}`);
}

/** Values of the hidden columns for the rows of one batch. */
export interface HiddenValues {
  tenantId: string;
  rbacGroupId: number;
  ingestTime: DuckDBTimestampValue;
}

/** A row with its Timestamp in microseconds (null sorts last), used to store rows in time order. */
export interface TimedRow {
  row: EventRow;
  ts: bigint | null;
}

/** One row to write: its values and the hidden column values of its batch. */
export interface PendingRow extends TimedRow {
  hidden: HiddenValues;
}

/** Appends rows of one table; compiled once per table from its declaration. */
export interface RowWriter {
  readonly table: TableDecl;
  /** Appends one row (declared columns in order, then __TenantId, __RbacGroupId, __IngestTime) and ends it. */
  append(ap: DuckDBAppender, r: PendingRow): void;
}

/** Builds the appender writer of a table. Unknown keys in a row are ignored (the pipeline rejects them earlier). */
export function createRowWriter(table: TableDecl): RowWriter {
  const cols = table.columns.map((c) => ({ name: c.name, write: writerFor(c) }));
  return {
    table,
    append(ap, r) {
      const row = r.row;
      for (const c of cols) {
        const v = row[c.name];
        if (v === null || v === undefined) ap.appendNull();
        else {
          try {
            c.write(ap, v);
          } catch (e) {
            throw new TypeError(`${table.name}.${c.name}: ${(e as Error).message}`);
          }
        }
      }
      ap.appendVarchar(r.hidden.tenantId);
      ap.appendInteger(r.hidden.rbacGroupId);
      ap.appendTimestamp(r.hidden.ingestTime);
      ap.endRow();
    },
  };
}

/** Sorts rows by Timestamp ascending (rows without one last), keeping arrival order among equals. */
export function sortByTimestamp(rows: PendingRow[]): PendingRow[] {
  return rows.sort((a, b) => {
    if (a.ts === b.ts) return 0;
    if (a.ts === null) return 1;
    if (b.ts === null) return -1;
    return a.ts < b.ts ? -1 : 1;
  });
}
