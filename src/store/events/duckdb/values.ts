/**
 * Conversion of DuckDB result values to JSON-friendly JavaScript, the shape hunting results are
 * returned in: TIMESTAMP and TIMESTAMP_NS → ISO-8601 string with Z (to the 100 ns tick), BIGINT →
 * number when safe else decimal string, JSON → parsed value, DECIMAL → number, LIST/ARRAY → array,
 * STRUCT/MAP → object, INTERVAL → Kusto timespan text, UUID → string, BLOB → base64. The declared KQL
 * type of an output column refines the conversion: `datetime` BIGINT ticks (the KQL engine's
 * datetimes) print as datetime text, `timespan` BIGINT ticks as timespan text, `dynamic` VARCHAR text
 * holding JSON is parsed.
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUUIDValue,
} from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { EPOCH_TICKS, formatDatetimeMicros } from '../../../schema/datetime.ts';
import { TICKS_PER_SECOND, formatTimespanTicks } from '../../../schema/timespan.ts';

/** Values a hunting result cell can hold after conversion. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint as a number when it is exactly representable, else as its decimal string. */
export function bigintToJson(v: bigint): number | string {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
}

function parseJsonText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function isJsonType(type: DuckDBType | undefined): boolean {
  return type?.alias === 'JSON';
}

function childType(type: DuckDBType | undefined): DuckDBType | undefined {
  if (!type) return undefined;
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) return type.valueType;
  return undefined;
}

/** Converts one DuckDB value (with its column type, when known) to a JSON-friendly value. */
export function duckDbValueToJson(v: DuckDBValue, type?: DuckDBType): JsonValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return isJsonType(type) ? parseJsonText(v) : v;
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return bigintToJson(v);
  }
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) {
    return v.isFinite ? formatDatetimeMicros(v.micros) : v.toString();
  }
  if (v instanceof DuckDBTimestampMillisecondsValue) return formatDatetimeMicros(v.millis * 1000n);
  if (v instanceof DuckDBTimestampSecondsValue) return formatDatetimeMicros(v.seconds * 1_000_000n);
  // to the 100 ns tick (the Timestamp column's precision)
  if (v instanceof DuckDBTimestampNanosecondsValue) return formatTicksFast(v.nanos / 100n + EPOCH_TICKS);
  if (v instanceof DuckDBDateValue) return v.isFinite ? formatDatetimeMicros(BigInt(v.days) * 86_400_000_000n) : v.toString();
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  if (v instanceof DuckDBIntervalValue) {
    // Months have no fixed length; count them as 30 days, as DuckDB's epoch() does.
    const days = BigInt(v.months) * 30n + BigInt(v.days);
    return formatTimespanTicks(days * 86_400n * TICKS_PER_SECOND + v.micros * 10n);
  }
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) {
    const ct = childType(type);
    return v.items.map((x) => duckDbValueToJson(x, ct));
  }
  if (v instanceof DuckDBStructValue) {
    const names = type?.typeId === DuckDBTypeId.STRUCT ? type.entryNames : [];
    const types = type?.typeId === DuckDBTypeId.STRUCT ? type.entryTypes : [];
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v.entries)) {
      const i = names.indexOf(k);
      out[k] = duckDbValueToJson(x, i >= 0 ? types[i] : undefined);
    }
    return out;
  }
  if (v instanceof DuckDBMapValue) {
    const vt = type?.typeId === DuckDBTypeId.MAP ? type.valueType : undefined;
    const out: Record<string, JsonValue> = {};
    for (const e of v.entries) {
      const k = duckDbValueToJson(e.key);
      out[typeof k === 'string' ? k : JSON.stringify(k)] = duckDbValueToJson(e.value, vt);
    }
    return out;
  }
  if (v instanceof DuckDBUUIDValue) return v.toString();
  if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('base64');
  return String(v);
}

/**
 * Converts a cell using the KQL type the compiler declared for its column: `timespan` BIGINT ticks →
 * timespan text; `datetime` BIGINT ticks → datetime text; `dynamic` text that holds JSON → parsed; otherwise as duckDbValueToJson.
 */
export function cellToJson(v: DuckDBValue, type: DuckDBType | undefined, kqlType: string | undefined): JsonValue {
  if (v === null || v === undefined) return null;
  if (kqlType === 'timespan' && (typeof v === 'bigint' || typeof v === 'number')) {
    return formatTimespanTicks(BigInt(v));
  }
  if (kqlType === 'datetime' && (typeof v === 'bigint' || typeof v === 'number')) return formatTicksFast(BigInt(v));
  if (kqlType === 'dynamic' && typeof v === 'string') {
    const t = v.trimStart();
    if (t.startsWith('{') || t.startsWith('[')) return parseJsonText(v);
  }
  return duckDbValueToJson(v, type);
}

/** The KQL type name a DuckDB result column most naturally has, for columns the compiler did not declare. */
export function kqlTypeOf(type: DuckDBType): string {
  if (isJsonType(type)) return 'dynamic';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'long';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'real';
    case DuckDBTypeId.DECIMAL:
      return 'decimal';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.DATE:
      return 'datetime';
    case DuckDBTypeId.INTERVAL:
      return 'timespan';
    case DuckDBTypeId.UUID:
      return 'guid';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return 'dynamic';
    default:
      return 'string';
  }
}

const MAX_EXACT_MICROS = 2 ** 53;

/**
 * formatDatetimeMicros for the common case without bigint arithmetic: micros within ±2^53 (years
 * 1685–2255) print through Date; anything else falls back to the exact bigint path.
 */
export function formatMicrosFast(micros: bigint): string {
  const n = Number(micros);
  if (n <= -MAX_EXACT_MICROS || n >= MAX_EXACT_MICROS) return formatDatetimeMicros(micros);
  const ms = Math.floor(n / 1000);
  const sub = n - ms * 1000;
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) return formatDatetimeMicros(micros);
  let frac = iso.slice(20, 23) + (sub < 10 ? `00${sub}` : sub < 100 ? `0${sub}` : String(sub));
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end -= 1;
  frac = frac.slice(0, end);
  return end === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${frac}Z`;
}

/**
 * A KQL datetime as the engine computes it (ticks since 0001-01-01) printed like stored times: ISO-8601
 * UTC with `Z`, fraction trimmed, to the tick.
 */
export function formatTicksFast(ticks: bigint): string {
  const micros = ticks / 10n - EPOCH_MICROS;
  const tick = Number(ticks % 10n);
  const text = formatMicrosFast(micros);
  if (tick === 0) return text;
  const fraction = Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  return `${text.slice(0, 19)}.${String(fraction).padStart(6, '0')}${tick}Z`;
}

const EPOCH_MICROS = EPOCH_TICKS / 10n;

/** A converter of one result column's cells. */
export type CellConverter = (v: DuckDBValue) => JsonValue;

/**
 * The converter of a result column, chosen once per column from its DuckDB type and declared KQL
 * type: the same results as {@link cellToJson}, without re-deciding the type for every cell.
 */
export function cellConverter(type: DuckDBType, kqlType: string | undefined): CellConverter {
  const json = isJsonType(type);
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      if (json || kqlType === 'dynamic') return (v) => cellToJson(v, type, kqlType);
      return (v) => (v === null || v === undefined ? null : (v as string));
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return (v) => (v === null || v === undefined ? null : (v as number | boolean));
    case DuckDBTypeId.BIGINT:
      if (kqlType === 'timespan' || kqlType === 'datetime') return (v) => cellToJson(v, type, kqlType);
      return (v) => (v === null || v === undefined ? null : bigintToJson(v as bigint));
    case DuckDBTypeId.TIMESTAMP:
      return (v) => {
        if (v === null || v === undefined) return null;
        const t = v as DuckDBTimestampValue;
        return t.isFinite ? formatMicrosFast(t.micros) : t.toString();
      };
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => (v === null || v === undefined ? null : formatTicksFast((v as DuckDBTimestampNanosecondsValue).nanos / 100n + EPOCH_TICKS));
    default:
      return (v) => cellToJson(v, type, kqlType);
  }
}
