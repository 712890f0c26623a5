/**
 * Turns the OData system query options of an MDE list request ($filter, $top, $skip, $count,
 * $orderby, $expand, $select, $format) into a validated domain {@link ListQuery}.
 */
import { PalisadeError } from '../domain/errors.ts';
import type { EntitySetSpec, FieldSpec, ListQuery, OrderBy } from '../domain/list-query.ts';
import { parseFilter } from './filter-parser.ts';

/**
 * The query string of a list request, as the HTTP layer decoded it. Values are strings (an array
 * when a key was repeated). Keys that do not start with `$` belong to the route and are ignored.
 */
export interface ListQueryParams {
  $filter?: unknown;
  $top?: unknown;
  $skip?: unknown;
  $count?: unknown;
  $orderby?: unknown;
  $expand?: unknown;
  $select?: unknown;
  $format?: unknown;
  [key: string]: unknown;
}

const KNOWN_OPTIONS = ['$filter', '$top', '$skip', '$count', '$orderby', '$expand', '$select', '$format'] as const;
type KnownOption = (typeof KNOWN_OPTIONS)[number];

/**
 * Parses and validates the OData options of a list request against an entity set.
 * - `$filter`: see {@link parseFilter}; empty or blank means no filter.
 * - `$top`: integer 0…set.maxTop, default set.defaultTop. `$skip`: integer ≥ 0, default 0.
 * - `$count`: true/false (any case), default false.
 * - `$orderby`: `field [asc|desc]`, comma-separated; fields from the set, names canonicalised.
 * - `$expand`/`$select`: comma-separated names, returned as sent for the route to apply.
 * - `$format`: json only. Any other `$`-option, or an option given twice, is rejected.
 * Option names are matched case-insensitively. Every failure is PalisadeError('ODataError', 400)
 * whose message names the option, the bad value and what is allowed.
 */
export function parseListQuery(params: ListQueryParams, set: EntitySetSpec): ListQuery {
  const opts = collectOptions(params);
  const query: ListQuery = {
    top: parseBoundedInt(opts.$top, '$top', 0, set.maxTop) ?? set.defaultTop,
    skip: parseBoundedInt(opts.$skip, '$skip', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    count: parseCount(opts.$count),
    orderBy: opts.$orderby === undefined ? [] : parseOrderBy(opts.$orderby, set),
  };
  if (opts.$filter !== undefined && opts.$filter.trim() !== '') query.filter = parseFilter(opts.$filter, set);
  if (opts.$expand !== undefined) query.expand = parseNameList(opts.$expand, '$expand');
  if (opts.$select !== undefined) query.select = parseNameList(opts.$select, '$select', true);
  if (opts.$format !== undefined) checkFormat(opts.$format);
  return query;
}

/**
 * The `$select` option of a single-entity request (name matched case-insensitively; other options
 * are not read): the names as sent, or undefined when absent. A malformed list is an ODataError.
 */
export function parseSelectOption(params: ListQueryParams): string[] | undefined {
  const keys = Object.keys(params).filter((k) => k.toLowerCase() === '$select' && params[k] !== undefined);
  if (keys.length === 0) return undefined;
  const raw = params[keys[0]!];
  if (keys.length > 1 || (Array.isArray(raw) && raw.length > 1)) throw new PalisadeError('ODataError', "The query option '$select' was specified more than once");
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') throw new PalisadeError('ODataError', "The query option '$select' must be a string");
  return parseNameList(value, '$select', true);
}

function collectOptions(params: ListQueryParams): Partial<Record<KnownOption, string>> {
  const out: Partial<Record<KnownOption, string>> = {};
  for (const [rawKey, rawValue] of Object.entries(params)) {
    if (!rawKey.startsWith('$') || rawValue === undefined) continue;
    const key = rawKey.toLowerCase() as KnownOption;
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new PalisadeError('ODataError', `The query parameter '${rawKey}' is not supported. Supported options: ${KNOWN_OPTIONS.join(', ')}`);
    }
    if (out[key] !== undefined || (Array.isArray(rawValue) && rawValue.length > 1)) {
      throw new PalisadeError('ODataError', `The query option '${key}' was specified more than once`);
    }
    const value = Array.isArray(rawValue) ? rawValue[0] : rawValue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      out[key] = String(value);
    } else if (typeof value === 'string') {
      out[key] = value;
    } else {
      throw new PalisadeError('ODataError', `The query option '${key}' must be a string`);
    }
  }
  return out;
}

function parseBoundedInt(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const range = max === Number.MAX_SAFE_INTEGER ? `a non-negative integer` : `between ${min} and ${max}`;
  if (!/^[+-]?\d+$/.test(text)) throw new PalisadeError('ODataError', `Invalid ${name} value '${raw}': must be an integer ${range}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new PalisadeError('ODataError', `Invalid ${name} value '${raw}': must be ${range}`);
  }
  return n;
}

function parseCount(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new PalisadeError('ODataError', `Invalid $count value '${raw}': must be true or false`);
}

function parseOrderBy(raw: string, set: EntitySetSpec): OrderBy[] {
  const byName = new Map<string, FieldSpec>(set.fields.map((f) => [f.name.toLowerCase(), f]));
  const items = raw.split(',');
  const out: OrderBy[] = [];
  for (const item of items) {
    const parts = item.trim().split(/[\s+]+/).filter((p) => p !== '');
    if (parts.length === 0) throw new PalisadeError('ODataError', `Invalid $orderby '${raw}': an item is empty`);
    if (parts.length > 2) throw new PalisadeError('ODataError', `Invalid $orderby item '${item.trim()}': expected 'property [asc|desc]'`);
    const [name, dirRaw] = parts as [string, string | undefined];
    const field = byName.get(name.toLowerCase());
    if (!field) {
      throw new PalisadeError(
        'ODataError',
        `Could not find a property named '${name}' on ${set.name} to order by. Sortable properties: ${set.fields
          .filter(isSortable)
          .map((f) => f.name)
          .join(', ')}`,
      );
    }
    if (field.type === 'stringCollection') throw new PalisadeError('ODataError', `Cannot order by the collection property '${field.name}'`);
    if (!isSortable(field)) throw new PalisadeError('ODataError', `Property '${field.name}' of ${set.name} cannot be used in $orderby`);
    const dir = (dirRaw ?? 'asc').toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') {
      throw new PalisadeError('ODataError', `Invalid $orderby direction '${dirRaw}' for '${field.name}': must be asc or desc`);
    }
    if (out.some((o) => o.field === field.name)) throw new PalisadeError('ODataError', `Property '${field.name}' appears more than once in $orderby`);
    out.push({ field: field.name, dir });
  }
  return out;
}

/** A field is sortable unless it is a collection or its declaration says otherwise. */
function isSortable(f: FieldSpec): boolean {
  return f.type !== 'stringCollection' && f.sortable !== false;
}

function parseNameList(raw: string, option: string, allowStar = false): string[] {
  const items = raw.split(',').map((s) => s.trim());
  for (const item of items) {
    const ok = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/.test(item) || (allowStar && item === '*');
    if (!ok) {
      throw new PalisadeError('ODataError', `Invalid ${option} item '${item}' in '${raw}': expected comma-separated property names`);
    }
  }
  return items;
}

function checkFormat(raw: string): void {
  const v = raw.trim().toLowerCase();
  if (v === 'json' || v.startsWith('application/json')) return;
  throw new PalisadeError('ODataError', `Unsupported $format '${raw}': only json is available`);
}
