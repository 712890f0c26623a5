/**
 * The JSON mapping of an entity declaration: a record as the MDE API shows it — every declared
 * property present, in declaration order (null when there is no value), datetimes in MDE's
 * rendering, nested objects reduced to their declared members in their declared order.
 */
import type { EntityDecl, PropertyDecl, PropType, StaleDerivation } from './declaration.ts';
import { mdeDateTime } from './mde-datetime.ts';

/** Canonical names of the properties a `$select` keeps, in declaration order. */
export type Selection = readonly string[];

/** The value of a stale-derived property for a record at `now` (see StaleDerivation). */
export function staleValue<R>(d: StaleDerivation<R>, record: R, now: Date): unknown {
  const since = Date.parse(record[d.since] as string);
  return now.getTime() - since > d.afterMs ? d.value : record[d.otherwise];
}

/** A property's value for a record, before JSON conversion. */
function rawValue<R>(p: PropertyDecl<R>, record: R, now: Date): unknown {
  if (p.constant !== undefined) return p.constant;
  if (p.stale) return staleValue(p.stale, record, now);
  if (p.members) return Object.fromEntries(Object.entries(p.members).map(([m, f]) => [m, record[f as keyof R]]));
  return record[(p.field ?? p.name) as keyof R];
}

/** Converts a value to JSON by its declared type. */
function toJson(type: PropType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (type === 'datetime') return mdeDateTime(v as string);
  if (typeof type === 'object' && 'list' in type) return (v as unknown[]).map((x) => toJson(type.list, x));
  if (typeof type === 'object' && 'object' in type) {
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const m of type.object) out[m.name] = toJson(m.type, src[m.name]);
    return out;
  }
  return v;
}

/** Canonical names of the expandable properties a `$expand` asks for. */
export type Expansion = ReadonlySet<string>;

/**
 * The record as JSON: all properties, or only those of `selection`; an expandable property not in
 * `expansion` is an empty list.
 */
export function entityJson<R>(decl: EntityDecl<R>, record: R, now: Date, selection: Selection | null, expansion: Expansion | null = null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of decl.properties) {
    if (selection && !selection.includes(p.name)) continue;
    if (p.expand && !expansion?.has(p.name)) {
      out[p.name] = [];
      continue;
    }
    out[p.name] = toJson(p.type, rawValue(p, record, now));
  }
  return out;
}
