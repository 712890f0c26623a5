/**
 * Reusable DuckDB SQL fragments with KQL semantics: text form of each type (tostring), dynamic
 * (JSON) form of each type, term-boundary regular expressions for `has`, IPv4 parsing and
 * datetime ↔ tick arithmetic. Each takes IR expressions and a printer and returns SQL text.
 */
import { ir, type Expr, type LitValue } from '../../ir/ir.ts';
import { convertTo } from '../../ir/convert.ts';
import { isInteger, type KqlType } from '../../types.ts';
import type { ExprPrinter } from '../dialect.ts';

/** Ticks between 0001-01-01 and the Unix epoch. */
export const EPOCH_TICKS = '621355968000000000';
/** Microseconds between 0001-01-01 and the Unix epoch. */
const EPOCH_MICROS = '62135596800000000';
/** The last tick of KQL's datetime range (9999-12-31 23:59:59.9999999). */
export const MAX_TICKS = '3155378975999999999';

/** The value of a literal expression, or undefined when not a literal. */
export function litValue(e: Expr): LitValue | undefined {
  return e.k === 'lit' ? e.value : undefined;
}

/** A string literal's value, or undefined. */
export function litString(e: Expr): string | undefined {
  return e.k === 'lit' && typeof e.value === 'string' ? e.value : undefined;
}

/** A numeric literal's value, or undefined. */
export function litNumber(e: Expr): number | undefined {
  if (e.k !== 'lit') return undefined;
  if (typeof e.value === 'number') return e.value;
  if (typeof e.value === 'bigint') return Number(e.value);
  return undefined;
}

/** SQL of `e` converted to `t` by KQL rules. */
export function as(p: ExprPrinter, e: Expr, t: KqlType): string {
  return p.expr(convertTo(e, t));
}

/** The round-trip text of a datetime (`yyyy-MM-ddTHH:mm:ss.fffffffZ`, every tick), as dynamic values hold them. */
export function datetimeText7(x: string): string {
  // the microseconds as strftime prints them, then the tick within the microsecond as one character
  // (as fast per row as strftime alone; text arithmetic on the whole fraction costs a third more)
  return `(strftime(${timestampOf(x)}, '%Y-%m-%dT%H:%M:%S.%f') || chr(CAST(48 + ${x} % 10 AS INTEGER)) || 'Z')`;
}

/** KQL's text for a timespan held as ticks: `[-][d.]hh:mm:ss[.fffffff]`. */
export function timespanText(x: string): string {
  const a = `abs(${x})`;
  const two = (v: string) => `lpad(CAST(${v} AS VARCHAR), 2, '0')`;
  return `(CASE WHEN ${x} IS NULL THEN NULL ELSE (CASE WHEN ${x} < 0 THEN '-' ELSE '' END || ` +
    `CASE WHEN ${a} >= 864000000000 THEN CAST(${a} // 864000000000 AS VARCHAR) || '.' ELSE '' END || ` +
    `${two(`(${a} // 36000000000) % 24`)} || ':' || ${two(`(${a} // 600000000) % 60`)} || ':' || ${two(`(${a} // 10000000) % 60`)} || ` +
    `CASE WHEN ${a} % 10000000 = 0 THEN '' ELSE '.' || lpad(CAST(${a} % 10000000 AS VARCHAR), 7, '0') END) END)`;
}

/** KQL's text for a real: integral values without a fraction. */
export function realText(x: string): string {
  return `(CASE WHEN isfinite(${x}) AND ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END)`;
}

/**
 * A property/index access chain on a dynamic value (`__dyn_get` calls), split into the SQL of its
 * base and the constant JSON path still to apply (`$` when nothing is pending). Constant steps
 * collapse into one path; a computed key applies the path so far and continues from there.
 */
export function dynPath(p: ExprPrinter, args: Expr[]): { sql: string; path: string } {
  const steps: Expr[] = [];
  let base: Expr = ir.call('__dyn_get', args, 'dynamic');
  while (base.k === 'call' && base.fn === '__dyn_get') {
    steps.unshift(base.args[1]);
    base = base.args[0];
  }
  let path = '$';
  let sql = p.expr(base);
  const flush = () => {
    if (path !== '$') sql = `json_extract(${sql}, ${p.param(path, 'string')})`;
    path = '$';
  };
  for (const k of steps) {
    const s = litString(k);
    const n = litNumber(k);
    if (s !== undefined) path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `."${s.replace(/"/g, '\\"')}"`;
    else if (n !== undefined) path += n < 0 ? `[#${n}]` : `[${n}]`;
    else {
      flush();
      const key = p.expr(k);
      sql = isInteger(k.type)
        ? `json_extract(${sql}, CASE WHEN ${key} < 0 THEN '$[#' || CAST(${key} AS VARCHAR) || ']' ELSE '$[' || CAST(${key} AS VARCHAR) || ']' END)`
        : `json_extract(${sql}, '$."' || replace(${toText(p, k)}, '"', '\\"') || '"')`;
    }
  }
  return { sql, path };
}

/** Property/index access on a dynamic value: JSON value at the end of the chain. */
export function dynGet(p: ExprPrinter, args: Expr[]): string {
  const { sql, path } = dynPath(p, args);
  return path === '$' ? sql : `json_extract(${sql}, ${p.param(path, 'string')})`;
}

/** tostring(): KQL text of any value; null becomes ''. */
export function toText(p: ExprPrinter, e: Expr): string {
  const x = p.expr(e);
  switch (e.type) {
    case 'string': return x;
    case 'guid': return `COALESCE(${x}, '')`;
    case 'long': case 'int': case 'decimal': return `COALESCE(CAST(${x} AS VARCHAR), '')`;
    case 'real': return `COALESCE(${realText(x)}, '')`;
    case 'bool': return `COALESCE(CAST(${x} AS VARCHAR), '')`;
    case 'datetime': return `COALESCE(${datetimeText7(x)}, '')`;
    case 'timespan': return `COALESCE(${timespanText(x)}, '')`;
    case 'dynamic': {
      // the text at a constant path is json_extract_string's result: one JSON parse instead of three
      if (e.k === 'call' && e.fn === '__dyn_get') {
        const { sql, path } = dynPath(p, e.args);
        if (path !== '$') return `COALESCE(json_extract_string(${sql}, ${p.param(path, 'string')}), '')`;
      }
      return `COALESCE(${jsonText(x)}, '')`;
    }
  }
}

/** Text of a JSON value: a JSON string's content, or the JSON text of anything else. */
export function jsonText(x: string): string {
  return `(CASE json_type(${x}) WHEN 'VARCHAR' THEN json_extract_string(${x}, '$') WHEN 'NULL' THEN NULL ELSE CAST(${x} AS VARCHAR) END)`;
}

/** A scalar wrapped as a JSON value (datetimes and timespans as their KQL text). */
export function toJson(p: ExprPrinter, e: Expr): string {
  if (e.k === 'lit' && e.value === null) return 'CAST(NULL AS JSON)';
  const x = p.expr(e);
  switch (e.type) {
    case 'dynamic': return x;
    case 'datetime': return `to_json(${datetimeText7(x)})`;
    case 'timespan': return `to_json(${timespanText(x)})`;
    case 'real': return `(CASE WHEN isfinite(${x}) THEN to_json(${x}) ELSE to_json(CAST(${x} AS VARCHAR)) END)`;
    default: return `to_json(${x})`;
  }
}

/** A JSON value as a list of JSON elements (arrays only; anything else → NULL). */
export function jsonList(x: string): string {
  // TRY_CAST yields NULL for every non-array JSON value: one parse instead of json_type's plus the cast's
  return `TRY_CAST(${x} AS JSON[])`;
}

/** A JSON array as a list of element texts (strings unquoted, other values as JSON text). */
export function textList(x: string): string {
  return `list_transform(${jsonList(x)}, v -> ${jsonText('v')})`;
}

/** A list without duplicates, keeping the first occurrence order. */
export function distinctList(l: string): string {
  // order-preserving for lists of ordinary size; very long lists use the hash-based distinct
  return `(CASE WHEN len(${l}) > 10000 THEN list_distinct(${l}) ELSE list_filter(${l}, (x, i) -> list_position(${l}, x) = i) END)`;
}

/** Escapes text for use as a literal in an RE2 pattern. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const ALNUM = /[0-9A-Za-z]/;
const BEFORE = '(?:^|[^0-9A-Za-z])';
const AFTER = '(?:[^0-9A-Za-z]|$)';

/** The KQL term-match pattern for `term` (has / hasprefix / hassuffix): boundaries where the term edge is alphanumeric. */
export function termPattern(term: string, mode: 'has' | 'prefix' | 'suffix'): string {
  const pre = mode !== 'suffix' && ALNUM.test(term[0] ?? '') ? BEFORE : '';
  const post = mode !== 'prefix' && ALNUM.test(term[term.length - 1] ?? '') ? AFTER : '';
  return `${pre}${escapeRe(term)}${post}`;
}

/** SQL building the term pattern at run time for a non-literal term. */
export function termPatternSql(t: string, mode: 'has' | 'prefix' | 'suffix'): string {
  const pre = mode !== 'suffix' ? `'${BEFORE}' || ` : '';
  const post = mode !== 'prefix' ? ` || '${AFTER}'` : '';
  return `(${pre}regexp_escape(${t})${post})`;
}

/** An IPv4 address text (optionally with /prefix) as a BIGINT, or NULL when invalid. */
export function ipv4Number(s: string): string {
  const re = `'^\\s*(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\s*(?:/\\s*\\d{1,2}\\s*)?$'`;
  const o = (i: number) => `CAST(regexp_extract(${s}, ${re}, ${i}) AS BIGINT)`;
  return `(CASE WHEN regexp_full_match(${s}, ${re}) AND ${o(1)} < 256 AND ${o(2)} < 256 AND ${o(3)} < 256 AND ${o(4)} < 256 ` +
    `THEN (${o(1)} << 24) + (${o(2)} << 16) + (${o(3)} << 8) + ${o(4)} END)`;
}

/** The prefix length written after '/' in an IPv4 text, or `dflt`. */
export function ipv4Prefix(s: string, dflt: string): string {
  return `COALESCE(TRY_CAST(NULLIF(regexp_extract(${s}, '/\\s*(\\d{1,2})\\s*$', 1), '') AS BIGINT), ${dflt})`;
}

/*
 * Datetimes are BIGINT ticks (100 ns) since 0001-01-01 in the engine's SQL, within KQL's range
 * (0 to MAX_TICKS), so ordering, arithmetic and bins are integer operations and keep every tick.
 * Calendar work (months, years, weekdays, formats, time zones) goes through a TIMESTAMP at the
 * microsecond the tick falls in, and the tick within that microsecond is added back.
 */

/** Ticks since 0001-01-01 of a TIMESTAMP (microseconds). */
export function ticksOf(ts: string): string {
  return `((epoch_us(${ts}) + ${EPOCH_MICROS}) * 10)`;
}

/** The TIMESTAMP (microseconds) a datetime in ticks falls in: its tick within the microsecond dropped. */
export function timestampOf(t: string): string {
  return `make_timestamp(${t} // 10 - ${EPOCH_MICROS})`;
}

/** A datetime in ticks, or null outside KQL's range (years 1 to 9999): never an engine error. */
export function datetimeInRange(t: string): string {
  return `(CASE WHEN ${t} BETWEEN 0 AND ${MAX_TICKS} THEN ${t} END)`;
}

/** A datetime in ticks from a TIMESTAMP computed on the calendar, null when it left KQL's range. */
export function datetimeOfTimestamp(ts: string): string {
  return `(CASE WHEN ${ts} >= TIMESTAMP '0001-01-01' AND ${ts} < TIMESTAMP '10000-01-01' THEN ${ticksOf(ts)} END)`;
}

/**
 * A call of the engine function `kql_<name>` (src/kql/runtime/functions.ts, registered by the event
 * store); `json` results are JSON text and become dynamic values.
 */
export function engineCall(name: string, args: string[], json = false): string {
  const call = `kql_${name}(${args.join(', ')})`;
  return json ? `CAST(${call} AS JSON)` : call;
}
