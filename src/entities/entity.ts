/**
 * `defineEntity`: checks an entity declaration (declaration.ts) and derives from it what the API
 * needs — the OData entity set, the TypeBox response schemas, the JSON mapping with `$select`, and
 * the `@odata.context` fragment. The state store reads the same declaration's storage
 * (store/state/entity-rows.ts, store/state/list-query-sql.ts).
 */
import type { TSchema } from '@sinclair/typebox';
import { errors } from '../domain/errors.ts';
import type { EntitySetSpec, FieldSpec } from '../domain/list-query.ts';
import type { ColumnStorage, EntityDecl, PropertyDecl, PropType } from './declaration.ts';
import { entityJson, type Expansion, type Selection } from './json-mapping.ts';
import { responseSchemasOf } from './response-schema.ts';

export type { Expansion, Selection } from './json-mapping.ts';

/** An entity with everything derived from its declaration. */
export interface Entity<R> {
  readonly decl: EntityDecl<R>;
  /** The `$filter`/`$orderby` surface: filterable properties with type, enum values, operators, sortability. */
  readonly set: EntitySetSpec;
  /** Response schemas: one entity (`item`), one with `@odata.context` (`entity`), a page (`collection`). */
  readonly schemas: { item: TSchema; entity: TSchema; collection: TSchema };
  /**
   * Checks a `$select` list (names as sent, matched case-insensitively) and returns the canonical
   * property names in declaration order; null when everything is selected (no list, or `*`).
   * An unknown or nested name is an ODataError.
   */
  selection(select: readonly string[] | undefined): Selection | null;
  /**
   * Checks a `$expand` list (names matched case-insensitively) against the expandable properties;
   * an unknown name is an ODataError. Empty when nothing is expanded.
   */
  expansion(expand: readonly string[] | undefined): Expansion;
  /**
   * The record as the API shows it; `now` fixes derived values; only the selected properties when
   * given; expandable properties filled only when expanded.
   */
  json(record: R, now: Date, selection?: Selection | null, expansion?: Expansion | null): Record<string, unknown>;
  /** The `@odata.context` fragment naming the set and, when projected, the selection: `Machines(id,computerDnsName)`. */
  context(selection?: Selection | null): string;
}

/** Checks the declaration (throwing on a mistake, so a bad declaration fails at load) and derives the entity. */
export function defineEntity<R>(decl: EntityDecl<R>): Entity<R> {
  checkDeclaration(decl);
  const set: EntitySetSpec = {
    name: decl.set,
    maxTop: decl.maxTop,
    defaultTop: decl.defaultTop,
    fields: decl.properties.filter((p) => p.filter).map((p) => fieldSpecOf(p)),
  };
  const byLowerName = new Map(decl.properties.map((p) => [p.name.toLowerCase(), p.name]));
  const order = new Map(decl.properties.map((p, i) => [p.name, i]));
  return {
    decl,
    set,
    schemas: responseSchemasOf(decl),
    selection(select) {
      if (!select || select.includes('*')) return null;
      const names = new Set<string>();
      for (const item of select) {
        if (item.includes('/')) throw errors.odata(`Selecting a nested property ('${item}') is not supported; select '${item.split('/')[0]}' instead`);
        const name = byLowerName.get(item.toLowerCase());
        if (!name) {
          throw errors.odata(`Could not find a property named '${item}' on ${decl.set} to select. Properties: ${decl.properties.map((p) => p.name).join(', ')}`);
        }
        names.add(name);
      }
      return [...names].sort((a, b) => order.get(a)! - order.get(b)!);
    },
    expansion(expand) {
      const out = new Set<string>();
      for (const item of expand ?? []) {
        const name = byLowerName.get(item.trim().toLowerCase());
        const p = name ? decl.properties.find((x) => x.name === name) : undefined;
        if (!p?.expand) {
          const can = decl.properties.filter((x) => x.expand).map((x) => x.name);
          throw errors.odata(`Could not find a navigation property named '${item}' on ${decl.set} to expand${can.length ? `. Expandable: ${can.join(', ')}` : ''}`);
        }
        out.add(p.name);
      }
      return out;
    },
    json: (record, now, selection, expansion) => entityJson(decl, record, now, selection ?? null, expansion ?? null),
    context: (selection) => (selection ? `${decl.set}(${selection.join(',')})` : decl.set),
  };
}

/** The record field a property reads, or null for constants and derivations. */
function sourceFieldOf<R>(p: PropertyDecl<R>): (keyof R & string) | null {
  if (p.constant !== undefined || p.stale || p.members) return null;
  return p.field ?? (p.name as keyof R & string);
}

/** The FieldSpec of a filterable property. */
function fieldSpecOf<R>(p: PropertyDecl<R>): FieldSpec {
  const spec: FieldSpec = { name: p.name, type: 'string' };
  const t = p.type;
  if (t === 'integer' || t === 'number') spec.type = 'number';
  else if (t === 'boolean' || t === 'datetime') spec.type = t;
  else if (typeof t === 'object' && 'enum' in t) spec.enumValues = t.enum;
  else if (typeof t === 'object' && 'list' in t) spec.type = 'stringCollection';
  const f = p.filter === true ? {} : p.filter ?? {};
  if (f.operators) spec.operators = f.operators;
  if (f.sortable === false) spec.sortable = false;
  return spec;
}

const isColumn = (s: unknown): s is ColumnStorage => typeof s === 'object' && s !== null && 'column' in s;

/** The codec a filterable property's type needs in its column. */
function codecFor(t: PropType): ColumnStorage['codec'] | 'collection' | null {
  if (t === 'string' || (typeof t === 'object' && 'enum' in t)) return 'text';
  if (t === 'datetime') return 'instant';
  if (t === 'integer' || t === 'number') return 'integer';
  if (t === 'boolean') return 'boolean';
  if (typeof t === 'object' && 'list' in t && t.list === 'string') return 'collection';
  return null;
}

function checkDeclaration<R>(decl: EntityDecl<R>): void {
  const fail = (msg: string): never => {
    throw new Error(`entity ${decl.set}: ${msg}`);
  };
  const storage = decl.storage as Record<string, unknown>;
  const seen = new Set<string>();
  for (const p of decl.properties) {
    if (seen.has(p.name.toLowerCase())) fail(`property ${p.name} is declared twice`);
    seen.add(p.name.toLowerCase());
    const sources = [p.field !== undefined, p.constant !== undefined, p.stale !== undefined].filter(Boolean).length;
    if (sources > 1) fail(`property ${p.name} has more than one value source`);
    const field = sourceFieldOf(p);
    if (field !== null && !Object.hasOwn(storage, field)) fail(`property ${p.name} reads ${field}, which the record does not store`);
    if (p.expand && (typeof p.type !== 'object' || !('list' in p.type) || p.filter)) fail(`expandable property ${p.name} must be an unfiltered list`);
    if (p.members) {
      if (sources > 0 || p.filter) fail(`property ${p.name} is assembled from members and can have no other value source or filter`);
      const declared = typeof p.type === 'object' && 'object' in p.type ? p.type.object.map((m) => m.name) : null;
      if (!declared) fail(`property ${p.name} has members but is not an object`);
      for (const [m, f] of Object.entries(p.members)) {
        if (!declared!.includes(m)) fail(`property ${p.name}: member ${m} is not declared in its type`);
        if (!Object.hasOwn(storage, f)) fail(`property ${p.name}: member ${m} reads ${f}, which the record does not store`);
      }
    }
    if (p.stale) {
      const since = storage[p.stale.since];
      const otherwise = storage[p.stale.otherwise];
      if (!isColumn(since) || since.codec !== 'instant' || since.nullable) fail(`property ${p.name}: ${p.stale.since} must be a non-null instant column`);
      if (!isColumn(otherwise) || otherwise.codec !== 'text' || otherwise.nullable) fail(`property ${p.name}: ${p.stale.otherwise} must be a non-null text column`);
    }
    if (!p.filter) continue;
    if (p.constant !== undefined) fail(`property ${p.name} is a constant and cannot be filterable`);
    const want = codecFor(p.type);
    if (want === null) fail(`property ${p.name} has a type that cannot be filtered`);
    if (p.stale) {
      if (want !== 'text') fail(`derived property ${p.name} must be a string to be filtered`);
      continue;
    }
    const s = storage[field!];
    if (typeof s === 'object' && s !== null && 'loaded' in s) fail(`property ${p.name} is loaded from ${String((s as { loaded: string }).loaded)} and cannot be filtered`);
    const have = isColumn(s) ? s.codec : 'collection';
    if (have !== want) fail(`property ${p.name} is ${JSON.stringify(p.type)} but ${field} is stored as ${have}`);
  }
  const key = storage[decl.key];
  if (!isColumn(key) || key.nullable) fail(`key ${decl.key} must be a non-null column`);
  for (const o of decl.defaultOrder) {
    const p = decl.properties.find((x) => x.name === o.field);
    if (!p?.filter || (p.filter !== true && p.filter.sortable === false)) fail(`default order ${o.field} is not a sortable property`);
  }
  if (decl.defaultTop > decl.maxTop) fail('defaultTop exceeds maxTop');
}
