/**
 * Converts raw query result values into what MDE's advanced-hunting API returns per KQL type, and
 * KQL types into the .NET type names of the API's Schema. Accepts the value shapes an event store
 * may hand back (the engine's datetime ticks, JS primitives, bigint, Date, DuckDB timestamp objects,
 * ISO strings). `dynamic` values arrive decoded (QueryResult.rows): a string there is a string value,
 * never JSON text to parse again.
 */
import { formatTimespanTicks as formatTimespanExact } from '../schema/timespan.ts';
import { formatTimespanTicks } from './bind/literal.ts';
import { EPOCH_TICKS, formatDatetimeTicks, inDatetimeRange, parseDatetimeTicks, parseTimespanText } from './parse/literals.ts';
import { DOTNET_TYPE_NAMES, type KqlType } from './types.ts';

/** The .NET type name MDE reports for a KQL type (unknown types report Object). */
export function dotnetTypeName(type: string): string {
  return DOTNET_TYPE_NAMES[type as KqlType] ?? 'Object';
}

/**
 * Ticks since 0001-01-01 of a datetime value as a store hands it back: the engine's ticks (bigint,
 * number or digits), a JS Date, a DuckDB timestamp object (microseconds) or datetime text.
 */
function ticks(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : null;
  if (v instanceof Date) return BigInt(v.getTime()) * 10_000n + EPOCH_TICKS;
  if (typeof v === 'string') return /^\d{9,19}$/.test(v) ? BigInt(v) : parseDatetimeTicks(v) ?? null;
  if (v && typeof v === 'object' && 'micros' in v) return (v as { micros: bigint }).micros * 10n + EPOCH_TICKS;
  return null;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/**
 * An integer beyond 2^53 as a bigint, so it stays exact (a number would round it); undefined for any
 * value a number holds exactly.
 */
function exactInteger(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? undefined : v;
  if (typeof v === 'string' && /^-?\d{16,}$/.test(v) && !Number.isSafeInteger(Number(v))) return BigInt(v);
  return undefined;
}

/**
 * One value as MDE returns it for its KQL type: datetime → ISO-8601 UTC with 7 fractional digits
 * and 'Z'; timespan → `[d.]hh:mm:ss[.fffffff]`; dynamic → the JSON value; long/int/real → number
 * (a long beyond 2^53 → bigint, exact; the API prints it as JSON number text);
 * bool → boolean; string → string ('' for null); guid → string.
 */
export function formatValue(v: unknown, type: string): unknown {
  if (v === undefined) v = null;
  switch (type) {
    case 'string':
      return v === null ? '' : typeof v === 'string' ? v : String(v);
    case 'guid':
      return v === null ? null : String(v);
    case 'long': case 'int': case 'real': case 'decimal': {
      if (v === null) return null;
      if (type === 'long' || type === 'int') {
        const exact = exactInteger(v);
        if (exact !== undefined) return exact;
      }
      const n = toNumber(v);
      if (n === null) return null;
      if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
      return n;
    }
    case 'bool':
      if (v === null) return null;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') return v.toLowerCase() === 'true' || v === '1';
      return Boolean(toNumber(v));
    case 'datetime': {
      if (v === null) return null;
      if (typeof v === 'string') {
        const fixed = canonicalDatetime7(v);
        if (fixed !== undefined) return fixed;
      }
      const t = ticks(v);
      return t === null || !inDatetimeRange(t) ? null : formatDatetimeTicks(t);
    }
    case 'timespan': {
      if (v === null) return null;
      // every tick, beyond 2^53 too: bigints and canonical text as they are exact
      if (typeof v === 'bigint') return formatTimespanExact(v);
      if (typeof v === 'string') {
        if (CANONICAL_TIMESPAN.test(v)) return v;
        const t = parseTimespanText(v);
        return t === undefined ? v : formatTimespanTicks(t);
      }
      const n = toNumber(v);
      return n === null ? null : formatTimespanTicks(n);
    }
    case 'dynamic':
      if (v === null) return null;
      return typeof v === 'bigint' ? Number(v) : v;
    default:
      return typeof v === 'bigint' ? Number(v) : v;
  }
}

/** Timespan text as the hunting API prints it (`[-][d.]hh:mm:ss[.fffffff]`). */
const CANONICAL_TIMESPAN = /^-?(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{7})?$/;

/**
 * A UTC datetime text already in canonical form (`yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z`, as event stores
 * print them) with its fraction padded to 7 digits; undefined for any other text.
 */
function canonicalDatetime7(v: string): string | undefined {
  const n = v.length;
  if (n < 20 || n > 28 || v.charCodeAt(n - 1) !== 90 /* Z */ || v.charCodeAt(10) !== 84 /* T */) return undefined;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (n === 20) return `${v.slice(0, 19)}.0000000Z`;
  if (v.charCodeAt(19) !== 46 /* . */ || n === 21) return undefined;
  for (let i = 20; i < n - 1; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return `${v.slice(0, n - 1)}${'0000000'.slice(n - 21)}Z`;
}

/** Formats a whole result: Schema with .NET names, and one object per row keyed by column name. */
export function formatResults(columns: { name: string; type: string }[], rows: unknown[][]): { schema: { Name: string; Type: string }[]; results: Record<string, unknown>[] } {
  const schema = columns.map((c) => ({ Name: c.name, Type: dotnetTypeName(c.type) }));
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  const width = columns.length;
  const results = new Array<Record<string, unknown>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const o: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) o[names[i]] = formatValue(row[i], types[i]);
    results[r] = o;
  }
  return { schema, results };
}

/** Alias of formatResults with the name the hunting service wiring uses. */
export const formatResult = formatResults;
