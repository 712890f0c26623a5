/**
 * How an API entity is declared (DESIGN.md §2: "API entities declared once"). One declaration per
 * entity — `src/entities/<entity>.ts`, in the spirit of the event tables in `src/schema/tables/` —
 * says everything the rest of the program derives:
 *
 * - `properties`: the entity as the MDE API shows it, in MDE's key order. Each property has a JSON
 *   type and says where its value comes from: a field of the stored record (by default the field
 *   named like the property), a constant, or a derivation. A property with `filter` may be used in
 *   `$filter` (and `$orderby` unless `sortable: false`). From these come the OData entity set
 *   (`entitySetOf`), the TypeBox response schemas (`responseSchemasOf`) and the JSON mapping
 *   (`entityJson`), `$select` included.
 * - `storage`: how every field of the domain record is kept in the state store — a column with a
 *   codec, or a child table for a collection of strings. The compiler checks that every field of the
 *   record is declared. From it come the kysely table type (`RowOf`), the row mapping
 *   (store/state/entity-rows.ts) and the column map of the one ListQuery → SQL translator
 *   (store/state/list-query-sql.ts).
 *
 * This file declares types only: no framework, no driver. To add an entity: write its domain record
 * type in `src/domain/`, its declaration in `src/entities/<name>.ts` with `defineEntity`, its table
 * in a migration of each dialect, and its routes over the derived artifacts.
 */
import type { FilterOperator, OrderBy } from '../domain/list-query.ts';

/** How a record field's value is written to and read from its column. */
export type Codec =
  /** text as is */
  | 'text'
  /** an ISO-8601 UTC instant, stored in the fixed-width canonical form (text order = time order) */
  | 'instant'
  /** an integer */
  | 'integer'
  /** a boolean stored as 0/1 */
  | 'boolean'
  /** any JSON value, stored as JSON text (not filterable) */
  | 'json';

/** A record field kept in a column of the entity's table. */
export interface ColumnStorage {
  column: string;
  codec: Codec;
  /** The column admits null (the record field is `T | null`). */
  nullable?: boolean;
  /** Set once at insert; a patch never changes it (ids, tenant, credentials, creation time). */
  immutable?: boolean;
}

/**
 * A record field that is a list of strings kept in a child table, one row per member, in order.
 * `links` maps each child column to the parent column it equals (tenant and key).
 */
export interface CollectionStorage {
  collection: { table: string; links: Readonly<Record<string, string>>; value: string; position: string };
}

/**
 * A record field the repository reads from other tables when it loads the record, and never writes
 * through this entity (an incident's alerts are the alerts whose incidentId is the incident's).
 * `loaded` says from where.
 */
export interface LoadedStorage {
  loaded: string;
}

/** How one record field is stored. */
export type FieldStorage = ColumnStorage | CollectionStorage | LoadedStorage;

/** The storage of every field of record type R (the compiler rejects a missing field). */
export type StorageOf<R> = { readonly [K in keyof R]-?: FieldStorage };

/** The JSON type of a property (`list` and `object` nest). */
export type PropType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  /** an instant, written as MDE writes datetimes (UTC, trailing zeros of the fraction trimmed) */
  | 'datetime'
  /** a free-form JSON object */
  | 'bag'
  | { enum: readonly string[] }
  | { list: PropType }
  | { object: readonly ValueDecl[] };

/** A named JSON value: a property, or a member of an `object` property. */
export interface ValueDecl {
  name: string;
  type: PropType;
  /** The value may be null (the schema says so; a missing member is written as null). */
  nullable?: boolean;
  description?: string;
}

/**
 * A value derived from a timestamp going stale: `value` when the record's `since` instant is more
 * than `afterMs` before now, else the record's `otherwise` field. (A machine's healthStatus is
 * 'Inactive' after 7 silent days, else what its sensor reported.) Both fields must be non-null
 * columns. The store evaluates it in SQL against the same `now`.
 */
export interface StaleDerivation<R> {
  since: keyof R & string;
  afterMs: number;
  value: string;
  otherwise: keyof R & string;
}

/** How a property may be used in `$filter` and `$orderby`. */
export interface FilterDecl {
  /** eq, ne, in and ordering compare lower-cased (e.g. computer names); text functions always ignore case. */
  ignoreCase?: boolean;
  /** Usable in `$orderby` (default true; collections never are). */
  sortable?: boolean;
  /** The operators a client may use on it (default: every operator its type supports). */
  operators?: readonly FilterOperator[];
}

/** One property of the entity as the API shows it. Exactly one value source applies. */
export interface PropertyDecl<R> extends ValueDecl {
  /** The record field holding the value; default: the field named like the property. */
  field?: keyof R & string;
  /** A value every entity has (properties MDE shows that Palisade does not model yet; `[]` for an empty list). */
  constant?: string | number | boolean | null | readonly [];
  /**
   * A navigation property `$expand` may name (an alert's evidence): written with its value when the
   * request expands it, else as an empty list. Only list properties may be expandable.
   */
  expand?: true;
  /** A value computed from the record and the moment of the request. */
  stale?: StaleDerivation<R>;
  /** Present when the property may be filtered (`true`: with the defaults of FilterDecl). */
  filter?: true | FilterDecl;
  /**
   * An `object` property assembled from several record fields: member name → the field holding it
   * (a detection rule's `schedule` is its `period` and `nextRunDateTime` columns).
   */
  members?: Readonly<Record<string, keyof R & string>>;
}

/** The declaration of one API entity over its domain record type R. */
export interface EntityDecl<R> {
  /** OData entity set name, e.g. 'Machines' (also the `@odata.context` fragment). */
  set: string;
  /** What the entity is, for the schema's description. */
  description: string;
  /** The state-store table holding one row per record. */
  table: string;
  /** The record field that identifies a row within a tenant; the last sort key of every list. */
  key: keyof R & string;
  /** Largest `$top` the set accepts, and the `$top` when the client sends none. */
  maxTop: number;
  defaultTop: number;
  /** The order of a list when the client sends no `$orderby` (property names). */
  defaultOrder: readonly OrderBy[];
  properties: readonly PropertyDecl<R>[];
  storage: StorageOf<R>;
}

interface CodecTypes {
  text: string;
  instant: string;
  json: string;
  integer: number;
  boolean: number;
}

/**
 * The row type of an entity's table (as kysely sees it), derived from its storage declared
 * `as const`: one key per column, the codec's SQL-side type, `| null` for nullable columns.
 */
export type RowOf<S> = {
  -readonly [K in keyof S as S[K] extends { column: infer C extends string } ? C : never]: S[K] extends { codec: infer T extends Codec }
    ? CodecTypes[T] | (S[K] extends { nullable: true } ? null : never)
    : never;
};
