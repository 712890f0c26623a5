/**
 * Ports: one interface per aggregate (DESIGN.md §3). Adapters live in src/store/*; every adapter
 * passes the shared suite in test/contract/. All methods are tenant-scoped by their first argument;
 * no method returns another tenant's data.
 */
import type { Device } from './device.ts';
import type { ListQuery } from './list-query.ts';
import type { App, AuditRecord, EnrollmentToken, SigningKey, Tenant } from './tenant.ts';

/** Device-group scope of a caller: every group, or an explicit list of rbacGroupIds. */
export type DeviceScope = 'all' | readonly number[];

export interface TenantRepo {
  create(t: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  addSigningKey(k: SigningKey): Promise<void>;
  /** Newest first. */
  signingKeys(tenantId: string): Promise<SigningKey[]>;
}

export interface AppRepo {
  create(a: App): Promise<void>;
  get(tenantId: string, clientId: string): Promise<App | null>;
  list(tenantId: string): Promise<App[]>;
  /** True when an app was deleted. */
  delete(tenantId: string, clientId: string): Promise<boolean>;
}

export interface EnrollmentRepo {
  create(t: EnrollmentToken): Promise<void>;
  /** Looks a token up by its hash, in any tenant (the token itself names no tenant we trust). */
  getByHash(tokenHash: string): Promise<EnrollmentToken | null>;
  list(tenantId: string): Promise<EnrollmentToken[]>;
  revoke(tenantId: string, id: string, at: string): Promise<boolean>;
  incrementUses(tenantId: string, id: string): Promise<void>;
}

/** Fields of a device that services may change after enrollment. */
export type DevicePatch = Partial<Omit<Device, 'tenantId' | 'id' | 'firstSeen' | 'credentialHash'>>;

/** The result of a list call; `total` is present when the query asked for a count. */
export interface Page<T> {
  items: T[];
  total?: number;
}

export interface DeviceRepo {
  insert(d: Device): Promise<void>;
  get(tenantId: string, id: string, scope?: DeviceScope): Promise<Device | null>;
  /** By computer name, case-insensitive; the most recently seen when several match. */
  getByName(tenantId: string, computerDnsName: string, scope?: DeviceScope): Promise<Device | null>;
  /**
   * Filters, sorts (default: lastSeen desc, id), pages. `now` fixes the moment against which the
   * derived `healthStatus` (Inactive after 7 days silent) is evaluated.
   */
  list(tenantId: string, q: ListQuery, scope: DeviceScope, now: Date): Promise<Page<Device>>;
  /** Devices by id; missing ids are simply absent from the result. */
  getMany(tenantId: string, ids: readonly string[], scope?: DeviceScope): Promise<Device[]>;
  /** Applies the patch and returns the updated device, or null when it does not exist. */
  update(tenantId: string, id: string, patch: DevicePatch): Promise<Device | null>;
  findByTag(tenantId: string, tag: string, startsWith: boolean, scope: DeviceScope): Promise<Device[]>;
  count(tenantId: string): Promise<number>;
}

export interface AuditRepo {
  append(r: AuditRecord): Promise<void>;
  list(tenantId: string, limit: number): Promise<AuditRecord[]>;
}

/** The repositories that live in the state store. */
export interface Repos {
  tenants: TenantRepo;
  apps: AppRepo;
  enrollments: EnrollmentRepo;
  devices: DeviceRepo;
  audit: AuditRepo;
}

/** The state store: repositories plus transactions. */
export interface StateStore extends Repos {
  /** Runs `fn` in one transaction; it commits when fn resolves and rolls back when it throws. */
  tx<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** 'sqlite' | 'postgres' — for logs only; no caller branches on it. */
  readonly kind: string;
}

/** SQL text plus positional parameters, produced by the KQL printer for one event-store dialect. */
export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** Output columns with KQL types (string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal). */
  columns: { name: string; type: string }[];
  /**
   * Set when this is not yet the query itself but the step that reads, from the data, names the
   * query's columns depend on (bag_unpack): its first column lists them; compile again with them.
   */
  discover?: string;
  /**
   * The same query (same parameters) returning one column: per row, a JSON object text with the
   * columns in order and each value as the hunting API prints it. Absent when the engine cannot.
   */
  jsonSql?: string;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  /** Values as JavaScript values; `dynamic` ones already decoded from JSON (a string is a string value). */
  rows: unknown[][];
  /** True when more rows existed than maxRows. */
  truncated: boolean;
  stats: { elapsedMs: number; rowsScanned?: number };
}

/** One event row as ingested: column name → value, already validated against the table schema. */
export type EventRow = Record<string, unknown>;

/** A batch from one device: rows per table, identified by a batch id for idempotency. */
export interface EventBatch {
  tenantId: string;
  deviceId: string;
  batchId: string;
  rows: { table: string; row: EventRow }[];
  /** Device group (rbacGroupId) the device belongs to, stored with every row for scoping; 0 (ungrouped) when absent. */
  rbacGroupId?: number;
}

/**
 * One column of an EncodedTable, values in row order: strings as a dictionary and one code per row
 * (-1 = null); every other type as raw little-endian values — int64 (long, timespan ticks, datetime
 * microseconds since the epoch), int32 (int), float64 (real, decimal) or one byte (bool, 0/1) per row —
 * with a validity bitmask (bit i of byte i>>3 set = row i has a value; null = every row has one).
 */
export type EncodedColumn =
  | { kind: 'string'; dict: string[]; codes: Int32Array }
  | { kind: 'fixed'; data: ArrayBuffer; valid: Uint8Array | null };

/** The rows of one table in columnar form, already validated and coerced to the column types. */
export interface EncodedTable {
  table: string;
  rows: number;
  /** One entry per declared column of the table, in declaration order; null = every value is null. */
  columns: (EncodedColumn | null)[];
}

/** An EventBatch whose rows arrive column by column (see EncodedTable), e.g. from an ingest worker. */
export interface EncodedEventBatch extends Omit<EventBatch, 'rows'> {
  tables: EncodedTable[];
}

export interface EventStore {
  /**
   * Durably stores the batch (resolved = committed) unless the (tenantId, deviceId, batchId) was
   * stored before, in which case nothing is written and `duplicate` is true.
   */
  appendBatch(batch: EventBatch): Promise<{ duplicate: boolean; stored: number }>;
  /** Optional: appendBatch for rows already in columnar form, which spares the writer the per-row work. */
  appendEncoded?(batch: EncodedEventBatch): Promise<{ duplicate: boolean; stored: number }>;
  /** Runs compiled SQL with a timeout and a row cap. */
  query(q: CompiledQuery, opts: { timeoutMs: number; maxRows: number; signal?: AbortSignal }): Promise<QueryResult>;
  /** Deletes events older than the cutoff; returns rows deleted. */
  enforceRetention(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}
