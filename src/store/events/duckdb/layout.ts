/**
 * The DuckDB storage layout of the event tables. The KQL compiler's DuckDB printer depends on it, so
 * it is fixed: one DuckDB table per KQL table with the same name, one column per KQL column with the
 * same name (always quoted), the type mapping below, plus four hidden columns: tenancy and device-group
 * scoping (the binder's), ingestion time, and the sequence number of the committed batch the row came
 * in (the committed-batch feed reads a batch back by it).
 */
import { storedToTheTick } from '../../../schema/datetime.ts';
import type { ColumnDecl, KqlColumnType } from '../../../schema/types.ts';

/** Names of the hidden columns present in every event table. */
export const HIDDEN_COLUMNS = {
  /** Tenant that owns the row; the KQL binder filters on it in every scan. */
  tenantId: '__TenantId',
  /** Device group (rbacGroupId) of the device at ingest time; 0 = ungrouped. */
  rbacGroupId: '__RbacGroupId',
  /** When the row was committed (UTC); backs `ingestion_time()`. */
  ingestTime: '__IngestTime',
  /** Sequence number of the committed batch that stored the row (__ingest_batches.seq); null in rows stored before it existed. */
  batchSeq: '__BatchSeq',
} as const;

/** Column definitions (quoted name + type + constraints) of the hidden columns, in table order. */
export const HIDDEN_COLUMN_DEFS: readonly string[] = [
  `"${HIDDEN_COLUMNS.tenantId}" VARCHAR NOT NULL`,
  `"${HIDDEN_COLUMNS.rbacGroupId}" INTEGER NOT NULL DEFAULT 0`,
  `"${HIDDEN_COLUMNS.ingestTime}" TIMESTAMP NOT NULL`,
  `"${HIDDEN_COLUMNS.batchSeq}" BIGINT`,
];

/**
 * Table holding the ids of stored batches: (tenant, device, batch_id) is unique; `seq` numbers the
 * batches in commit order (the committed-batch feed's position).
 */
export const BATCHES_TABLE = '__ingest_batches';

const TYPE_MAP: Readonly<Record<KqlColumnType, string>> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  int: 'INTEGER',
  real: 'DOUBLE',
  bool: 'BOOLEAN',
  datetime: 'TIMESTAMP',
  dynamic: 'JSON',
  guid: 'VARCHAR',
  timespan: 'BIGINT',
  decimal: 'DOUBLE',
};

/**
 * The DuckDB type that stores a KQL type: string→VARCHAR, long→BIGINT, int→INTEGER, real→DOUBLE,
 * bool→BOOLEAN, datetime→TIMESTAMP (UTC, microseconds; see duckDbColumnType for the Timestamp), dynamic→JSON, guid→VARCHAR,
 * timespan→BIGINT (100 ns ticks), decimal→DOUBLE.
 */
export function duckDbType(kqlType: KqlColumnType): string {
  const t = TYPE_MAP[kqlType];
  if (!t) throw new Error(`unknown KQL type: ${String(kqlType)}`);
  return t;
}

/**
 * The DuckDB type that stores a column: its KQL type's (duckDbType), except that a datetime column
 * stored to the 100 ns tick (the Timestamp, schema/datetime.ts storedToTheTick) is TIMESTAMP_NS.
 */
export function duckDbColumnType(column: ColumnDecl): string {
  return column.type === 'datetime' && storedToTheTick(column.name) ? 'TIMESTAMP_NS' : duckDbType(column.type);
}

/** A DuckDB identifier in double quotes, with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
