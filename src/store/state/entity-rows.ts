/**
 * Rows of an entity's table from its declared storage (src/entities/declaration.ts): every column
 * field round-trips unchanged through its codec — instants normalised to the canonical form on the
 * way in, booleans as 0/1, JSON values as JSON text. Collection fields live in child tables and are
 * the repository's to load and write.
 */
import type { ColumnStorage, EntityDecl, FieldStorage } from '../../entities/declaration.ts';
import { canonicalInstant } from './instant.ts';

const isColumn = (s: FieldStorage): s is ColumnStorage => 'column' in s;

/** The column fields of a declaration: [record field, storage]. */
function columnsOf<R>(decl: EntityDecl<R>): [keyof R & string, ColumnStorage][] {
  return (Object.entries(decl.storage) as [keyof R & string, FieldStorage][]).filter((e): e is [keyof R & string, ColumnStorage] => isColumn(e[1]));
}

function encode(s: ColumnStorage, value: unknown): unknown {
  if (value === null) return null;
  switch (s.codec) {
    case 'instant':
      return canonicalInstant(value as string);
    case 'boolean':
      return value ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    default:
      return value;
  }
}

function decode(s: ColumnStorage, value: unknown): unknown {
  if (value === null) return null;
  switch (s.codec) {
    case 'integer':
      return Number(value);
    case 'boolean':
      return Boolean(Number(value));
    case 'json':
      return JSON.parse(value as string);
    default:
      return value;
  }
}

/** The row of a record (collection fields excluded). A missing field is a TypeError, never a stored undefined. */
export function recordToRow<R, Row>(decl: EntityDecl<R>, record: R): Row {
  const row: Record<string, unknown> = {};
  for (const [field, s] of columnsOf(decl)) {
    const value = record[field];
    if (value === undefined) throw new TypeError(`${decl.set} ${String(record[decl.key])}: field ${field} is missing`);
    row[s.column] = encode(s, value);
  }
  return row as Row;
}

/** The column updates a patch asks for: collection and immutable fields, and undefined values, are left out. */
export function patchToColumns<R, Row>(decl: EntityDecl<R>, patch: Partial<R>): Partial<Row> {
  const storage = decl.storage as Record<string, FieldStorage>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    const s = storage[key];
    if (value === undefined || !Object.hasOwn(storage, key) || !s || !isColumn(s) || s.immutable) continue;
    out[s.column] = encode(s, value);
  }
  return out as Partial<Row>;
}

/** The record of a row, with its collection fields given by the caller. */
export function rowToRecord<R, Row>(decl: EntityDecl<R>, row: Row, collections: { [K in keyof R]?: R[K] }): R {
  const r = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(decl.storage) as [string, FieldStorage][]) {
    out[field] = isColumn(s) ? decode(s, r[s.column]) : (collections as Record<string, unknown>)[field];
  }
  return out as R;
}
