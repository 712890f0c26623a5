/**
 * Translates the storage-neutral ListQuery of the Machines entity set into kysely SQL expressions
 * over the `devices` table (aliased as itself, `devices`) and its `device_tags`.
 *
 * Semantics (identical in SQLite and PostgreSQL):
 * - String `eq`/`ne`/`gt`/… and `in` are case-sensitive, except on `computerDnsName`, where both
 *   sides are lower-cased. `startswith`/`endswith`/`contains` ignore case (LIKE over lower()).
 * - `eq null` / `ne null` mean IS NULL / IS NOT NULL; an ordering comparison with null is false.
 * - Two-valued logic as OData defines it: `not` is pushed down to the leaves, and every negated
 *   leaf states explicitly how a NULL column answers (`name ne 'x'` is true for a null name).
 * - Datetimes compare as instants: literals are normalised to the stored canonical form.
 * - `healthStatus` is derived in SQL: 'Inactive' when lastSeen is older than now − 7 days, else
 *   the stored sensor health. Equality and `in` tests on it are spelled as a range on last_seen
 *   plus a test of sensor_health, so a list ordered by lastSeen walks the (tenant_id, last_seen)
 *   index and stops at the 7-day boundary instead of evaluating the derivation on every row.
 * - `machineTags/any(t: <pred>)` is an EXISTS over device_tags; `any()` means "has a tag".
 * Every error here is an ODataError (400): the query named something the store cannot evaluate.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { INACTIVE_AFTER_MS } from '../../domain/device.ts';
import { errors } from '../../domain/errors.ts';
import type { FilterExpr, FilterLiteral, OrderBy } from '../../domain/list-query.ts';
import { canonicalFromMs, canonicalInstant, hasSubMillisecond } from './instant.ts';

/** The moment-dependent inputs of a device query. */
export interface DeviceQueryContext {
  /** Canonical instant before which (strictly) a device counts as Inactive. */
  inactiveBefore: string;
}

/** The query context for evaluating health at `now`. */
export function deviceQueryContext(now: Date): DeviceQueryContext {
  return { inactiveBefore: canonicalFromMs(now.getTime() - INACTIVE_AFTER_MS) };
}

type ScalarType = 'string' | 'datetime' | 'number' | 'boolean';

/** A filterable scalar: its SQL expression, literal type, nullability and case handling. */
interface ScalarField {
  kind: 'scalar';
  type: ScalarType;
  nullable: boolean;
  /** Compare lower-cased (computerDnsName). */
  foldCase: boolean;
  expr(ctx: DeviceQueryContext): RawBuilder<unknown>;
}

interface TagsField {
  kind: 'tags';
}

type Field = ScalarField | TagsField;

const column = (name: string, type: ScalarType, nullable: boolean, foldCase = false): ScalarField => ({
  kind: 'scalar',
  type,
  nullable,
  foldCase,
  expr: () => sql.ref(`devices.${name}`),
});

/** The derived healthStatus of a device row at the context's moment. */
function healthStatusSql(ctx: DeviceQueryContext): RawBuilder<unknown> {
  return sql`(case when ${sql.ref('devices.last_seen')} < ${ctx.inactiveBefore} then 'Inactive' else ${sql.ref('devices.sensor_health')} end)`;
}

const HEALTH_STATUS: ScalarField = { kind: 'scalar', type: 'string', nullable: false, foldCase: false, expr: healthStatusSql };

/**
 * "healthStatus is one of `values`" (or, negated, "is none of them") without the CASE: a device
 * is Inactive exactly when last_seen < inactiveBefore, and otherwise reports its sensor_health.
 */
function healthMembership(values: readonly string[], negate: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  const lastSeen = sql.ref('devices.last_seen');
  const health = sql.ref('devices.sensor_health');
  // Inactive rows answer with whether 'Inactive' is in the (possibly complemented) set.
  const inactiveMatches = values.includes('Inactive') !== negate;
  const reported = values.length === 0
    ? (negate ? TRUE : FALSE)
    : negate
      ? sql<SqlBool>`${health} not in (${sql.join(values)})`
      : sql<SqlBool>`${health} in (${sql.join(values)})`;
  return inactiveMatches
    ? or(sql<SqlBool>`${lastSeen} < ${ctx.inactiveBefore}`, reported)
    : and(sql<SqlBool>`${lastSeen} >= ${ctx.inactiveBefore}`, reported);
}

/** Canonical Machines field name → how the store evaluates it. */
const FIELDS: Readonly<Record<string, Field>> = {
  id: column('id', 'string', false),
  computerDnsName: column('computer_dns_name', 'string', false, true),
  version: column('version', 'string', true),
  deviceValue: column('device_value', 'string', false),
  aadDeviceId: column('aad_device_id', 'string', true),
  machineTags: { kind: 'tags' },
  lastSeen: column('last_seen', 'datetime', false),
  firstSeen: column('first_seen', 'datetime', false),
  exposureLevel: column('exposure_level', 'string', true),
  onboardingStatus: column('onboarding_status', 'string', false),
  lastIpAddress: column('last_ip_address', 'string', true),
  lastExternalIpAddress: column('last_external_ip_address', 'string', true),
  healthStatus: HEALTH_STATUS,
  osPlatform: column('os_platform', 'string', false),
  riskScore: column('risk_score', 'string', false),
  rbacGroupId: column('rbac_group_id', 'number', false),
  rbacGroupName: column('rbac_group_name', 'string', true),
  osBuild: column('os_build', 'number', true),
  agentVersion: column('agent_version', 'string', true),
  isAadJoined: column('is_aad_joined', 'boolean', false),
};

/** Names of the Machines fields this translator can filter and sort on. */
export const DEVICE_FILTER_FIELDS: readonly string[] = Object.keys(FIELDS);

const byLowerName = new Map(Object.entries(FIELDS).map(([k, v]) => [k.toLowerCase(), v]));

function fieldOf(name: string): Field {
  const f = (Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined) ?? byLowerName.get(name.toLowerCase());
  if (!f) throw errors.odata(`Property '${name}' cannot be used in a query on Machines`);
  return f;
}

function scalarOf(name: string): ScalarField {
  const f = fieldOf(name);
  if (f.kind !== 'scalar') throw errors.odata(`Property '${name}' is a collection; use ${name}/any(...)`);
  return f;
}

/** The `$it` variable of an any() lambda: one tag. */
const TAG_VALUE: ScalarField = { kind: 'scalar', type: 'string', nullable: false, foldCase: false, expr: () => sql.ref('t.tag') };

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

const and = (a: RawBuilder<SqlBool>, b: RawBuilder<SqlBool>) => sql<SqlBool>`(${a} and ${b})`;
const or = (a: RawBuilder<SqlBool>, b: RawBuilder<SqlBool>) => sql<SqlBool>`(${a} or ${b})`;

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
function operands(f: ScalarField, ctx: DeviceQueryContext, value: unknown): [RawBuilder<unknown>, RawBuilder<unknown>] {
  const left = f.expr(ctx);
  return f.foldCase ? [sql`lower(${left})`, sql`lower(${value})`] : [left, sql`${value}`];
}

const SQL_OP = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const INVERSE = { eq: 'ne', ne: 'eq', gt: 'le', ge: 'lt', lt: 'ge', le: 'gt' } as const;
type CmpOp = keyof typeof SQL_OP;

/** `field op value`, exactly true where OData says true (negate = the OData complement). */
function comparison(name: string, f: ScalarField, op: CmpOp, value: FilterLiteral, negate: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
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
  if (f === HEALTH_STATUS && (effective === 'eq' || effective === 'ne')) {
    return healthMembership([bindValue(name, f, value) as string], effective === 'ne', ctx);
  }
  const [left, right] = operands(f, ctx, bindValue(name, f, value));
  const test = sql<SqlBool>`${left} ${sql.raw(SQL_OP[effective])} ${right}`;
  // A null column fails every comparison with a value, except `ne` (and negated non-ne ops).
  const nullPasses = effective === 'ne' || (negate && op !== 'ne');
  return f.nullable && nullPasses ? or(test, sql<SqlBool>`${f.expr(ctx)} is null`) : test;
}

/** `field in (values)`; a null among the values matches a null column. */
function membership(name: string, f: ScalarField, values: FilterLiteral[], negate: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  // A datetime finer than a millisecond can equal no stored instant: it drops out of the list.
  const nonNull = values.filter((v): v is Exclude<FilterLiteral, null> =>
    v !== null && !(f.type === 'datetime' && hasSubMillisecond(datetimeText(v) ?? '')));
  const hasNull = values.includes(null);
  if (f === HEALTH_STATUS) {
    // Never null: a null among the values matches nothing.
    return healthMembership(nonNull.map((v) => bindValue(name, f, v) as string), negate, ctx);
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
function textFunction(name: string, f: ScalarField, fn: 'startswith' | 'endswith' | 'contains', value: string, negate: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  if (f.type !== 'string') throw errors.odata(`${fn}() needs a string property; '${name}' is not one`);
  if (typeof value !== 'string') throw errors.odata(`${fn}() needs a string literal`);
  const body = likeEscape(value);
  const pattern = fn === 'startswith' ? `${body}%` : fn === 'endswith' ? `%${body}` : `%${body}%`;
  const test = sql<SqlBool>`lower(${f.expr(ctx)}) like lower(${pattern}) escape '\\'`;
  if (!negate) return test;
  const negated = sql<SqlBool>`not (${test})`;
  return f.nullable ? or(negated, sql<SqlBool>`${f.expr(ctx)} is null`) : negated;
}

/** EXISTS over the row's tags matching `predicate` (any tag when null). */
function anyTag(predicate: FilterExpr | null, negate: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  const inner = predicate ? translate(predicate, false, ctx, true) : TRUE;
  const exists = sql<SqlBool>`exists (select 1 from device_tags t where t.tenant_id = ${sql.ref('devices.tenant_id')} and t.device_id = ${sql.ref('devices.id')} and ${inner})`;
  return negate ? sql<SqlBool>`not ${exists}` : exists;
}

function translate(e: FilterExpr, negate: boolean, ctx: DeviceQueryContext, inLambda: boolean): RawBuilder<SqlBool> {
  const scalar = (name: string): ScalarField => {
    if (inLambda) {
      if (name !== '$it') throw errors.odata(`Only the lambda variable may be used inside any(); found '${name}'`);
      return TAG_VALUE;
    }
    if (name === '$it') throw errors.odata('The lambda variable is only valid inside any()');
    return scalarOf(name);
  };
  switch (e.kind) {
    case 'and':
    case 'or': {
      const l = translate(e.left, negate, ctx, inLambda);
      const r = translate(e.right, negate, ctx, inLambda);
      // De Morgan: under negation `and` becomes `or` and vice versa.
      return (e.kind === 'and') !== negate ? and(l, r) : or(l, r);
    }
    case 'not':
      return translate(e.expr, !negate, ctx, inLambda);
    case 'cmp':
      return comparison(e.field, scalar(e.field), e.op, e.value, negate, ctx);
    case 'in':
      return membership(e.field, scalar(e.field), e.values, negate, ctx);
    case 'fn':
      return textFunction(e.field, scalar(e.field), e.name, e.value, negate, ctx);
    case 'any': {
      if (inLambda) throw errors.odata('Nested any() is not supported');
      if (fieldOf(e.field).kind !== 'tags') throw errors.odata(`any() needs a collection property; '${e.field}' is not one`);
      return anyTag(e.predicate, negate, ctx);
    }
  }
}

/** The WHERE condition for a Machines $filter. Throws ODataError for fields or literals it cannot evaluate. */
export function deviceFilterSql(filter: FilterExpr, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  return translate(filter, false, ctx, false);
}

/** The condition "one of the device's tags is exactly `tag`" or, with startsWith, "starts with it, ignoring case". */
export function deviceTagFilterSql(tag: string, startsWith: boolean, ctx: DeviceQueryContext): RawBuilder<SqlBool> {
  const predicate: FilterExpr = startsWith
    ? { kind: 'fn', name: 'startswith', field: '$it', value: tag }
    : { kind: 'cmp', op: 'eq', field: '$it', value: tag };
  return anyTag(predicate, false, ctx);
}

/** One ORDER BY item: expression, direction, and where nulls go when the column is nullable. */
export interface DeviceOrderTerm {
  expr: RawBuilder<unknown>;
  dir: 'asc' | 'desc';
  /** Set only for nullable expressions: nulls sort as the smallest value in both dialects. */
  nulls?: 'first' | 'last';
}

/**
 * The ORDER BY of a device list: the requested keys (default lastSeen desc), always followed by
 * `id asc` unless id is already a key, so paging is deterministic.
 */
export function deviceOrderTerms(orderBy: readonly OrderBy[], ctx: DeviceQueryContext): DeviceOrderTerm[] {
  const keys: readonly OrderBy[] = orderBy.length ? orderBy : [{ field: 'lastSeen', dir: 'desc' }];
  const terms: DeviceOrderTerm[] = [];
  let hasId = false;
  for (const k of keys) {
    const f = scalarOf(k.field);
    if (f === FIELDS.id) hasId = true;
    const base = f.expr(ctx);
    const term: DeviceOrderTerm = { expr: f.foldCase ? sql`lower(${base})` : base, dir: k.dir };
    if (f.nullable) term.nulls = k.dir === 'asc' ? 'first' : 'last';
    terms.push(term);
  }
  if (!hasId) terms.push({ expr: sql.ref('devices.id'), dir: 'asc' });
  return terms;
}
