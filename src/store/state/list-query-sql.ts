/**
 * The one translator of a storage-neutral ListQuery into kysely SQL over an entity's table, for
 * every entity: the column map comes from the entity's declaration (src/entities/), so a property
 * is filterable in SQL exactly when the OData entity set says it is.
 *
 * Semantics (identical in SQLite and PostgreSQL):
 * - String `eq`/`ne`/`gt`/… and `in` are case-sensitive, except on properties declared
 *   `ignoreCase`, where both sides are lower-cased. `startswith`/`endswith`/`contains` ignore case
 *   (LIKE over lower()).
 * - `eq null` / `ne null` mean IS NULL / IS NOT NULL; an ordering comparison with null is false.
 * - Two-valued logic as OData defines it: `not` is pushed down to the leaves, and every negated
 *   leaf states explicitly how a NULL column answers (`name ne 'x'` is true for a null name).
 * - Datetimes compare as instants: literals are normalised to the stored canonical form.
 * - A stale-derived property (a machine's healthStatus: 'Inactive' when lastSeen is older than
 *   now − 7 days, else the stored sensor health) is a CASE in SQL; equality and `in` tests on it
 *   are spelled as a range on the timestamp column plus a test of the other column, so a list
 *   ordered by the timestamp walks its index and stops at the boundary instead of evaluating the
 *   derivation on every row.
 * - `collection/any(t: <pred>)` is an EXISTS over the child table; `any()` means "has a member".
 * Every error here is an ODataError (400): the query named something the store cannot evaluate.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CollectionStorage, ColumnStorage, EntityDecl, FieldStorage, StaleDerivation } from '../../entities/declaration.ts';
import { errors } from '../../domain/errors.ts';
import type { FilterExpr, FilterLiteral, OrderBy } from '../../domain/list-query.ts';
import { canonicalFromMs, canonicalInstant, hasSubMillisecond } from './instant.ts';

type ScalarType = 'string' | 'datetime' | 'number' | 'boolean';

/** The moment a query is evaluated at (stale-derived properties depend on it). */
interface QueryContext {
  now: Date;
}

/** A filterable scalar: its SQL expression, literal type, nullability and case handling. */
interface ScalarField {
  kind: 'scalar';
  type: ScalarType;
  nullable: boolean;
  foldCase: boolean;
  expr(ctx: QueryContext): RawBuilder<unknown>;
  /** Set for stale-derived properties: "is one of `values`" (or none of them) without the CASE. */
  membership?(values: readonly string[], negate: boolean, ctx: QueryContext): RawBuilder<SqlBool>;
}

interface CollectionField {
  kind: 'collection';
  storage: CollectionStorage['collection'];
}

type Field = ScalarField | CollectionField;

/** The column map of one entity: canonical property name → how the store evaluates it. */
interface ColumnMap {
  set: string;
  table: string;
  fields: ReadonlyMap<string, Field>;
  byLowerName: ReadonlyMap<string, Field>;
  key: ScalarField;
  defaultOrder: readonly OrderBy[];
}

const SCALAR_TYPE: Record<Exclude<ColumnStorage['codec'], 'json'>, ScalarType> = { text: 'string', instant: 'datetime', integer: 'number', boolean: 'boolean' };

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;
const and = (a: RawBuilder<SqlBool>, b: RawBuilder<SqlBool>) => sql<SqlBool>`(${a} and ${b})`;
const or = (a: RawBuilder<SqlBool>, b: RawBuilder<SqlBool>) => sql<SqlBool>`(${a} or ${b})`;

function columnField(table: string, s: ColumnStorage, foldCase: boolean): ScalarField {
  if (s.codec === 'json') throw new Error(`column ${table}.${s.column} holds JSON and cannot be filtered`);
  return { kind: 'scalar', type: SCALAR_TYPE[s.codec], nullable: !!s.nullable, foldCase, expr: () => sql.ref(`${table}.${s.column}`) };
}

/** A stale-derived property: CASE in general, index-friendly membership for eq/ne/in. */
function staleField(table: string, d: StaleDerivation<unknown>, storage: Record<string, FieldStorage>): ScalarField {
  const since = sql.ref(`${table}.${(storage[d.since] as ColumnStorage).column}`);
  const other = sql.ref(`${table}.${(storage[d.otherwise] as ColumnStorage).column}`);
  const cutoff = (ctx: QueryContext) => canonicalFromMs(ctx.now.getTime() - d.afterMs);
  return {
    kind: 'scalar',
    type: 'string',
    nullable: false,
    foldCase: false,
    expr: (ctx) => sql`(case when ${since} < ${cutoff(ctx)} then ${sql.lit(d.value)} else ${other} end)`,
    membership(values, negate, ctx) {
      // Stale rows answer with whether the stale value is in the (possibly complemented) set.
      const staleMatches = values.includes(d.value) !== negate;
      const reported = values.length === 0
        ? (negate ? TRUE : FALSE)
        : negate
          ? sql<SqlBool>`${other} not in (${sql.join(values)})`
          : sql<SqlBool>`${other} in (${sql.join(values)})`;
      return staleMatches
        ? or(sql<SqlBool>`${since} < ${cutoff(ctx)}`, reported)
        : and(sql<SqlBool>`${since} >= ${cutoff(ctx)}`, reported);
    },
  };
}

const maps = new WeakMap<object, ColumnMap>();

/** The column map of a declaration (built once per declaration). */
function columnMapOf<R>(decl: EntityDecl<R>): ColumnMap {
  const cached = maps.get(decl);
  if (cached) return cached;
  const storage = decl.storage as Record<string, FieldStorage>;
  const fields = new Map<string, Field>();
  for (const p of decl.properties) {
    if (!p.filter) continue;
    const foldCase = p.filter !== true && !!p.filter.ignoreCase;
    if (p.stale) {
      fields.set(p.name, staleField(decl.table, p.stale as StaleDerivation<unknown>, storage));
      continue;
    }
    const s = storage[p.field ?? p.name];
    if ('loaded' in s) throw new Error(`${decl.set}.${p.name} is loaded from ${s.loaded} and cannot be filtered`);
    fields.set(p.name, 'column' in s ? columnField(decl.table, s, foldCase) : { kind: 'collection', storage: s.collection });
  }
  const map: ColumnMap = {
    set: decl.set,
    table: decl.table,
    fields,
    byLowerName: new Map([...fields].map(([k, v]) => [k.toLowerCase(), v])),
    key: columnField(decl.table, storage[decl.key] as ColumnStorage, false),
    defaultOrder: decl.defaultOrder,
  };
  maps.set(decl, map);
  return map;
}

/** The text of a datetime literal (tagged or plain string), else null. */
function datetimeText(v: Exclude<FilterLiteral, null>): string | null {
  return typeof v === 'object' ? v.datetime : typeof v === 'string' ? v : null;
}

/** Converts a non-null literal to the value bound for a field, checking its type. */
function bindValue(name: string, f: ScalarField, v: Exclude<FilterLiteral, null>): unknown {
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') throw errors.odata(`Property '${name}' expects a string literal`);
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw errors.odata(`Property '${name}' expects a number literal`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw errors.odata(`Property '${name}' expects true or false`);
      return v ? 1 : 0;
    case 'datetime': {
      const text = datetimeText(v);
      if (text === null) throw errors.odata(`Property '${name}' expects a datetime literal`);
      try {
        return canonicalInstant(text);
      } catch {
        throw errors.odata(`'${text}' is not a valid datetime for property '${name}'`);
      }
    }
  }
}

/** Left and right operands of a comparison, lower-cased when the field folds case. */
function operands(f: ScalarField, ctx: QueryContext, value: unknown): [RawBuilder<unknown>, RawBuilder<unknown>] {
  const left = f.expr(ctx);
  return f.foldCase ? [sql`lower(${left})`, sql`lower(${value})`] : [left, sql`${value}`];
}

const SQL_OP = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const INVERSE = { eq: 'ne', ne: 'eq', gt: 'le', ge: 'lt', lt: 'ge', le: 'gt' } as const;
type CmpOp = keyof typeof SQL_OP;

/** `field op value`, exactly true where OData says true (negate = the OData complement). */
function comparison(name: string, f: ScalarField, op: CmpOp, value: FilterLiteral, negate: boolean, ctx: QueryContext): RawBuilder<SqlBool> {
  if (value === null) {
    if (op === 'eq' || op === 'ne') {
      const isNull = (op === 'eq') !== negate;
      if (!f.nullable) return isNull ? FALSE : TRUE;
      return isNull ? sql<SqlBool>`${f.expr(ctx)} is null` : sql<SqlBool>`${f.expr(ctx)} is not null`;
    }
    return negate ? TRUE : FALSE;
  }
  let effective: CmpOp = negate ? INVERSE[op] : op;
  if (f.type === 'datetime' && hasSubMillisecond(datetimeText(value) ?? '')) {
    // Stored instants are whole milliseconds and the bound literal is truncated to its
    // millisecond m, so for a literal between m and m+1: eq never holds, ne always does, lt ≡ le m,
    // ge ≡ gt m.
    if (effective === 'eq') return FALSE;
    if (effective === 'ne') return TRUE;
    if (effective === 'lt') effective = 'le';
    if (effective === 'ge') effective = 'gt';
  }
  if (f.membership && (effective === 'eq' || effective === 'ne')) {
    return f.membership([bindValue(name, f, value) as string], effective === 'ne', ctx);
  }
  const [left, right] = operands(f, ctx, bindValue(name, f, value));
  const test = sql<SqlBool>`${left} ${sql.raw(SQL_OP[effective])} ${right}`;
  // A null column fails every comparison with a value, except `ne` (and negated non-ne ops).
  const nullPasses = effective === 'ne' || (negate && op !== 'ne');
  return f.nullable && nullPasses ? or(test, sql<SqlBool>`${f.expr(ctx)} is null`) : test;
}

/** `field in (values)`; a null among the values matches a null column. */
function membership(name: string, f: ScalarField, values: FilterLiteral[], negate: boolean, ctx: QueryContext): RawBuilder<SqlBool> {
  // A datetime finer than a millisecond can equal no stored instant: it drops out of the list.
  const nonNull = values.filter((v): v is Exclude<FilterLiteral, null> =>
    v !== null && !(f.type === 'datetime' && hasSubMillisecond(datetimeText(v) ?? '')));
  const hasNull = values.includes(null);
  if (f.membership) {
    // Never null: a null among the values matches nothing.
    return f.membership(nonNull.map((v) => bindValue(name, f, v) as string), negate, ctx);
  }
  const left = f.foldCase ? sql`lower(${f.expr(ctx)})` : f.expr(ctx);
  const list = sql.join(nonNull.map((v) => {
    const bound = bindValue(name, f, v);
    return f.foldCase ? sql`lower(${bound})` : sql`${bound}`;
  }));
  const isNull = sql<SqlBool>`${f.expr(ctx)} is null`;
  const isNotNull = sql<SqlBool>`${f.expr(ctx)} is not null`;
  if (!negate) {
    const inList = nonNull.length ? sql<SqlBool>`${left} in (${list})` : FALSE;
    return hasNull && f.nullable ? or(inList, isNull) : inList;
  }
  if (!nonNull.length) return hasNull && f.nullable ? isNotNull : TRUE;
  const notInList = sql<SqlBool>`${left} not in (${list})`;
  if (!f.nullable) return notInList;
  return hasNull ? and(notInList, isNotNull) : or(notInList, isNull);
}

/** Escapes LIKE wildcards so `value` matches literally (escape character: backslash). */
function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** startswith/endswith/contains, case-insensitive. */
function textFunction(name: string, f: ScalarField, fn: 'startswith' | 'endswith' | 'contains', value: string, negate: boolean, ctx: QueryContext): RawBuilder<SqlBool> {
  if (f.type !== 'string') throw errors.odata(`${fn}() needs a string property; '${name}' is not one`);
  if (typeof value !== 'string') throw errors.odata(`${fn}() needs a string literal`);
  const body = likeEscape(value);
  const pattern = fn === 'startswith' ? `${body}%` : fn === 'endswith' ? `%${body}` : `%${body}%`;
  const test = sql<SqlBool>`lower(${f.expr(ctx)}) like lower(${pattern}) escape '\\'`;
  if (!negate) return test;
  const negated = sql<SqlBool>`not (${test})`;
  return f.nullable ? or(negated, sql<SqlBool>`${f.expr(ctx)} is null`) : negated;
}

/** One ORDER BY item: expression, direction, and where nulls go when the column is nullable. */
export interface OrderTerm {
  expr: RawBuilder<unknown>;
  dir: 'asc' | 'desc';
  /** Set only for nullable expressions: nulls sort as the smallest value in both dialects. */
  nulls?: 'first' | 'last';
}

/** The SQL of list queries over one entity's table, evaluated at one moment. */
export interface EntityQuery {
  /** The WHERE condition of a `$filter`. Throws ODataError for properties or literals it cannot evaluate. */
  where(filter: FilterExpr): RawBuilder<SqlBool>;
  /** "Some member of the collection `field` satisfies `predicate`" (any member when null); `$it` is the member. */
  any(field: string, predicate: FilterExpr | null): RawBuilder<SqlBool>;
  /**
   * The ORDER BY of a list: the requested keys (default: the declaration's defaultOrder), always
   * followed by the key ascending unless the key is already a sort key, so paging is deterministic.
   */
  orderBy(keys: readonly OrderBy[]): OrderTerm[];
}

/** List-query SQL for the entity `decl`, with derived properties evaluated at `now`. */
export function entityQuery<R>(decl: EntityDecl<R>, now: Date): EntityQuery {
  const map = columnMapOf(decl);
  const ctx: QueryContext = { now };

  const fieldOf = (name: string): Field => {
    const f = map.fields.get(name) ?? map.byLowerName.get(name.toLowerCase());
    if (!f) throw errors.odata(`Property '${name}' cannot be used in a query on ${map.set}`);
    return f;
  };
  const scalarOf = (name: string): ScalarField => {
    const f = fieldOf(name);
    if (f.kind !== 'scalar') throw errors.odata(`Property '${name}' is a collection; use ${name}/any(...)`);
    return f;
  };

  /** EXISTS over the row's members of a collection matching `predicate` (any member when null). */
  const anyMember = (c: CollectionField, predicate: FilterExpr | null, negate: boolean): RawBuilder<SqlBool> => {
    const member: ScalarField = { kind: 'scalar', type: 'string', nullable: false, foldCase: false, expr: () => sql.ref(`t.${c.storage.value}`) };
    const inner = predicate ? translate(predicate, false, member) : TRUE;
    const links = Object.entries(c.storage.links).map(([child, parent]) => sql<SqlBool>`${sql.ref(`t.${child}`)} = ${sql.ref(`${map.table}.${parent}`)}`);
    const exists = sql<SqlBool>`exists (select 1 from ${sql.table(c.storage.table)} t where ${sql.join(links, sql` and `)} and ${inner})`;
    return negate ? sql<SqlBool>`not ${exists}` : exists;
  };

  function translate(e: FilterExpr, negate: boolean, lambda: ScalarField | null): RawBuilder<SqlBool> {
    const scalar = (name: string): ScalarField => {
      if (lambda) {
        if (name !== '$it') throw errors.odata(`Only the lambda variable may be used inside any(); found '${name}'`);
        return lambda;
      }
      if (name === '$it') throw errors.odata('The lambda variable is only valid inside any()');
      return scalarOf(name);
    };
    switch (e.kind) {
      case 'and':
      case 'or': {
        const l = translate(e.left, negate, lambda);
        const r = translate(e.right, negate, lambda);
        // De Morgan: under negation `and` becomes `or` and vice versa.
        return (e.kind === 'and') !== negate ? and(l, r) : or(l, r);
      }
      case 'not':
        return translate(e.expr, !negate, lambda);
      case 'cmp':
        return comparison(e.field, scalar(e.field), e.op, e.value, negate, ctx);
      case 'in':
        return membership(e.field, scalar(e.field), e.values, negate, ctx);
      case 'fn':
        return textFunction(e.field, scalar(e.field), e.name, e.value, negate, ctx);
      case 'any': {
        if (lambda) throw errors.odata('Nested any() is not supported');
        const f = fieldOf(e.field);
        if (f.kind !== 'collection') throw errors.odata(`any() needs a collection property; '${e.field}' is not one`);
        return anyMember(f, e.predicate, negate);
      }
    }
  }

  return {
    where: (filter) => translate(filter, false, null),
    any(field, predicate) {
      const f = fieldOf(field);
      if (f.kind !== 'collection') throw errors.odata(`any() needs a collection property; '${field}' is not one`);
      return anyMember(f, predicate, false);
    },
    orderBy(keys) {
      const effective = keys.length ? keys : map.defaultOrder;
      const terms: OrderTerm[] = [];
      let hasKey = false;
      for (const k of effective) {
        const f = scalarOf(k.field);
        if (f === map.fields.get(decl.key)) hasKey = true;
        const base = f.expr(ctx);
        const term: OrderTerm = { expr: f.foldCase ? sql`lower(${base})` : base, dir: k.dir };
        if (f.nullable) term.nulls = k.dir === 'asc' ? 'first' : 'last';
        terms.push(term);
      }
      if (!hasKey) terms.push({ expr: map.key.expr(ctx), dir: 'asc' });
      return terms;
    },
  };
}
