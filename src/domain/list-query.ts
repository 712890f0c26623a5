/**
 * A storage-neutral list query: what OData's $filter/$top/$skip/$count/$orderby mean once parsed
 * and checked against an entity's field table. Stores translate it; nobody builds SQL from text.
 */

/** A literal in a filter. Datetimes are kept as ISO-8601 UTC strings in a tagged object. */
export type FilterLiteral = string | number | boolean | null | { datetime: string };

/** A boolean filter expression over an entity's fields. */
export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; value: FilterLiteral }
  | { kind: 'in'; field: string; values: FilterLiteral[] }
  | { kind: 'fn'; name: 'startswith' | 'endswith' | 'contains'; field: string; value: string }
  /** `field/any(t: <predicate on t>)` over a collection of strings; the predicate's field is '$it'. */
  | { kind: 'any'; field: string; predicate: FilterExpr | null };

/** Sort key. */
export interface OrderBy {
  field: string;
  dir: 'asc' | 'desc';
}

/** A parsed, validated list request. */
export interface ListQuery {
  filter?: FilterExpr;
  top: number;
  skip: number;
  count: boolean;
  orderBy: OrderBy[];
  /** `$expand` items as sent (e.g. ['evidence']); the route decides which it supports. */
  expand?: string[];
  /** `$select` items as sent; the route decides how to project. */
  select?: string[];
}

/** The type of a field as the filter language sees it. */
export type FieldType = 'string' | 'datetime' | 'number' | 'boolean' | 'stringCollection';

/** An operator of `$filter`: a comparison, `in`, a text function, or `any()` over a collection. */
export type FilterOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'in' | 'startswith' | 'endswith' | 'contains' | 'any';

/** One entity field a client may filter or sort on. Names are matched case-insensitively. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  /** Allowed values (enums); a literal outside them is a 400. */
  enumValues?: readonly string[];
  /** The operators allowed on it; absent: every operator its type supports. */
  operators?: readonly FilterOperator[];
  /** Usable in `$orderby`; absent: true for scalars (collections never are). */
  sortable?: boolean;
}

/** The filterable surface of one entity set (e.g. Machines). */
export interface EntitySetSpec {
  /** OData entity set name, e.g. 'Machines'. */
  name: string;
  fields: readonly FieldSpec[];
  /** Largest $top the set accepts. */
  maxTop: number;
  /** $top when the client sends none. */
  defaultTop: number;
}
