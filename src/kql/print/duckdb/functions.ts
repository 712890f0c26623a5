/**
 * DuckDB mappings of KQL scalar functions and operators: a data table from KQL name to a handler
 * that prints SQL with KQL semantics (case-insensitive operators, term matching for `has`,
 * strings that are never null, ticks for timespans, JSON for dynamic).
 */
import { PalisadeError } from '../../../domain/errors.ts';
import { ir, type Expr } from '../../ir/ir.ts';
import { requirePercentages } from '../../ir/percentages.ts';
import { parseTimespanText } from '../../parse/literals.ts';
import { isInteger, type KqlType } from '../../types.ts';
import type { ExprPrinter, FnHandler } from '../dialect.ts';
import { DEFAULT_FUNCTIONS } from '../default-functions.ts';
import {
  as, datetimeInRange, datetimeOfTimestamp, datetimeText7, distinctList, dynGet, engineCall, realText, textList, ticksOf, timespanText, ipv4Number,
  ipv4Prefix, jsonList, jsonText, litString, EPOCH_TICKS, MAX_TICKS, termPattern, termPatternSql, timestampOf, toJson, toText,
} from './sql-helpers.ts';
import { formatDatetimePattern, formatTimespanSql } from './formats.ts';
import { URL_AND_PATH_FUNCTIONS } from './url-path.ts';
import { GEO_FUNCTIONS } from './geo.ts';
import { IPV6_FUNCTIONS } from './ipv6.ts';
import { UNIT_FUNCTIONS } from './units.ts';
import { ENGINE_CALL_FUNCTIONS } from './engine-calls.ts';

type H = FnHandler;
const E = (p: ExprPrinter, e: Expr) => p.expr(e);
const txt = toText;
const bad = (msg: string): never => { throw new PalisadeError('BadRequest', msg); };

/** Lower-cases a literal in JS (still a parameter) or in SQL. */
function lowerOf(p: ExprPrinter, e: Expr): string {
  const s = litString(e);
  return s !== undefined ? p.param(s.toLowerCase(), 'string') : `lower(${txt(p, e)})`;
}

const not = (h: H): H => (p, a, c) => `(NOT ${h(p, a, c)})`;

/** has / hasprefix / hassuffix, case-insensitive unless `cs`. */
function hasOp(mode: 'has' | 'prefix' | 'suffix', cs: boolean): H {
  return (p, [a, b]) => {
    const t = litString(b);
    const flags = cs ? '' : ', \'i\'';
    if (t !== undefined) {
      if (t === '') return 'TRUE';
      const pre = cs ? `contains(${E(p, a)}, ${p.param(t, 'string')})` : `contains(lower(${E(p, a)}), ${p.param(t.toLowerCase(), 'string')})`;
      return `(${pre} AND regexp_matches(${E(p, a)}, ${p.param(termPattern(t, mode), 'string')}${flags}))`;
    }
    return `regexp_matches(${E(p, a)}, ${termPatternSql(txt(p, b), mode)}${flags})`;
  };
}

/** Splits in/has_any arguments into plain values, `__array(...)` dynamic arrays and a subquery. */
function listArgs(args: Expr[]): { values: Expr[]; arrays: Expr[]; sub: Expr | null } {
  const values: Expr[] = [];
  const arrays: Expr[] = [];
  let sub: Expr | null = null;
  for (const a of args) {
    if (a.k === 'subquery') sub = a;
    else if (a.k === 'call' && a.fn === '__array') arrays.push(a.args[0]);
    else values.push(a);
  }
  return { values, arrays, sub };
}

/** in / in~ (negated forms wrap this). */
function inOp(ci: boolean): H {
  return (p, [x, ...rest]) => {
    const { values, arrays, sub } = listArgs(rest);
    const lhs = ci ? `lower(${txt(p, x)})` : E(p, x);
    const parts: string[] = [];
    if (sub && sub.k === 'subquery') {
      const a = p.alias();
      const col = `${a}.${p.dialect.quoteIdent(sub.rel.columns[0].name)}`;
      let item = ci ? `lower(${col})` : col;
      if (sub.rel.columns[0].type === 'dynamic') {
        // a dynamic column (e.g. summarize make_set(x)) counts with its elements; a scalar counts as itself
        const t: KqlType = ci ? 'string' : x.type;
        const list = t === 'string'
          ? `COALESCE(${textList(col)}, [${jsonText(col)}])`
          : `COALESCE(TRY_CAST(${jsonList(col)} AS ${p.dialect.sqlType(t)}[]), [TRY_CAST(${jsonText(col)} AS ${p.dialect.sqlType(t)})])`;
        item = `unnest(${ci ? `list_transform(${list}, v -> lower(v))` : list})`;
      }
      parts.push(`${lhs} IN (SELECT ${item} FROM (${p.rel(sub.rel)}) AS ${a})`);
    }
    if (values.length) parts.push(`${lhs} IN (${values.map((v) => (ci ? lowerOf(p, v) : E(p, v))).join(', ')})`);
    for (const arr of arrays) {
      const t: KqlType = ci ? 'string' : x.type;
      const list = t === 'string' ? `${textList(E(p, arr))}` : `CAST(${jsonList(E(p, arr))} AS ${p.dialect.sqlType(t)}[])`;
      parts.push(ci ? `list_contains(list_transform(${list}, v -> lower(v)), ${lhs})` : `list_contains(${list}, ${lhs})`);
    }
    if (!parts.length) return 'FALSE';
    return `COALESCE(${parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`}, FALSE)`;
  };
}

/** has_any / has_all over literal terms, dynamic arrays or a subquery. */
function hasList(all: boolean): H {
  return (p, [x, ...rest]) => {
    const { values, arrays, sub } = listArgs(rest);
    const parts: string[] = [];
    const lits = values.map(litString);
    if (!all && lits.every((v) => v !== undefined) && lits.length) {
      const terms = (lits as string[]).filter((t) => t !== '');
      if (terms.length !== lits.length) parts.push('TRUE');
      if (terms.length) parts.push(`regexp_matches(${E(p, x)}, ${p.param(terms.map((t) => termPattern(t, 'has')).join('|'), 'string')}, 'i')`);
    } else {
      for (const v of values) parts.push(hasOp('has', false)(p, [x, v], ir.call('has', [x, v], 'bool')));
    }
    for (const arr of arrays) {
      const list = `${textList(E(p, arr))}`;
      const fn = all ? 'list_bool_and' : 'list_bool_or';
      parts.push(`COALESCE(${fn}(list_transform(${list}, t -> regexp_matches(${E(p, x)}, ${termPatternSql('t', 'has')}, 'i'))), ${all ? 'TRUE' : 'FALSE'})`);
    }
    if (sub && sub.k === 'subquery') {
      const a = p.alias();
      const col = `CAST(${a}.${p.dialect.quoteIdent(sub.rel.columns[0].name)} AS VARCHAR)`;
      const match = `regexp_matches(${E(p, x)}, ${termPatternSql(col, 'has')}, 'i')`;
      parts.push(all
        ? `NOT EXISTS (SELECT 1 FROM (${p.rel(sub.rel)}) AS ${a} WHERE NOT ${match})`
        : `EXISTS (SELECT 1 FROM (${p.rel(sub.rel)}) AS ${a} WHERE ${match})`);
    }
    if (!parts.length) return all ? 'TRUE' : 'FALSE';
    return `(${parts.join(all ? ' AND ' : ' OR ')})`;
  };
}

/** A string operator comparing lower-cased (unless cs) operands with a DuckDB function. */
function strFn(fn: string, cs: boolean): H {
  return (p, [a, b]) => (cs ? `${fn}(${E(p, a)}, ${E(p, b)})` : `${fn}(lower(${E(p, a)}), ${lowerOf(p, b)})`);
}

/** + - * / % with KQL typing (datetime/timespan arithmetic on ticks). */
function arith(op: string): H {
  return (p, [a, b], c) => {
    const x = E(p, a);
    const y = E(p, b);
    const ta = a.type;
    const tb = b.type;
    if (ta === 'datetime' && tb === 'datetime') return `(${x} - ${y})`;
    if (ta === 'datetime' && tb === 'timespan') return addTicks(x, op, y);
    if (ta === 'timespan' && tb === 'datetime') return addTicks(y, '+', x);
    if (ta === 'timespan' && tb === 'timespan') return op === '/' ? `(CAST(${x} AS DOUBLE) / ${y})` : `(${x} ${op} ${y})`;
    if (c.type === 'timespan') {
      if (op === '*') return `CAST(round(${x} * ${y}) AS BIGINT)`;
      return `CAST(trunc(${x} / ${y}) AS BIGINT)`;
    }
    if (op === '/' && isInteger(c.type)) return wrapInteger(`(CAST(${x} AS HUGEINT) // ${y})`, c.type);
    if (op === '%' && c.type === 'real') return `fmod(${x}, ${y})`;
    if (op === '%') return `(((${x} % ${y}) + abs(${y})) % abs(${y}))`;
    if (isInteger(c.type)) return wrapInteger(`(CAST(${x} AS HUGEINT) ${op} CAST(${y} AS HUGEINT))`, c.type);
    return `(${x} ${op} ${y})`;
  };
}

/**
 * An exact integer result (HUGEINT) brought back to the width of `t` the way two's-complement
 * arithmetic does (long: 64 bits, int: 32): `9223372036854775807 + 1` is -9223372036854775808
 * rather than an engine overflow error.
 */
function wrapInteger(h: string, t: KqlType): string {
  const [half, whole, sql] = t === 'int' ? ['2147483648', '4294967296', 'INTEGER'] : ['9223372036854775808', '18446744073709551616', 'BIGINT'];
  return `CAST((((${h} + ${half}) % ${whole}) + ${whole}) % ${whole} - ${half} AS ${sql})`;
}

/**
 * A datetime plus or minus a number of ticks: null when the result leaves KQL's range (a span too
 * large for any datetime is null before the sum could overflow).
 */
function addTicks(t: string, op: string, span: string): string {
  return `(CASE WHEN ${span} BETWEEN -${MAX_TICKS} AND ${MAX_TICKS} THEN ${datetimeInRange(`(${t} ${op} ${span})`)} END)`;
}

/** A datetime from a number of ticks since the Unix epoch (any numeric SQL); null outside KQL's range. */
function datetimeOfEpochTicks(ticks: string): string {
  const t = `TRY_CAST(${ticks} AS BIGINT)`;
  return `(CASE WHEN ${t} BETWEEN -${EPOCH_TICKS} AND ${MAX_TICKS} - ${EPOCH_TICKS} THEN ${t} + ${EPOCH_TICKS} END)`;
}

/**
 * unixtime_*_todatetime: a number of units (`ticksPer` ticks each) since the Unix epoch; integers
 * exactly (nanoseconds truncated to the tick), reals rounded to the tick.
 */
function unixtime(ticksPer: number): H {
  return (p, [v]) => {
    const x = E(p, v);
    if (isInteger(v.type)) return datetimeOfEpochTicks(ticksPer < 1 ? `(${x} // ${1 / ticksPer})` : `(CAST(${x} AS HUGEINT) * ${ticksPer})`);
    return datetimeOfEpochTicks(`round(CAST(${x} AS DOUBLE) * ${ticksPer})`);
  };
}

const DAY = 864_000_000_000;

/** Ticks of each fixed-length period (datetime_add and datetime_diff below a month). */
const UNIT_TICKS: Record<string, number> = {
  week: 7 * DAY, day: DAY, hour: 36_000_000_000, minute: 600_000_000, second: 10_000_000, millisecond: 10_000, microsecond: 10,
};

/** An argument that must be a constant string (a part name or a format). */
function constString(e: Expr, what: string): string {
  const s = litString(e);
  if (s === undefined) return bad(`${what} must be a constant string`);
  return s;
}

const DATE_PARTS: Record<string, string> = {
  year: 'year', quarter: 'quarter', month: 'month', week: 'week', day: 'day', hour: 'hour', minute: 'minute',
  second: 'second', millisecond: 'millisecond', microsecond: 'microsecond', nanosecond: 'nanosecond',
};

function datePart(e: Expr): string {
  const s = constString(e, 'The period').toLowerCase().replace(/s$/, '');
  if (!Object.hasOwn(DATE_PARTS, s)) return bad(`Unknown period '${s}'`);
  const part = DATE_PARTS[s];
  return part;
}

/**
 * startof* / endof* with an optional offset; end is the last tick of the period (`23:59:59.9999999`).
 * Days and weeks are whole numbers of ticks from 0001-01-01 (a Monday; weeks start on Sunday), so
 * they are integer arithmetic; months and years go through the calendar.
 */
function startOf(unit: 'day' | 'week' | 'month' | 'year', end: boolean): H {
  return (p, [d, off]) => {
    const x = E(p, d);
    // an offset is clamped to a little more than the whole range of datetimes (in its unit) before any
    // arithmetic, so that nothing overflows; a result outside the range is null
    const bound = { day: 4_000_000, week: 600_000, month: 130_000, year: 11_000 }[unit];
    const n = off ? `greatest(-${bound}, least(${bound}, CAST(${E(p, off)} AS BIGINT)))` : '0';
    const step = end ? `(${n} + 1)` : n;
    if (unit === 'day' || unit === 'week') {
      const len = unit === 'day' ? DAY : 7 * DAY;
      const start = unit === 'day' ? `(${x} - ${x} % ${DAY})` : `(${x} - (${x} + ${DAY}) % ${len})`;
      const shift = off ? ` + ${step} * ${len}` : end ? ` + ${len}` : '';
      return datetimeInRange(`(${start}${shift}${end ? ' - 1' : ''})`);
    }
    const months = unit === 'month' ? step : `(${step} * 12)`;
    // within ±200,000 months the result's ticks fit a BIGINT, whether or not they are in range
    const next = `(date_trunc('${unit}', ${timestampOf(x)}) + to_months(CAST(${months} AS INTEGER)))`;
    return datetimeInRange(end ? `(${ticksOf(next)} - 1)` : ticksOf(next));
  };
}

/** bin(value, size) for numbers, datetimes (aligned to 0001-01-01, as KQL) and timespans. */
function bin(p: ExprPrinter, v: Expr, size: Expr, at?: Expr): string {
  const x = E(p, v);
  if (v.type === 'datetime') {
    // ticks since 0001-01-01 (KQL's origin) are never negative: `%` floors them
    const s = size.type === 'timespan' ? E(p, size) : `CAST(${E(p, size)} AS BIGINT)`;
    if (!at) return `(${x} - ${x} % ${s})`;
    const origin = E(p, at);
    return datetimeInRange(`((${x} - ${origin}) - ((((${x} - ${origin}) % ${s}) + ${s}) % ${s}) + ${origin})`);
  }
  if (v.type === 'timespan' || isInteger(v.type)) {
    const s = E(p, size);
    const o = at ? E(p, at) : '0';
    return `CAST((${x} - ${o}) - ((((${x} - ${o}) % ${s}) + ${s}) % ${s}) + ${o} AS ${p.dialect.sqlType(v.type)})`;
  }
  const o = at ? E(p, at) : '0';
  return `(floor((${x} - ${o}) / ${E(p, size)}) * ${E(p, size)} + ${o})`;
}

/** tostring-compatible numeric conversion used by tolong/toint/todouble. */
function toNumber(sqlType: 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'DECIMAL(38,10)'): H {
  return (p, [a]) => {
    const x = E(p, a);
    const integral = sqlType === 'BIGINT' || sqlType === 'INTEGER';
    switch (a.type) {
      case 'string': case 'guid': {
        if (integral) return integerFromText(`trim(${x})`, sqlType);
        return `TRY_CAST(trim(${x}) AS ${sqlType})`;
      }
      case 'real': return integral ? `TRY_CAST(trunc(${x}) AS ${sqlType})` : `CAST(${x} AS ${sqlType})`;
      case 'datetime': return `TRY_CAST(${x} AS ${sqlType})`;
      case 'dynamic': {
        const t = jsonText(x);
        return integral ? integerFromText(t, sqlType) : `TRY_CAST(${t} AS ${sqlType})`;
      }
      // a value out of the target's range converts to null
      default: return `TRY_CAST(${x} AS ${sqlType})`;
    }
  };
}

/**
 * An integer from text: digits convert exactly (all 19 of a long, not through a double); other
 * numeric text through a double, truncated; null when out of range or not a number.
 */
function integerFromText(t: string, sqlType: 'BIGINT' | 'INTEGER'): string {
  return `(CASE WHEN regexp_full_match(${t}, '[+-]?[0-9]+') THEN TRY_CAST(${t} AS ${sqlType}) ELSE TRY_CAST(trunc(TRY_CAST(${t} AS DOUBLE)) AS ${sqlType}) END)`;
}

/** IPv4 comparison helpers. */
function ipv4Masked(p: ExprPrinter, ip: Expr, prefix: string): string {
  const s = txt(p, ip);
  return `(${ipv4Number(s)} >> (32 - ${prefix}))`;
}

/** Element-wise series function over one or two numeric arrays. */
function series1(fn: (v: string) => string): H {
  return (p, [a]) => `to_json(list_transform(CAST(${jsonList(E(p, a))} AS DOUBLE[]), v -> ${fn('v')}))`;
}
function series2(fn: (a: string, b: string) => string): H {
  return (p, [a, b]) => {
    const x = `CAST(${jsonList(E(p, a))} AS DOUBLE[])`;
    const y = b.type === 'dynamic' ? `CAST(${jsonList(E(p, b))} AS DOUBLE[])` : null;
    if (!y) return `to_json(list_transform(${x}, v -> ${fn('v', `CAST(${E(p, b)} AS DOUBLE)`)}))`;
    return `to_json(list_transform(list_zip(${x}, ${y}), z -> ${fn('z[1]', 'z[2]')}))`;
  };
}

/** Number of capture groups in a regular expression text. */
function captureGroups(re: string): number {
  let n = 0;
  for (let i = 0; i < re.length; i++) {
    if (re[i] === '\\') { i++; continue; }
    if (re[i] === '[') { while (i < re.length && re[i] !== ']') { if (re[i] === '\\') i++; i++; } continue; }
    if (re[i] === '(' && re[i + 1] !== '?') n++;
    else if (re[i] === '(' && re[i + 1] === '?' && (re[i + 2] === 'P' || re[i + 2] === '<') && re[i + 3] !== '=' && re[i + 3] !== '!') n++;
  }
  return n;
}

/** Names of capture groups in order (unnamed groups as ''). */
function namedGroups(re: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < re.length; i++) {
    if (re[i] === '\\') { i++; continue; }
    if (re[i] !== '(') continue;
    if (re[i + 1] !== '?') { out.push(''); continue; }
    const m = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(re.slice(i));
    if (m) out.push(m[1]);
  }
  return out;
}

/** Trims matches of a regex at the start and/or end of a string. */
function trimRe(where: 'both' | 'start' | 'end'): H {
  return (p, [re, s]) => {
    const r = litString(re);
    const src = txt(p, s);
    if (r !== undefined) {
      const pat = where === 'start' ? `^(?:${r})+` : where === 'end' ? `(?:${r})+$` : `^(?:${r})+|(?:${r})+$`;
      return `regexp_replace(${src}, ${p.param(pat, 'string')}, '', 'g')`;
    }
    const rs = E(p, re);
    const pat = where === 'start' ? `'^(?:' || ${rs} || ')+'` : where === 'end' ? `'(?:' || ${rs} || ')+$'` : `'^(?:' || ${rs} || ')+|(?:' || ${rs} || ')+$'`;
    return `regexp_replace(${src}, ${pat}, '', 'g')`;
  };
}

/** The DuckDB function table, keyed by KQL name (operators included): the standard ones plus DuckDB's. */
export const DUCKDB_FUNCTIONS: Record<string, H> = {
  ...DEFAULT_FUNCTIONS,
  // logic and comparison
  // string operators
  '=~': (p, [a, b]) => `(lower(${E(p, a)}) = ${lowerOf(p, b)})`,
  '!~': (p, [a, b]) => `(lower(${E(p, a)}) <> ${lowerOf(p, b)})`,
  contains: strFn('contains', false), '!contains': not(strFn('contains', false)),
  contains_cs: strFn('contains', true), '!contains_cs': not(strFn('contains', true)),
  startswith: strFn('starts_with', false), '!startswith': not(strFn('starts_with', false)),
  startswith_cs: strFn('starts_with', true), '!startswith_cs': not(strFn('starts_with', true)),
  endswith: strFn('ends_with', false), '!endswith': not(strFn('ends_with', false)),
  endswith_cs: strFn('ends_with', true), '!endswith_cs': not(strFn('ends_with', true)),
  has: hasOp('has', false), '!has': not(hasOp('has', false)), has_cs: hasOp('has', true), '!has_cs': not(hasOp('has', true)),
  hasprefix: hasOp('prefix', false), '!hasprefix': not(hasOp('prefix', false)),
  hasprefix_cs: hasOp('prefix', true), '!hasprefix_cs': not(hasOp('prefix', true)),
  hassuffix: hasOp('suffix', false), '!hassuffix': not(hasOp('suffix', false)),
  hassuffix_cs: hasOp('suffix', true), '!hassuffix_cs': not(hasOp('suffix', true)),
  'matches regex': (p, [a, b]) => `regexp_matches(${E(p, a)}, ${E(p, b)})`,
  in: inOp(false), '!in': not(inOp(false)), 'in~': inOp(true), '!in~': not(inOp(true)),
  has_any: hasList(false), has_all: hasList(true),
  __array: () => bad('A dynamic array is only allowed in a list operator'),
  // arithmetic
  '+': arith('+'), '-': arith('-'), '*': arith('*'), '/': arith('/'), '%': arith('%'),
  // an integer's negation and absolute value wrap as two's complement (-(-2^63) is -2^63), as + and - do
  neg: (p, [a], c) => (isInteger(c.type) ? wrapInteger(`(-CAST(${E(p, a)} AS HUGEINT))`, c.type) : `(-${E(p, a)})`),
  abs: (p, [a], c) => (isInteger(c.type) ? wrapInteger(`abs(CAST(${E(p, a)} AS HUGEINT))`, c.type) : `abs(${E(p, a)})`),
  // conditionals and null tests
  coalesce: (p, args, call) => (call.type === 'string'
    ? `COALESCE(${args.map((a, i) => (i === args.length - 1 ? txt(p, a) : `NULLIF(${txt(p, a)}, '')`)).join(', ')})`
    : `COALESCE(${args.map((a) => as(p, a, call.type)).join(', ')})`),
  isempty: (p, [a]) => isEmpty(p, a),
  isnotempty: (p, [a]) => `(NOT ${isEmpty(p, a)})`,
  isnull: (p, [a]) => isNull(p, a),
  isnotnull: (p, [a]) => `(NOT ${isNull(p, a)})`,
  isnan: (p, [a]) => `isnan(${E(p, a)})`,
  isinf: (p, [a]) => `isinf(${E(p, a)})`,
  isfinite: (p, [a]) => `isfinite(${E(p, a)})`,
  // conversions
  tostring: (p, [a]) => txt(p, a),
  tolong: toNumber('BIGINT'), toint: toNumber('INTEGER'), todouble: toNumber('DOUBLE'), todecimal: toNumber('DECIMAL(38,10)'),
  tobool: (p, [a]) => {
    const x = E(p, a);
    if (a.type === 'string') return `(CASE lower(trim(${x})) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE WHEN '1' THEN TRUE WHEN '0' THEN FALSE END)`;
    if (a.type === 'dynamic') return `(CASE json_type(${x}) WHEN 'BOOLEAN' THEN CAST(${x} AS BOOLEAN) WHEN 'VARCHAR' THEN (CASE lower(json_extract_string(${x}, '$')) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END) WHEN 'BIGINT' THEN CAST(${x} AS BIGINT) <> 0 WHEN 'UBIGINT' THEN CAST(${x} AS BIGINT) <> 0 WHEN 'DOUBLE' THEN CAST(${x} AS DOUBLE) <> 0 END)`;
    if (a.type === 'bool') return x;
    return `(${x} <> 0)`;
  },
  todatetime: (p, [a]) => {
    const x = E(p, a);
    if (a.type === 'datetime') return x;
    if (a.type === 'string') return datetimeFromText(x);
    if (a.type === 'dynamic') return datetimeFromText(jsonText(x));
    if (isInteger(a.type)) return datetimeInRange(`CAST(${x} AS BIGINT)`);
    return `CAST(NULL AS BIGINT)`;
  },
  totimespan: (p, [a]) => {
    const s = litString(a);
    if (s !== undefined) {
      const t = parseTimespanText(s);
      return t === undefined ? 'CAST(NULL AS BIGINT)' : p.param(t, 'timespan');
    }
    if (a.type === 'timespan') return E(p, a);
    if (isInteger(a.type)) return `CAST(${E(p, a)} AS BIGINT)`;
    return timespanFromText(a.type === 'dynamic' ? jsonText(E(p, a)) : txt(p, a));
  },
  toguid: (p, [a]) => `CAST(TRY_CAST(${txt(p, a)} AS UUID) AS VARCHAR)`,
  parse_json: (p, [a]) => {
    // a dynamic value is used as it is (KQL's rule); event columns were parsed when ingested
    if (a.type === 'dynamic') return E(p, a);
    if (a.type !== 'string') return toJson(p, a);
    const x = E(p, a);
    return `(CASE WHEN ${x} IS NULL OR ${x} = '' THEN NULL ELSE COALESCE(TRY_CAST(${x} AS JSON), to_json(${x})) END)`;
  },
  __todynamic: (p, [a]) => toJson(p, a),
  gettype: (p, [a]) => {
    if (a.type !== 'dynamic') {
      const names: Record<KqlType, string> = { string: 'string', long: 'long', int: 'int', real: 'real', bool: 'bool', datetime: 'datetime', timespan: 'timespan', dynamic: 'dictionary', guid: 'guid', decimal: 'decimal' };
      return p.param(names[a.type], 'string');
    }
    return `(CASE json_type(${E(p, a)}) WHEN 'OBJECT' THEN 'dictionary' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN 'long' WHEN 'UBIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' WHEN 'NULL' THEN 'null' ELSE 'null' END)`;
  },
  format_bytes: (p, [v, prec, unit]) => {
    // KQL picks the unit (or uses the given one: Bytes, KB, MB, GB, TB, PB) and rounds to the precision
    const units = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
    const x = `CAST(${E(p, v)} AS DOUBLE)`;
    const digits = prec ? `CAST(${E(p, prec)} AS INTEGER)` : '0';
    const fixed = unit ? litString(unit) : undefined;
    if (unit && (fixed === undefined || !units.some((u) => u.toLowerCase() === fixed.toLowerCase()))) return bad('format_bytes() needs a constant unit: Bytes, KB, MB, GB, TB or PB');
    const exp = fixed ? String(units.findIndex((u) => u.toLowerCase() === fixed.toLowerCase())) : `least(5, greatest(0, CAST(floor(log(1024, greatest(abs(${x}), 1))) AS INTEGER)))`;
    const label = `[${units.map((u) => `'${u}'`).join(', ')}][${exp} + 1]`;
    return `(CASE WHEN ${x} IS NULL THEN '' ELSE ${realText(`round(${x} / pow(1024, ${exp}), ${digits})`)} || ' ' || ${label} END)`;
  },
  tohex: (p, [a, len]) => {
    // two's complement of the value's own width (an int's 32 bits, a long's 64); the width is a minimum
    const h = a.type === 'int' ? `lower(hex(CAST(${E(p, a)} AS BIGINT) & 4294967295))` : `lower(hex(CAST(${E(p, a)} AS BIGINT)))`;
    return len ? `lpad(${h}, CAST(greatest(${E(p, len)}, length(${h})) AS INTEGER), '0')` : h;
  },
  // strings
  strcat: (p, args) => `concat(${args.map((a) => txt(p, a)).join(', ')})`,
  strcat_delim: (p, [d, ...args]) => `concat_ws(${txt(p, d)}, ${args.map((a) => txt(p, a)).join(', ')})`,
  strcat_array: (p, [arr, d]) => `COALESCE(array_to_string(list_transform(${jsonList(E(p, arr))}, v -> ${jsonText('v')}), ${txt(p, d)}), '')`,
  strlen: (p, [a]) => `CAST(length(${txt(p, a)}) AS BIGINT)`,
  string_size: (p, [a]) => `CAST(strlen(${txt(p, a)}) AS BIGINT)`,
  tolower: (p, [a]) => `lower(${txt(p, a)})`,
  toupper: (p, [a]) => {
    // ß has no one-letter capital in KQL's (invariant) casing and stays ß; the engine's upper() makes it ẞ
    const x = txt(p, a);
    return `(CASE WHEN contains(${x}, 'ß') THEN array_to_string(list_transform(string_split(${x}, 'ß'), s -> upper(s)), 'ß') ELSE upper(${x}) END)`;
  },
  reverse: (p, [a]) => `reverse(${txt(p, a)})`,
  substring: (p, [s, start, len]) => {
    const st = `greatest(CAST(${E(p, start)} AS BIGINT), 0) + 1`;
    return len ? `COALESCE(substr(${txt(p, s)}, ${st}, greatest(CAST(${E(p, len)} AS BIGINT), 0)), '')` : `COALESCE(substr(${txt(p, s)}, ${st}), '')`;
  },
  split: (p, [s, d, idx]) => {
    const parts = `string_split(${txt(p, s)}, ${txt(p, d)})`;
    if (!idx) return `to_json(${parts})`;
    const i = `CAST(${E(p, idx)} AS BIGINT)`;
    return `(CASE WHEN ${i} >= 0 AND ${i} < len(${parts}) THEN to_json([${parts}[${i} + 1]]) ELSE CAST('[]' AS JSON) END)`;
  },
  strrep: (p, [s, n, d]) => (d
    ? `array_to_string(list_transform(range(CAST(${E(p, n)} AS BIGINT)), x -> ${txt(p, s)}), ${txt(p, d)})`
    : `repeat(${txt(p, s)}, CAST(${E(p, n)} AS BIGINT))`),
  replace_string: (p, [s, a, b]) => `replace(${txt(p, s)}, ${txt(p, a)}, ${txt(p, b)})`,
  replace_regex: (p, [s, re, rw]) => `regexp_replace(${txt(p, s)}, ${txt(p, re)}, ${txt(p, rw)}, 'g')`,
  // the deprecated replace() takes (regex, rewrite, text)
  replace: (p, [re, rw, s]) => `regexp_replace(${txt(p, s)}, ${txt(p, re)}, ${txt(p, rw)}, 'g')`,
  replace_strings: (p, [s, from, to]) => {
    // earlier lookups take precedence: mark their matches first, then substitute the marks
    const f = textList(E(p, from));
    const t = textList(E(p, to));
    const mark = (i: string) => `chr(1) || CAST(${i} AS VARCHAR) || chr(2)`;
    const idx = `range(len(${f}))`;
    const ok = (i: string) => `(${f}[CAST(${i} AS BIGINT) + 1] <> '')`;
    const marked = `list_reduce(list_prepend(${txt(p, s)}, list_transform(${idx}, i -> CAST(i AS VARCHAR))), (acc, i) -> CASE WHEN ${ok('i')} THEN replace(acc, ${f}[CAST(i AS BIGINT) + 1], ${mark('i')}) ELSE acc END)`;
    // a lookup whose replacement is not a string keeps its matched text (but still shadows later lookups)
    const rep = (i: string) => `CASE WHEN json_type(${jsonList(E(p, to))}[CAST(${i} AS BIGINT) + 1]) = 'VARCHAR' THEN ${t}[CAST(${i} AS BIGINT) + 1] WHEN json_type(${jsonList(E(p, to))}[CAST(${i} AS BIGINT) + 1]) IS NULL OR json_type(${jsonList(E(p, to))}[CAST(${i} AS BIGINT) + 1]) = 'NULL' THEN '' ELSE ${f}[CAST(${i} AS BIGINT) + 1] END`;
    return `(CASE WHEN len(${f}) = 0 THEN ${txt(p, s)} ELSE list_reduce(list_prepend(${marked}, list_transform(${idx}, i -> CAST(i AS VARCHAR))), (acc, i) -> replace(acc, ${mark('i')}, ${rep('i')})) END)`;
  },
  extract: (p, [re, g, s], call) => {
    const raw = `regexp_extract(${txt(p, s)}, ${txt(p, re)}, CAST(${E(p, g)} AS INTEGER))`;
    if (call.type === 'string') return raw;
    return convertText(`NULLIF(${raw}, '')`, call.type);
  },
  extract_all: (p, args) => {
    const [re, groupsOrS, maybeS] = args;
    const s = maybeS ?? groupsOrS;
    const r = litString(re);
    const src = txt(p, s);
    const rs = txt(p, re);
    let groups: number[] | null = null;
    if (maybeS) {
      const v = litString(groupsOrS) ?? (groupsOrS.k === 'lit' ? String(groupsOrS.value) : undefined);
      if (v === undefined) return bad('extract_all() needs constant capture groups');
      const names = namedGroups(r ?? '');
      groups = (JSON.parse(v) as (number | string)[]).map((g) => (typeof g === 'number' ? g : names.indexOf(g) + 1));
      if (groups.some((g) => g <= 0)) return bad('extract_all(): unknown capture group');
    }
    const n = r !== undefined ? captureGroups(r) : 1;
    const gs = groups ?? (n === 0 ? [0] : Array.from({ length: n }, (_, i) => i + 1));
    if (gs.length === 1) return `(CASE WHEN len(regexp_extract_all(${src}, ${rs}, ${gs[0]})) = 0 THEN NULL ELSE to_json(regexp_extract_all(${src}, ${rs}, ${gs[0]})) END)`;
    const all = `regexp_extract_all(${src}, ${rs}, 0)`;
    return `(CASE WHEN len(${all}) = 0 THEN NULL ELSE to_json(list_transform(${all}, m -> [${gs.map((g) => `regexp_extract(m, ${rs}, ${g})`).join(', ')}])) END)`;
  },
  extract_json: (p, [path, s], call) => {
    const j = `TRY_CAST(${txt(p, s)} AS JSON)`;
    const v = `json_extract(${j}, ${txt(p, path)})`;
    if (call.type === 'string') return `COALESCE(${jsonText(v)}, '')`;
    return convertText(jsonText(v), call.type);
  },
  trim: trimRe('both'), trim_start: trimRe('start'), trim_end: trimRe('end'),
  indexof: (p, [s, look, start, length, occurrence]) => {
    const src = txt(p, s);
    const lk = txt(p, look);
    if (!start && !length && !occurrence) return `CAST(strpos(${src}, ${lk}) - 1 AS BIGINT)`;
    const st = start ? `CAST(${E(p, start)} AS BIGINT)` : '0';
    const eff = `(CASE WHEN ${st} < 0 THEN greatest(length(${src}) + ${st}, 0) ELSE ${st} END)`;
    const len = length ? `(CASE WHEN CAST(${E(p, length)} AS BIGINT) < 0 THEN length(${src}) ELSE CAST(${E(p, length)} AS BIGINT) END)` : `length(${src})`;
    const occ = occurrence ? `CAST(${E(p, occurrence)} AS BIGINT)` : '1';
    const region = `substr(${src}, ${eff} + 1, ${len} + 1)`;
    const positions = `list_filter(range(length(${region})), i -> substr(${region}, i + 1, length(${lk})) = ${lk})`;
    return `(CASE WHEN ${eff} > length(${src}) THEN -1 ELSE COALESCE(${positions}[${occ}] + ${eff}, -1) END)`;
  },
  indexof_regex: (p, [s, re, start, length, occurrence]) => {
    // mark each (non-overlapping) match with \x01, then read match positions off the marked text
    const src = txt(p, s);
    const st = start ? `CAST(${E(p, start)} AS BIGINT)` : '0';
    const len = length ? `(CASE WHEN CAST(${E(p, length)} AS BIGINT) < 0 THEN length(${src}) ELSE CAST(${E(p, length)} AS BIGINT) END)` : `length(${src})`;
    const occ = occurrence ? `CAST(${E(p, occurrence)} AS BIGINT)` : '1';
    const region = `substr(${src}, ${st} + 1, ${len})`;
    const marked = `regexp_replace(${region}, '(' || ${txt(p, re)} || ')', chr(1) || '\\1', 'g')`;
    const marks = `list_filter(range(length(${marked})), i -> substr(${marked}, i + 1, 1) = chr(1))`;
    const positions = `list_transform(range(len(${marks})), k -> ${marks}[k + 1] - k)`;
    return `(CASE WHEN ${st} < 0 OR ${st} > length(${src}) THEN NULL ELSE COALESCE(${positions}[${occ}] + ${st}, -1) END)`;
  },
  countof: (p, [s, search, kind]) => {
    const k = kind ? constString(kind, 'countof kind').toLowerCase() : 'normal';
    if (k === 'regex') return `CAST(len(regexp_extract_all(${txt(p, s)}, ${txt(p, search)})) AS BIGINT)`;
    const src = txt(p, s);
    const t = txt(p, search);
    return `CAST(len(list_filter(range(length(${src})), i -> substr(${src}, i + 1, length(${t})) = ${t})) AS BIGINT)`;
  },
  strcmp: (p, [a, b]) => `(CASE WHEN ${txt(p, a)} < ${txt(p, b)} THEN -1 WHEN ${txt(p, a)} > ${txt(p, b)} THEN 1 ELSE 0 END)`,
  has_any_index: (p, [s, arr]) => {
    const list = `${textList(E(p, arr))}`;
    return `COALESCE(list_position(list_transform(${list}, t -> regexp_matches(${txt(p, s)}, ${termPatternSql('t', 'has')}, 'i')), TRUE) - 1, -1)`;
  },
  // '+' stands for a space, as in the form encoding url_encode produces
  url_decode: (p, [s]) => `TRY(url_decode(replace(${txt(p, s)}, '+', ' ')))`,
  url_encode: (p, [s]) => `replace(${kustoUrlEncode(txt(p, s))}, '%20', '+')`,
  url_encode_component: (p, [s]) => kustoUrlEncode(txt(p, s)),
  base64_decode_tostring: (p, [s]) => `COALESCE(TRY(decode(from_base64(${txt(p, s)}))), '')`,
  base64_encode_tostring: (p, [s]) => `to_base64(encode(${txt(p, s)}))`,
  base64_decode_toarray: (p, [s]) => {
    const b = `TRY(from_base64(${txt(p, s)}))`;
    return `to_json(list_transform(range(octet_length(${b})), i -> CAST(('0x' || substr(hex(${b}), 2 * i + 1, 2)) AS INTEGER)))`;
  },
  base64_encode_fromarray: (p, [a]) => `to_base64(from_hex(array_to_string(list_transform(CAST(${jsonList(E(p, a))} AS INTEGER[]), b -> lpad(hex(b & 255), 2, '0')), '')))`,
  __kv_lookup: (p, [s, re, key]) => {
    const r = txt(p, re);
    const pairs = `list_transform(regexp_extract_all(${txt(p, s)}, ${r}, 0), m -> [trim(regexp_extract(m, ${r}, 1)), regexp_extract(m, ${r}, 2)])`;
    return `COALESCE(list_filter(${pairs}, kv -> kv[1] = ${txt(p, key)})[1][2], '')`;
  },
  hash_md5: (p, [s]) => `md5(${hashText(p, s)})`,
  hash_sha1: (p, [s]) => `sha1(${hashText(p, s)})`,
  hash_sha256: (p, [s]) => `sha256(${hashText(p, s)})`,
  unicode_codepoints_from_string: (p, [s]) => `to_json(list_transform(string_split(${txt(p, s)}, ''), c -> unicode(c)))`,
  unicode_codepoints_to_string: (p, args) => `concat(${args.map((a) => (a.type === 'dynamic'
    ? `array_to_string(list_transform(CAST(${jsonList(E(p, a))} AS INTEGER[]), c -> chr(c)), '')`
    : `chr(CAST(${E(p, a)} AS INTEGER))`)).join(', ')})`,
  regex_quote: (p, [s]) => `regexp_escape(${txt(p, s)})`,
  new_guid: () => `CAST(uuid() AS VARCHAR)`,
  translate: (p, [from, to, s]) => `translate(${txt(p, s)}, ${txt(p, from)}, ${txt(p, to)})`,
  parse_version: (p, [s]) => {
    const parts = `string_split(${txt(p, s)}, '.')`;
    return `(CASE WHEN regexp_full_match(${txt(p, s)}, '\\d{1,8}(\\.\\d{1,8}){0,3}') THEN CAST(array_to_string(list_transform(range(4), i -> lpad(COALESCE(${parts}[i + 1], '0'), 8, '0')), '') AS DECIMAL(38,0)) END)`;
  },
  parse_csv: (p, [s]) => {
    // one record: the text up to the first line break outside quotes (later records are ignored)
    const field = `(?:"(?:[^"]|"")*"|[^,\r\n]*)`;
    const record = `regexp_extract(${txt(p, s)}, ${p.param(`^${field}(?:,${field})*`, 'string')})`;
    return `to_json(list_transform(regexp_extract_all(${record} || ',', '("(?:[^"]|"")*"|[^,]*),', 1), v -> CASE WHEN starts_with(v, '"') THEN replace(v[2:-2], '""', '"') ELSE v END))`;
  },
  parse_command_line: (p, [s]) => `to_json(list_transform(regexp_extract_all(${txt(p, s)}, '(?:"[^"]*"|[^\\s"])+', 0), a -> replace(a, '"', '')))`,
  ...URL_AND_PATH_FUNCTIONS,
  ...GEO_FUNCTIONS,
  ...IPV6_FUNCTIONS,
  ...UNIT_FUNCTIONS,
  ...ENGINE_CALL_FUNCTIONS,
  assert: (p, [c, msg]) => `(CASE WHEN ${E(p, c)} THEN TRUE ELSE error(${txt(p, msg)}) END)`,
  // dynamic
  __dyn_get: (p, args) => dynGet(p, args),
  pack: (p, args) => {
    if (!args.length) return `CAST('{}' AS JSON)`;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < args.length; i += 2) pairs.push(`${txt(p, args[i])}, ${toJson(p, args[i + 1])}`);
    return `json_object(${pairs.join(', ')})`;
  },
  __pack_nonempty: (p, args) => {
    const entries: string[] = [];
    for (let i = 0; i + 1 < args.length; i += 2) {
      const v = args[i + 1];
      const keep = v.type === 'string' ? `${E(p, v)} <> ''` : v.type === 'dynamic' ? `json_type(${E(p, v)}) <> 'NULL'` : `${E(p, v)} IS NOT NULL`;
      entries.push(`CASE WHEN ${keep} THEN {'k': ${txt(p, args[i])}, 'v': ${toJson(p, v)}} END`);
    }
    const list = `list_filter([${entries.join(', ')}], e -> e IS NOT NULL)`;
    return `(CASE WHEN len(${list}) = 0 THEN CAST('{}' AS JSON) ELSE CAST(map_from_entries(${list}) AS JSON) END)`;
  },
  pack_array: (p, args) => (args.length ? `json_array(${args.map((a) => toJson(p, a)).join(', ')})` : `CAST('[]' AS JSON)`),
  array_length: (p, [a]) => `(CASE WHEN json_type(${E(p, a)}) = 'ARRAY' THEN CAST(json_array_length(${E(p, a)}) AS BIGINT) END)`,
  bag_keys: (p, [a]) => `(CASE WHEN json_type(${E(p, a)}) = 'OBJECT' THEN to_json(json_keys(${E(p, a)})) END)`,
  bag_has_key: (p, [b, k]) => {
    const key = txt(p, k);
    return `COALESCE(CASE WHEN starts_with(${key}, '$') THEN json_exists(${E(p, b)}, ${key}) ELSE list_contains(json_keys(${E(p, b)}), ${key}) END, FALSE)`;
  },
  bag_merge: (p, args) => `json_merge_patch(${args.map((a) => E(p, a)).reverse().join(', ')})`,
  // keys may be `$` paths into nested bags: done by engine functions (src/kql/runtime/bag-paths.ts)
  bag_set_key: (p, [b, k, v]) => engineCall('bag_set_key', [`CAST(${E(p, b)} AS VARCHAR)`, txt(p, k), `CAST(${toJson(p, v)} AS VARCHAR)`], true),
  bag_remove_keys: (p, [b, keys]) => engineCall('bag_remove_keys', [`CAST(${E(p, b)} AS VARCHAR)`, `CAST(${E(p, keys)} AS VARCHAR)`], true),
  bag_zip: (p, [k, v]) => {
    const kl = jsonList(E(p, k));
    const vs = jsonList(E(p, v));
    const entries = `list_filter(list_transform(range(len(${kl})), i -> {'k': json_extract_string(${kl}[i + 1], '$'), 'v': ${vs}[i + 1], 't': json_type(${kl}[i + 1])}), e -> e.t = 'VARCHAR')`;
    return `(CASE WHEN len(${entries}) = 0 THEN CAST('{}' AS JSON) ELSE CAST(map_from_entries(list_transform(${entries}, e -> {'k': e.k, 'v': e.v})) AS JSON) END)`;
  },
  set_has_element: (p, [arr, v]) => `COALESCE(list_contains(list_transform(${jsonList(E(p, arr))}, e -> CAST(json(e) AS VARCHAR)), CAST(json(${toJson(p, v)}) AS VARCHAR)), FALSE)`,
  // exact t-digests, JSON arrays of [value, weight] (see src/kql/runtime/tdigest.ts)
  merge_tdigest: (p, args) => `to_json(list_sort(list_concat(${args.map((a) => `COALESCE(TRY_CAST(${E(p, a)} AS DOUBLE[][]), [])`).join(', ')})))`,
  percentile_tdigest: (p, [d, pct], call) => `CAST(json_extract(${engineCall('tdigest_percentiles', [`CAST(${E(p, d)} AS VARCHAR)`, p.param(JSON.stringify(requirePercentages([pct])), 'string')], true)}, '$[0]') AS ${p.dialect.sqlType(call.type)})`,
  percentiles_array_tdigest: (p, [d, ...pcts]) => engineCall('tdigest_percentiles', [`CAST(${E(p, d)} AS VARCHAR)`, p.param(JSON.stringify(requirePercentages(pcts)), 'string')], true),
  rank_tdigest: (p, [d, v]) => `CAST(${engineCall('tdigest_rank', [`CAST(${E(p, d)} AS VARCHAR)`, `CAST(${E(p, v)} AS DOUBLE)`])} AS BIGINT)`,
  percentrank_tdigest: (p, [d, v]) => engineCall('tdigest_percentrank', [`CAST(${E(p, d)} AS VARCHAR)`, `CAST(${E(p, v)} AS DOUBLE)`]),
  // hll sketches are exact sets of values here (see hllSketch in aggregates.ts)
  isascii: (p, [s]) => `(strlen(${txt(p, s)}) = length(${txt(p, s)}))`,
  // text is kept as UTF-8 (invalid input bytes were replaced when decoded): every string is valid
  isutf8: (p, [s]) => `(${txt(p, s)} IS NOT NULL)`,
  around: (p, [v, c, d]) => p.expr(ir.call('between', [v, ir.call('-', [c, d], c.type), ir.call('+', [c, d], c.type)], 'bool')),
  set_equals: (p, [a, b]) => `(list_sort(list_distinct(${jsonList(E(p, a))})) = list_sort(list_distinct(${jsonList(E(p, b))})))`,
  dcount_hll: (p, [h]) => `CAST(COALESCE(len(${jsonList(E(p, h))}), 0) AS BIGINT)`,
  // the size of the intersection of hll sets (exact sorted JSON arrays; elements compare as JSON text)
  __dcount_intersect: (p, sets) => `CAST(COALESCE(len(${sets.map((h) => `COALESCE(${jsonList(E(p, h))}, [])`).reduce((acc, x) => `list_intersect(${acc}, ${x})`)}), 0) AS BIGINT)`,
  hll_merge: (p, args) => `to_json(list_sort(list_distinct(list_concat(${args.map((a) => `COALESCE(${jsonList(E(p, a))}, [])`).join(', ')}))))`,
  set_union: (p, args) => `to_json(${distinctList(`list_concat(${args.map((a) => `COALESCE(${jsonList(E(p, a))}, [])`).join(', ')})`)})`,
  set_intersect: (p, [first, ...rest]) => {
    const base = distinctList(`COALESCE(${jsonList(E(p, first))}, [])`);
    const conds = rest.map((a) => `list_contains(COALESCE(${jsonList(E(p, a))}, []), x)`).join(' AND ');
    return `to_json(list_filter(${base}, x -> ${conds || 'TRUE'}))`;
  },
  set_difference: (p, [first, ...rest]) => {
    const base = distinctList(`COALESCE(${jsonList(E(p, first))}, [])`);
    const conds = rest.map((a) => `NOT list_contains(COALESCE(${jsonList(E(p, a))}, []), x)`).join(' AND ');
    return `to_json(list_filter(${base}, x -> ${conds || 'TRUE'}))`;
  },
  array_concat: (p, args) => `to_json(list_concat(${args.map((a) => jsonList(E(p, a))).join(', ')}))`,
  array_slice: (p, [arr, start, end]) => {
    const l = jsonList(E(p, arr));
    const idx = (e: Expr, isEnd: boolean) => {
      const v = `CAST(${E(p, e)} AS BIGINT)`;
      return `(CASE WHEN ${v} < 0 THEN len(${l}) + ${v} ELSE ${v} END)${isEnd ? '' : ''}`;
    };
    return `to_json(COALESCE(list_slice(${l}, greatest(${idx(start, false)}, 0) + 1, ${idx(end, true)} + 1), []))`;
  },
  array_index_of: (p, [arr, v, start, length, occurrence]) => {
    const list = `list_transform(${jsonList(E(p, arr))}, e -> CAST(json(e) AS VARCHAR))`;
    const value = `CAST(json(${toJson(p, v)}) AS VARCHAR)`;
    if (!start) return `COALESCE(CAST(list_position(${list}, ${value}) AS BIGINT) - 1, -1)`;
    // start (negative: counted from the end), length (-1: to the end), the occurrence-th hit; null for
    // an occurrence below 1 or a length below -1
    const n = `len(${list})`;
    const s = `(CASE WHEN ${E(p, start)} < 0 THEN greatest(${n} + ${E(p, start)}, 0) ELSE ${E(p, start)} END)`;
    const len = length ? E(p, length) : '-1';
    const end = `(CASE WHEN ${len} = -1 THEN ${n} ELSE least(${s} + ${len}, ${n}) END)`;
    const hits = `list_filter(range(${s}, greatest(${end}, ${s})), i -> ${list}[i + 1] = ${value})`;
    const occ = occurrence ? E(p, occurrence) : '1';
    return `(CASE WHEN ${occ} < 1 OR ${len} < -1 THEN NULL ELSE COALESCE(${hits}[${occ}], -1) END)`;
  },
  array_sum: (p, [arr]) => `list_sum(CAST(${jsonList(E(p, arr))} AS DOUBLE[]))`,
  array_sort_asc: (p, args) => sortArrays(p, args, 'ASC'),
  array_sort_desc: (p, args) => sortArrays(p, args, 'DESC'),
  array_reverse: (p, [arr]) => `to_json(list_reverse(${jsonList(E(p, arr))}))`,
  array_iff: (p, [c, a, b]) => {
    const cl = jsonList(E(p, c));
    const al = a.type === 'dynamic' ? jsonList(E(p, a)) : null;
    const bl = b.type === 'dynamic' ? jsonList(E(p, b)) : null;
    const pick = (l: string | null, e: Expr) => (l ? `${l}[i + 1]` : toJson(p, e));
    // a condition is a boolean or a number (non-zero is true); anything else (or null) yields null
    const cond = `${cl}[i + 1]`;
    const truth = `CASE json_type(${cond}) WHEN 'BOOLEAN' THEN CAST(${cond} AS BOOLEAN) WHEN 'BIGINT' THEN CAST(${cond} AS DOUBLE) <> 0 ` +
      `WHEN 'UBIGINT' THEN CAST(${cond} AS DOUBLE) <> 0 WHEN 'DOUBLE' THEN CAST(${cond} AS DOUBLE) <> 0 END`;
    return `to_json(list_transform(range(len(${cl})), i -> CASE ${truth} WHEN TRUE THEN ${pick(al, a)} WHEN FALSE THEN ${pick(bl, b)} END))`;
  },
  array_rotate_left: (p, [arr, n]) => rotate(p, arr, n, 1),
  array_rotate_right: (p, [arr, n]) => rotate(p, arr, n, -1),
  array_shift_left: (p, [arr, n, fill]) => shift(p, arr, n, fill, 1),
  array_shift_right: (p, [arr, n, fill]) => shift(p, arr, n, fill, -1),
  array_split: (p, [arr, idx]) => {
    const l = jsonList(E(p, arr));
    const ix = idx.type === 'dynamic' ? `CAST(${jsonList(E(p, idx))} AS BIGINT[])` : `[CAST(${E(p, idx)} AS BIGINT)]`;
    const bounds = `list_concat([0], list_transform(${ix}, v -> least(greatest(CASE WHEN v < 0 THEN len(${l}) + v ELSE v END, 0), len(${l}))), [len(${l})])`;
    return `to_json(list_transform(range(len(${bounds}) - 1), i -> list_slice(${l}, ${bounds}[i + 1] + 1, ${bounds}[i + 2])))`;
  },
  zip: (p, args) => {
    const ls = args.map((a) => jsonList(E(p, a)));
    const n = `greatest(${ls.map((l) => `len(${l})`).join(', ')})`;
    return `to_json(list_transform(range(${n}), i -> [${ls.map((l) => `${l}[i + 1]`).join(', ')}]))`;
  },
  jaccard_index: (p, [a, b]) => {
    const x = distinctList(`COALESCE(${jsonList(E(p, a))}, [])`);
    const y = distinctList(`COALESCE(${jsonList(E(p, b))}, [])`);
    return `(CAST(len(list_filter(${x}, v -> list_contains(${y}, v))) AS DOUBLE) / len(${distinctList(`list_concat(${x}, ${y})`)}))`;
  },
  repeat: (p, [v, n]) => `to_json(list_transform(range(greatest(CAST(${E(p, n)} AS BIGINT), 0)), i -> ${toJson(p, v)}))`,
  range: (p, [a, b, step]) => {
    // KQL caps range() arrays at 1,048,576 elements
    const st = step ? E(p, step) : '1';
    if (a.type === 'timespan' || a.type === 'datetime') {
      const text = a.type === 'datetime' ? datetimeText7 : timespanText;
      return `to_json(list_transform(generate_series(${E(p, a)}, least(${E(p, b)}, ${E(p, a)} + 1048575 * ${st}), ${st}), v -> ${text('v')}))`;
    }
    if ([a, b, step].some((x) => x && (x.type === 'real' || x.type === 'decimal'))) {
      // real bounds or step: the i-th element is start + i * step (the engine's series are integral)
      const n = `CAST(least(floor((CAST(${E(p, b)} AS DOUBLE) - ${E(p, a)}) / ${st}), 1048575) AS BIGINT)`;
      return `to_json(list_transform(generate_series(0, ${n}), i -> CAST(${E(p, a)} AS DOUBLE) + i * ${st}))`;
    }
    return `to_json(generate_series(${E(p, a)}, CASE WHEN ${st} > 0 THEN least(${E(p, b)}, ${E(p, a)} + 1048575 * ${st}) ELSE greatest(${E(p, b)}, ${E(p, a)} + 1048575 * ${st}) END, ${st}))`;
  },
  // numbers
  bin: (p, [v, s]) => bin(p, v, s),
  bin_at: (p, [v, s, at]) => bin(p, v, s, at),
  round: (p, [a, n], c) => (c.type === 'real' || c.type === 'decimal'
    ? `round(${E(p, a)}, ${n ? `CAST(${E(p, n)} AS INTEGER)` : '0'})`
    : E(p, a)),
  exp2: (p, [a]) => `pow(2, ${E(p, a)})`,
  exp10: (p, [a]) => `pow(10, ${E(p, a)})`,
  log: (p, [a]) => `(CASE WHEN ${E(p, a)} > 0 THEN ln(${E(p, a)}) END)`,
  // null (not an error) outside the domain, as Kusto answers
  sqrt: (p, [a]) => `(CASE WHEN ${E(p, a)} >= 0 THEN sqrt(${E(p, a)}) END)`,
  asin: (p, [a]) => `(CASE WHEN ${E(p, a)} BETWEEN -1 AND 1 THEN asin(${E(p, a)}) END)`,
  acos: (p, [a]) => `(CASE WHEN ${E(p, a)} BETWEEN -1 AND 1 THEN acos(${E(p, a)}) END)`,
  log2: (p, [a]) => `(CASE WHEN ${E(p, a)} > 0 THEN log2(${E(p, a)}) END)`,
  log10: (p, [a]) => `(CASE WHEN ${E(p, a)} > 0 THEN log10(${E(p, a)}) END)`,
  sign: (p, [a], c) => `CAST(sign(${E(p, a)}) AS ${p.dialect.sqlType(c.type)})`,
  gamma: (p, [a]) => `gamma(${E(p, a)})`, loggamma: (p, [a]) => `lgamma(${E(p, a)})`,
  rand: (p, [n]) => (n ? `floor(random() * ${E(p, n)})` : 'random()'),
  binary_and: (p, [a, b]) => `(${E(p, a)} & ${E(p, b)})`,
  binary_or: (p, [a, b]) => `(${E(p, a)} | ${E(p, b)})`,
  binary_xor: (p, [a, b]) => `xor(CAST(${E(p, a)} AS BIGINT), CAST(${E(p, b)} AS BIGINT))`,
  binary_not: (p, [a]) => `(~${E(p, a)})`,
  binary_shift_left: (p, [a, b]) => `(CAST(${E(p, a)} AS BIGINT) << CAST(${E(p, b)} AS INTEGER))`,
  binary_shift_right: (p, [a, b]) => `(CAST(${E(p, a)} AS BIGINT) >> CAST(${E(p, b)} AS INTEGER))`,
  bitset_count_ones: (p, [a]) => `CAST(bit_count(CAST(${E(p, a)} AS BIGINT)) AS BIGINT)`,
  // datetime and timespan
  datetime_add: (p, [part, n, d]) => {
    const u = datePart(part);
    const v = `CAST(${E(p, n)} AS BIGINT)`;
    const x = E(p, d);
    // the count is clamped before it is multiplied (a little beyond the whole range), so nothing overflows
    const clamped = (perUnit: number) => `greatest(-${Math.ceil(3.2e18 / perUnit)}, least(${Math.ceil(3.2e18 / perUnit)}, ${v}))`;
    const months: Record<string, number> = { year: 12, quarter: 3, month: 1 };
    if (Object.hasOwn(months, u)) {
      // calendar months: the day is clamped to the target month's length; the time of day is kept to the tick
      const m = months[u];
      const shifted = `(${timestampOf(x)} + to_months(CAST(${clamped(m * 31 * DAY)} * ${m} AS INTEGER)))`;
      return `(${datetimeOfTimestamp(shifted)} + ${x} % 10)`;
    }
    if (u === 'nanosecond') return addTicks(x, '+', `(${v} // 100)`);
    return addTicks(x, '+', `(${clamped(UNIT_TICKS[u])} * ${UNIT_TICKS[u]})`);
  },
  datetime_diff: (p, [part, a, b]) => {
    const u = datePart(part);
    const x = E(p, a);
    const y = E(p, b);
    // the number of period boundaries between the two: calendar periods on the calendar, the rest in ticks
    if (u === 'year' || u === 'quarter' || u === 'month') return `CAST(date_diff('${u}', ${timestampOf(y)}, ${timestampOf(x)}) AS BIGINT)`;
    if (u === 'week') {
      const sw = (t: string) => `(${t} - (${t} + ${DAY}) % ${7 * DAY})`;
      return `CAST((${sw(x)} - ${sw(y)}) // ${7 * DAY} AS BIGINT)`;
    }
    // beyond a long's range (about 292 years in nanoseconds): null, never an overflow
    if (u === 'nanosecond') return `TRY_CAST((CAST(${x} AS HUGEINT) - ${y}) * 100 AS BIGINT)`;
    const t = UNIT_TICKS[u];
    return `CAST(${x} // ${t} - ${y} // ${t} AS BIGINT)`;
  },
  datetime_part: (p, [part, d]) => {
    const s = constString(part, 'The part').toLowerCase();
    const m: Record<string, string> = {
      year: 'year', quarter: 'quarter', month: 'month', week_of_year: 'week', weekofyear: 'week', day: 'day',
      dayofyear: 'dayofyear', hour: 'hour', minute: 'minute', second: 'second',
    };
    const x = E(p, d);
    if (s === 'millisecond') return `CAST(${x} % 10000000 // 10000 AS INTEGER)`;
    if (s === 'microsecond') return `CAST(${x} % 10000000 // 10 AS INTEGER)`;
    if (s === 'nanosecond') return `CAST(${x} % 10000000 * 100 AS INTEGER)`;
    if (!Object.hasOwn(m, s)) return bad(`Unknown datetime part '${s}'`);
    return `CAST(date_part('${m[s]}', ${timestampOf(x)}) AS INTEGER)`;
  },
  startofday: startOf('day', false), startofweek: startOf('week', false), startofmonth: startOf('month', false), startofyear: startOf('year', false),
  endofday: startOf('day', true), endofweek: startOf('week', true), endofmonth: startOf('month', true), endofyear: startOf('year', true),
  // 0001-01-01 was a Monday: the days since then, plus one, modulo 7 count from Sunday
  dayofweek: (p, [d]) => `((${E(p, d)} // ${DAY} + 1) % 7 * ${DAY})`,
  dayofmonth: (p, [d]) => `CAST(day(${timestampOf(E(p, d))}) AS INTEGER)`,
  dayofyear: (p, [d]) => `CAST(dayofyear(${timestampOf(E(p, d))}) AS INTEGER)`,
  hourofday: (p, [d]) => `CAST(${E(p, d)} % ${DAY} // 36000000000 AS INTEGER)`,
  monthofyear: (p, [d]) => `CAST(month(${timestampOf(E(p, d))}) AS INTEGER)`,
  getyear: (p, [d]) => `CAST(year(${timestampOf(E(p, d))}) AS INTEGER)`,
  week_of_year: (p, [d]) => `CAST(weekofyear(${timestampOf(E(p, d))}) AS INTEGER)`,
  format_datetime: (p, [d, f]) => formatDatetimePattern(p, E(p, d), constString(f, 'The format')),
  format_timespan: (p, [t, f]) => formatTimespanSql(E(p, t), constString(f, 'The format')),
  make_datetime: (p, args) => {
    const a = args.map((x) => E(p, x));
    const [y, mo, d, h, mi, s] = [a[0], a[1] ?? '1', a[2] ?? '1', a[3] ?? '0', a[4] ?? '0', a[5] ?? '0'];
    // the seconds (with their fraction, to the tick) are added to the whole minute
    const minute = `TRY(make_timestamp(CAST(${y} AS BIGINT), CAST(${mo} AS BIGINT), CAST(${d} AS BIGINT), CAST(${h} AS BIGINT), CAST(${mi} AS BIGINT), 0))`;
    // the seconds rounded to the tick (a double holds 59.9999999 as a hair less)
    const ticks = `round(CAST(${s} AS DOUBLE) * 10000000)`;
    return `(CASE WHEN ${ticks} >= 0 AND ${ticks} < 600000000 THEN ${datetimeOfTimestamp(minute)} + CAST(${ticks} AS BIGINT) END)`;
  },
  make_timespan: (p, args) => {
    const a = args.map((x) => `CAST(${E(p, x)} AS DOUBLE)`);
    const [d, h, m, s] = a.length === 2 ? ['0', a[0], a[1], '0'] : a.length === 3 ? ['0', a[0], a[1], a[2]] : a.length >= 4 ? a : ['0', a[0], '0', '0'];
    return `CAST(round(${d} * 864000000000 + ${h} * 36000000000 + ${m} * 600000000 + ${s} * 10000000) AS BIGINT)`;
  },
  unixtime_seconds_todatetime: unixtime(10_000_000),
  unixtime_milliseconds_todatetime: unixtime(10_000),
  unixtime_microseconds_todatetime: unixtime(10),
  unixtime_nanoseconds_todatetime: unixtime(0.01),
  datetime_utc_to_local: (p, [d, tz]) => {
    const x = E(p, d);
    return `(${datetimeOfTimestamp(`CAST(timezone(${txt(p, tz)}, CAST(${timestampOf(x)} AS TIMESTAMPTZ)) AS TIMESTAMP)`)} + ${x} % 10)`;
  },
  datetime_local_to_utc: (p, [d, tz]) => {
    // a local time the zone skips (the hour clocks jump over into daylight saving) has no UTC time: null
    const x = E(p, d);
    const local = timestampOf(x);
    const utc = `CAST(timezone('UTC', timezone(${txt(p, tz)}, ${local})) AS TIMESTAMP)`;
    return `(CASE WHEN timezone(${txt(p, tz)}, timezone('UTC', ${utc})) = ${local} THEN ${datetimeOfTimestamp(utc)} + ${x} % 10 END)`;
  },
  // IPv4
  parse_ipv4: (p, [s]) => {
    const x = txt(p, s);
    return `((${ipv4Number(x)} >> (32 - ${ipv4Prefix(x, '32')})) << (32 - ${ipv4Prefix(x, '32')}))`;
  },
  parse_ipv4_mask: (p, [s, m]) => {
    const x = txt(p, s);
    const pre = `least(${ipv4Prefix(x, '32')}, CAST(${E(p, m)} AS BIGINT))`;
    return `((${ipv4Number(x)} >> (32 - ${pre})) << (32 - ${pre}))`;
  },
  ipv4_is_private: (p, [s]) => {
    const n = ipv4Number(txt(p, s));
    return `((${n} >> 24) = 10 OR (${n} >> 20) = 2753 OR (${n} >> 16) = 49320)`;
  },
  ipv4_is_in_range: (p, [ip, range]) => {
    const r = txt(p, range);
    const pre = ipv4Prefix(r, '32');
    return `(${ipv4Masked(p, ip, pre)} = (${ipv4Number(r)} >> (32 - ${pre})))`;
  },
  ipv4_is_in_any_range: (p, [ip, ...ranges]) => {
    const parts: string[] = [];
    for (const r of ranges) {
      if (r.type === 'dynamic') {
        parts.push(`COALESCE(list_bool_or(list_transform(${textList(E(p, r))}, rr -> (${ipv4Number(txt(p, ip))} >> (32 - ${ipv4Prefix('rr', '32')})) = (${ipv4Number('rr')} >> (32 - ${ipv4Prefix('rr', '32')})))), FALSE)`);
      } else {
        const rs = txt(p, r);
        const pre = ipv4Prefix(rs, '32');
        parts.push(`(${ipv4Masked(p, ip, pre)} = (${ipv4Number(rs)} >> (32 - ${pre})))`);
      }
    }
    return `(${parts.join(' OR ')})`;
  },
  ipv4_is_match: (p, [a, b, prefix]) => {
    const pre = `least(${ipv4Prefix(txt(p, a), '32')}, ${ipv4Prefix(txt(p, b), '32')}${prefix ? `, CAST(${E(p, prefix)} AS BIGINT)` : ''})`;
    return `(${ipv4Masked(p, a, pre)} = ${ipv4Masked(p, b, pre)})`;
  },
  ipv4_compare: (p, [a, b, prefix]) => {
    const pre = `least(${ipv4Prefix(txt(p, a), '32')}, ${ipv4Prefix(txt(p, b), '32')}${prefix ? `, CAST(${E(p, prefix)} AS BIGINT)` : ''})`;
    return `CAST(sign(${ipv4Masked(p, a, pre)} - ${ipv4Masked(p, b, pre)}) AS BIGINT)`;
  },
  format_ipv4: (p, [a, prefix]) => formatIpv4(p, a, prefix, false),
  format_ipv4_mask: (p, [a, prefix]) => formatIpv4(p, a, prefix, true),
  ipv4_netmask_suffix: (p, [s]) => `(CASE WHEN ${ipv4Number(txt(p, s))} IS NOT NULL THEN CAST(${ipv4Prefix(txt(p, s), '32')} AS INTEGER) END)`,
  has_ipv4: (p, [s, ip]) => hasIpv4(txt(p, s), txt(p, ip), false),
  has_ipv4_prefix: (p, [s, ip]) => hasIpv4(txt(p, s), txt(p, ip), true),
  has_any_ipv4: (p, [s, ...ips]) => hasAnyIpv4(p, s, ips, false),
  has_any_ipv4_prefix: (p, [s, ...ips]) => hasAnyIpv4(p, s, ips, true),
  // series (element-wise)
  series_add: series2((a, b) => `${a} + ${b}`), series_subtract: series2((a, b) => `${a} - ${b}`),
  series_multiply: series2((a, b) => `${a} * ${b}`), series_divide: series2((a, b) => `${a} / ${b}`),
  series_greater: series2((a, b) => `${a} > ${b}`), series_greater_equals: series2((a, b) => `${a} >= ${b}`),
  series_less: series2((a, b) => `${a} < ${b}`), series_less_equals: series2((a, b) => `${a} <= ${b}`),
  series_equals: series2((a, b) => `${a} = ${b}`), series_not_equals: series2((a, b) => `${a} <> ${b}`),
  series_pow: series2((a, b) => `pow(${a}, ${b})`),
  series_abs: series1((v) => `abs(${v})`), series_sign: series1((v) => `sign(${v})`), series_floor: series1((v) => `floor(${v})`),
  series_ceiling: series1((v) => `ceil(${v})`), series_exp: series1((v) => `exp(${v})`), series_log: series1((v) => `ln(${v})`),
  series_sin: series1((v) => `sin(${v})`), series_cos: series1((v) => `cos(${v})`), series_tan: series1((v) => `tan(${v})`),
  series_asin: series1((v) => `asin(${v})`), series_acos: series1((v) => `acos(${v})`), series_atan: series1((v) => `atan(${v})`),
  series_fill_const: (p, [a, c]) => `to_json(list_transform(${jsonList(E(p, a))}, v -> CASE WHEN v IS NULL OR json_type(v) = 'NULL' THEN ${toJson(p, c)} ELSE v END))`,
  series_fill_forward: (p, [a]) => {
    const l = jsonList(E(p, a));
    return `to_json(list_transform(range(len(${l})), i -> COALESCE(list_filter(list_reverse(list_slice(${l}, 1, i + 1)), x -> json_type(x) <> 'NULL')[1], CAST('null' AS JSON))))`;
  },
  series_fill_backward: (p, [a]) => {
    const l = jsonList(E(p, a));
    return `to_json(list_transform(range(len(${l})), i -> COALESCE(list_filter(list_slice(${l}, i + 1, len(${l})), x -> json_type(x) <> 'NULL')[1], CAST('null' AS JSON))))`;
  },
  series_stats_dynamic: (p, [a]) => {
    const l = `list_filter(CAST(${jsonList(E(p, a))} AS DOUBLE[]), x -> x IS NOT NULL AND isfinite(x))`;
    return `json_object('min', list_min(${l}), 'min_idx', list_position(${l}, list_min(${l})) - 1, 'max', list_max(${l}), 'max_idx', list_position(${l}, list_max(${l})) - 1, ` +
      `'avg', list_avg(${l}), 'stdev', list_aggregate(${l}, 'stddev_samp'), 'variance', list_aggregate(${l}, 'var_samp'), 'sum', list_sum(${l}), 'len', len(${l}))`;
  },
  __series_index: (p, [t, f, s]) => `CAST(floor((${E(p, t)} - ${E(p, f)}) / ${E(p, s)}) AS BIGINT)`,
  __series_count: (p, [f, e, s]) => `CAST(ceil((${E(p, e)} - ${E(p, f)}) / ${E(p, s)}) AS BIGINT)`,
  __series_axis: (p, [f, s, n]) => (f.type === 'datetime'
    ? `to_json(list_transform(range(${E(p, n)}), i -> ${datetimeText7(`(${E(p, f)} + i * ${E(p, s)})`)}))`
    : `to_json(list_transform(range(${E(p, n)}), i -> ${E(p, f)} + i * ${E(p, s)}))`),
  __series_fill: (p, [pairs, def, n]) => {
    const l = `CAST(${E(p, pairs)} AS JSON[])`;
    return `to_json(list_transform(range(${E(p, n)}), i -> COALESCE(list_filter(${l}, e -> CAST(json_extract_string(e, '$.i') AS BIGINT) = i)[1]->'v', ${toJson(p, def)})))`;
  },
  series_sum: (p, [a]) => `list_sum(CAST(${jsonList(E(p, a))} AS DOUBLE[]))`,
  series_product: (p, [a]) => `list_product(CAST(${jsonList(E(p, a))} AS DOUBLE[]))`,
  series_magnitude: (p, [a]) => `sqrt(list_sum(list_transform(CAST(${jsonList(E(p, a))} AS DOUBLE[]), v -> v * v)))`,
  series_dot_product: (p, [a, b]) => (b.type === 'dynamic'
    ? `list_dot_product(CAST(${jsonList(E(p, a))} AS DOUBLE[]), CAST(${jsonList(E(p, b))} AS DOUBLE[]))`
    : `list_sum(list_transform(CAST(${jsonList(E(p, a))} AS DOUBLE[]), v -> v * ${E(p, b)}))`),
  series_cosine_similarity: (p, [a, b]) => `list_cosine_similarity(CAST(${jsonList(E(p, a))} AS DOUBLE[]), CAST(${jsonList(E(p, b))} AS DOUBLE[]))`,
};

/**
 * A datetime (ticks) from text in ISO-8601, RFC-822 or US (MM/dd/yyyy) forms, or NULL. The engine's
 * TIMESTAMP reads the text to the microsecond; the seventh fractional digit (the tick within it) is
 * read from the text and added back.
 */
function datetimeFromText(x: string): string {
  const t = `NULLIF(trim(${x}), '')`;
  // a time followed by a UTC offset (`+02:00`, `-0530`): read as an instant, then taken in UTC
  const offset = `'\\d:\\d{2}(:\\d{2}(\\.\\d+)?)?\\s*[+-]\\d{2}:?\\d{2}$'`;
  const withOffset = `TRY_CAST(regexp_replace(${t}, '\\s*([+-]\\d{2}):?(\\d{2})$', '\\1:\\2') AS TIMESTAMPTZ) AT TIME ZONE 'UTC'`;
  const formats = ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%m-%d-%Y %H:%M:%S', '%m-%d-%Y %H:%M', '%m-%d-%Y', '%a, %d %b %Y %H:%M:%S GMT', '%d %b %Y %H:%M:%S', '%Y%m%d'];
  const ts = `(CASE WHEN regexp_matches(${t}, ${offset}) THEN ${withOffset} ELSE COALESCE(TRY_CAST(${t} AS TIMESTAMP), CAST(try_strptime(${t}, [${formats.map((f) => `'${f}'`).join(', ')}]) AS TIMESTAMP)) END)`;
  const tick = `COALESCE(TRY_CAST(NULLIF(regexp_extract(${t}, ':\\d{1,2}\\.\\d{6}(\\d)', 1), '') AS BIGINT), 0)`;
  return `(${datetimeOfTimestamp(ts)} + ${tick})`;
}

/** The text hashed for a value: datetimes in their round-trip form (7 fractional digits). */
function hashText(p: ExprPrinter, e: Expr): string {
  return e.type === 'datetime' ? datetimeText7(E(p, e)) : txt(p, e);
}

/** Ticks of a `[-][d.]hh:mm[:ss[.fffffff]]` text, or NULL. */
function timespanFromText(x: string): string {
  const re = `'^\\s*(-)?(?:(\\d+)\\.)?(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,7}))?)?\\s*$'`;
  const g = (i: number) => `COALESCE(TRY_CAST(NULLIF(regexp_extract(${x}, ${re}, ${i}), '') AS BIGINT), 0)`;
  const frac = `COALESCE(TRY_CAST(NULLIF(rpad(regexp_extract(${x}, ${re}, 6), 7, '0'), '0000000') AS BIGINT), 0)`;
  return `(CASE WHEN regexp_full_match(${x}, ${re}) THEN (CASE WHEN regexp_extract(${x}, ${re}, 1) = '-' THEN -1 ELSE 1 END) * (${g(2)} * 864000000000 + ${g(3)} * 36000000000 + ${g(4)} * 600000000 + ${g(5)} * 10000000 + ${frac}) END)`;
}

/** Converts SQL text (VARCHAR) to a KQL type (used by extract with typeof and extract_json). */
function convertText(s: string, t: KqlType): string {
  switch (t) {
    case 'string': return `COALESCE(${s}, '')`;
    case 'long': return `TRY_CAST(${s} AS BIGINT)`;
    case 'int': return `TRY_CAST(${s} AS INTEGER)`;
    case 'real': return `TRY_CAST(${s} AS DOUBLE)`;
    case 'decimal': return `TRY_CAST(${s} AS DECIMAL(38,10))`;
    case 'bool': return `(CASE lower(${s}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE WHEN '1' THEN TRUE WHEN '0' THEN FALSE END)`;
    case 'datetime': return datetimeFromText(s);
    case 'timespan': return timespanFromText(s);
    case 'dynamic': return `(CASE WHEN json_valid(${s}) THEN CAST(${s} AS JSON) ELSE to_json(${s}) END)`;
    case 'guid': return `CAST(TRY_CAST(${s} AS UUID) AS VARCHAR)`;
  }
}

function isEmpty(p: ExprPrinter, a: Expr): string {
  const x = E(p, a);
  if (a.type === 'string' || a.type === 'guid') return `(${x} IS NULL OR ${x} = '')`;
  if (a.type === 'dynamic') return `(${x} IS NULL OR json_type(${x}) = 'NULL' OR (json_type(${x}) = 'VARCHAR' AND json_extract_string(${x}, '$') = ''))`;
  return `(${x} IS NULL)`;
}

function isNull(p: ExprPrinter, a: Expr): string {
  const x = E(p, a);
  if (a.type === 'string') return 'FALSE';
  if (a.type === 'dynamic') return `(${x} IS NULL OR json_type(${x}) = 'NULL')`;
  return `(${x} IS NULL)`;
}

function sortArray(p: ExprPrinter, arr: Expr, dir: 'ASC' | 'DESC', nullsLast?: Expr): string {
  const l = jsonList(E(p, arr));
  const last = nullsLast ? E(p, nullsLast) : 'TRUE';
  const numeric = `list_bool_and(list_transform(${l}, v -> json_type(v) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL')))`;
  const nums = `CAST(${l} AS DOUBLE[])`;
  return `(CASE WHEN ${l} IS NULL THEN NULL WHEN ${numeric} THEN to_json(CASE WHEN ${last} THEN list_sort(${nums}, '${dir}', 'NULLS LAST') ELSE list_sort(${nums}, '${dir}', 'NULLS FIRST') END) ` +
    `ELSE to_json(list_transform(${keyedSort(`list_transform(${l}, v -> {'k': ${jsonText('v')}, 'v': v})`, dir, last)}, x -> x.v)) END)`;
}

/**
 * Sorts a list of structs by their field `k` in direction `dir`, the elements whose key is null
 * placed last when the SQL condition `nullsLast` holds, else first (a struct's null field would
 * otherwise sort by the direction).
 */
function keyedSort(list: string, dir: 'ASC' | 'DESC', nullsLast: string): string {
  const sorted = `list_sort(list_filter(${list}, x -> x.k IS NOT NULL), '${dir}')`;
  const nulls = `list_filter(${list}, x -> x.k IS NULL)`;
  return `(CASE WHEN ${nullsLast} THEN list_concat(${sorted}, ${nulls}) ELSE list_concat(${nulls}, ${sorted}) END)`;
}

/**
 * Percent-encoding as KQL's url_encode does it: letters, digits and - _ . ! * ( ) stay as they are,
 * everything else is %xx in lowercase hex (DuckDB's url_encode keeps ~ and prints uppercase hex).
 */
function kustoUrlEncode(x: string): string {
  let e = `url_encode(${x})`;
  for (const [from, to] of [['%21', '!'], ['%2A', '*'], ['%28', '('], ['%29', ')'], ['~', '%7E']]) e = `replace(${e}, '${from}', '${to}')`;
  // every % now starts an escape (a literal % is %25): lowercase the two hex digits after each
  return `array_to_string(list_transform(string_split(${e}, '%'), (part, i) -> CASE WHEN i = 1 THEN part ELSE lower(part[1:2]) || part[3:] END), '%')`;
}

/**
 * array_sort_asc/desc(array1[, array2, …][, nulls_last]): one array sorts as sortArray does; with
 * several, the first is sorted and the others are reordered to match, and the result is the array of
 * the reordered arrays (null when a list is missing or the lengths differ).
 */
function sortArrays(p: ExprPrinter, args: Expr[], dir: 'ASC' | 'DESC'): string {
  const last = args[args.length - 1];
  const nullsLast = args.length > 1 && last.type === 'bool' ? last : undefined;
  const arrays = nullsLast ? args.slice(0, -1) : args;
  if (arrays.length === 1) return sortArray(p, arrays[0], dir, nullsLast);
  const ls = arrays.map((a) => jsonList(E(p, a)));
  const first = ls[0];
  const placeNullsLast = nullsLast ? E(p, nullsLast) : 'TRUE';
  const numeric = `list_bool_and(list_transform(${first}, v -> json_type(v) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL')))`;
  // positions of the first array in sorted order
  const order = (key: string) => `list_transform(${keyedSort(`list_transform(range(len(${first})), i -> {'k': ${key}, 'i': i})`, dir, placeNullsLast)}, x -> x.i)`;
  const pick = (idx: string) => `to_json([${ls.map((l) => `to_json(list_transform(${idx}, i -> ${l}[i + 1]))`).join(', ')}])`;
  const sameLength = ls.slice(1).map((l) => `len(${l}) = len(${first})`).join(' AND ');
  return `(CASE WHEN ${ls.map((l) => `${l} IS NULL`).join(' OR ')} THEN NULL WHEN NOT (${sameLength}) THEN NULL ` +
    `WHEN ${numeric} THEN ${pick(order(`CAST(${first}[i + 1] AS DOUBLE)`))} ELSE ${pick(order(jsonText(`${first}[i + 1]`)))} END)`;
}

function rotate(p: ExprPrinter, arr: Expr, n: Expr, dir: 1 | -1): string {
  const l = jsonList(E(p, arr));
  const k = `(((${dir} * CAST(${E(p, n)} AS BIGINT)) % len(${l})) + len(${l})) % len(${l})`;
  return `(CASE WHEN len(${l}) = 0 THEN to_json(${l}) ELSE to_json(list_concat(list_slice(${l}, ${k} + 1, len(${l})), list_slice(${l}, 1, ${k}))) END)`;
}

function shift(p: ExprPrinter, arr: Expr, n: Expr, fill: Expr | undefined, dir: 1 | -1): string {
  const l = jsonList(E(p, arr));
  const k = `(${dir} * CAST(${E(p, n)} AS BIGINT))`;
  const f = fill ? toJson(p, fill) : 'CAST(NULL AS JSON)';
  return `to_json(list_transform(range(len(${l})), i -> CASE WHEN i + ${k} >= 0 AND i + ${k} < len(${l}) THEN ${l}[i + ${k} + 1] ELSE ${f} END))`;
}

/** Whether text contains a valid IPv4 address (or, for prefixes, one starting with a prefix ending in '.'). */
function hasIpv4(s: string, ip: string, prefix: boolean): string {
  const addr = `'(?:^|[^0-9.])(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(?:[^0-9.]|$)'`;
  const found = `list_filter(regexp_extract_all(${s}, ${addr}, 1), a -> ${ipv4Number('a')} IS NOT NULL)`;
  if (!prefix) return `(${ipv4Number(ip)} IS NOT NULL AND list_contains(${found}, ${ip}))`;
  return `(CASE WHEN ends_with(${ip}, '.') THEN COALESCE(list_bool_or(list_transform(${found}, a -> starts_with(a, ${ip}))), FALSE) ELSE (${ipv4Number(ip)} IS NOT NULL AND list_contains(${found}, ${ip})) END)`;
}

function hasAnyIpv4(p: ExprPrinter, s: Expr, ips: Expr[], prefix: boolean): string {
  const parts = ips.map((ip) => (ip.type === 'dynamic'
    ? `COALESCE(list_bool_or(list_transform(${textList(E(p, ip))}, v -> ${hasIpv4(txt(p, s), 'v', prefix)})), FALSE)`
    : hasIpv4(txt(p, s), txt(p, ip), prefix)));
  return `(${parts.join(' OR ') || 'FALSE'})`;
}

function formatIpv4(p: ExprPrinter, a: Expr, prefix: Expr | undefined, withMask: boolean): string {
  const n = isInteger(a.type) ? `CAST(${E(p, a)} AS BIGINT)` : ipv4Number(txt(p, a));
  const own = isInteger(a.type) ? '32' : ipv4Prefix(txt(p, a), '32');
  const pre = prefix ? `(CASE WHEN CAST(${E(p, prefix)} AS BIGINT) BETWEEN 0 AND 32 THEN least(${own}, CAST(${E(p, prefix)} AS BIGINT)) END)` : own;
  const masked = `((${n} >> (32 - ${pre})) << (32 - ${pre}))`;
  const dotted = `concat_ws('.', (${masked} >> 24) & 255, (${masked} >> 16) & 255, (${masked} >> 8) & 255, ${masked} & 255)`;
  const text = withMask ? `${dotted} || '/' || CAST(${pre} AS VARCHAR)` : dotted;
  return `COALESCE(CASE WHEN ${n} IS NOT NULL AND ${pre} BETWEEN 0 AND 32 THEN ${text} END, '')`;
}

