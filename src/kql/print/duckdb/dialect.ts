/**
 * The DuckDB dialect: `$n` placeholders, double-quoted identifiers, KQL→DuckDB types, the function
 * and aggregate tables, and DuckDB forms of range, arg_max, dedupe (QUALIFY), semi/anti joins and
 * mv-expand (UNNEST of JSON arrays).
 */
import type { Aggregate, Dedupe, Expr, Join, MvExpand, Range, Rel, WindowItem } from '../../ir/ir.ts';
import { convertTo } from '../../ir/convert.ts';
import { ir } from '../../ir/ir.ts';
import type { KqlType } from '../../types.ts';
import type { Dialect, ExprPrinter } from '../dialect.ts';
import { DUCKDB_AGGREGATES } from './aggregates.ts';
import { DUCKDB_FUNCTIONS } from './functions.ts';
import { scanOpSql } from './scan-op.ts';
import { componentsSql } from './graph-components.ts';
import { datetimeText7, jsonList, ticksOf, timespanText } from './sql-helpers.ts';
import { datetimeTicks } from '../../parse/literals.ts';
import { EPOCH_TICKS, formatDatetimeMicros, formatDatetimeTicks, storedToTheTick } from '../../../schema/datetime.ts';

const TYPES: Record<KqlType, string> = {
  // datetimes are ticks (100 ns) since 0001-01-01, timespans ticks (see sql-helpers.ts)
  string: 'VARCHAR', long: 'BIGINT', int: 'INTEGER', real: 'DOUBLE', bool: 'BOOLEAN', datetime: 'BIGINT',
  timespan: 'BIGINT', dynamic: 'JSON', guid: 'VARCHAR', decimal: 'DECIMAL(38,10)',
};

const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;

/** The first and last whole microsecond's tick a TIMESTAMP_NS holds (1677-09-22 to 2262-04-11), since 0001-01-01. */
const MIN_NS_TICKS = EPOCH_TICKS - 92_233_720_368_547_750n;
const MAX_NS_TICKS = EPOCH_TICKS + 92_233_720_368_547_750n;

/** The DuckDB SQL dialect. */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  quoteIdent: quote,
  placeholder: (i) => `$${i}`,
  sqlType: (t) => TYPES[t],
  paramValue: (value, type) => (type === 'datetime' && typeof value === 'string' ? datetimeTicks(value) : value),
  // the event store keeps each table's Timestamp as TIMESTAMP_NS (to the tick), other datetimes as
  // TIMESTAMP (microseconds): see schema/datetime.ts storedToTheTick
  readStored: (column, type) => {
    const q = quote(column);
    if (type !== 'datetime') return q;
    return storedToTheTick(column) ? `(epoch_ns(${q}) // 100 + ${EPOCH_TICKS})` : ticksOf(q);
  },
  storedDatetime: (p, ticks, column) => {
    if (!storedToTheTick(column)) return `CAST(${p.param(formatDatetimeMicros(ticks / 10n - EPOCH_TICKS / 10n), 'string')} AS TIMESTAMP)`;
    const t = ticks < MIN_NS_TICKS ? MIN_NS_TICKS : ticks > MAX_NS_TICKS ? MAX_NS_TICKS : ticks;
    return `CAST(${p.param(formatDatetimeTicks(t), 'string')} AS TIMESTAMP_NS)`;
  },
  functions: DUCKDB_FUNCTIONS,
  aggregates: DUCKDB_AGGREGATES,

  range(p: ExprPrinter, r: Range): string {
    const c = r.columns[0];
    const from = p.expr(r.from);
    const to = p.expr(r.to);
    const step = p.expr(r.step);
    // datetimes and timespans are ticks: one arithmetic for every type
    const count = `CAST(floor((${to} - ${from}) / ${step}) AS BIGINT)`;
    const value = `CAST(${from} + i * ${step} AS ${TYPES[c.type]})`;
    return `SELECT ${value} AS ${quote(c.name)} FROM generate_series(0, ${count}) AS _range(i)`;
  },

  aggregate(p: ExprPrinter, r: Aggregate, from: string): string {
    const keys = r.keys.map((k) => `${p.expr(k.expr)} AS ${quote(k.name)}`);
    const inner: string[] = [...keys];
    const outer: string[] = r.keys.map((k) => quote(k.name));
    let multi = false;
    r.aggs.forEach((a, i) => {
      if (a.fn === 'arg_max' || a.fn === 'arg_min') {
        const key = p.expr(a.args[0]);
        if (neverNull(r.input, a.args[0])) {
          // The maximized value is never null (a scanned Timestamp): one arg_max_null per column, each
          // keeping null values of its column. They all pick the same row: ties keep the first row
          // seen, and the partial states of one group are combined together, in the same order.
          a.args.slice(1).forEach((e, j) => {
            inner.push(`${a.fn}_null(${p.expr(e)}, ${key}) AS ${quote(a.outs[j].name)}`);
            outer.push(quote(a.outs[j].name));
          });
          return;
        }
        multi = true;
        const fields = a.args.slice(1).map((e, j) => `f${j} := ${p.expr(e)}`);
        const tmp = `__am${i}`;
        const s = `struct_pack(${fields.join(', ')})`;
        // a group whose maximized values are all null still yields a row (as KQL does)
        inner.push(`COALESCE(${a.fn}(${s}, ${key}), first(${s})) AS ${quote(tmp)}`);
        a.outs.forEach((o, j) => outer.push(`${quote(tmp)}.f${j} AS ${quote(o.name)}`));
        return;
      }
      const h = p.dialect.aggregates[a.fn];
      if (!h) p.fail(`The aggregate function '${a.fn}' is not supported`);
      inner.push(`${h(p, a.args, a)} AS ${quote(a.outs[0].name)}`);
      outer.push(quote(a.outs[0].name));
    });
    const groupBy = r.keys.length ? ` GROUP BY ${r.keys.map((_, i) => i + 1).join(', ')}` : '';
    const sql = `SELECT ${inner.join(', ')} FROM ${from}${groupBy}`;
    return multi ? `SELECT ${outer.join(', ')} FROM (${sql}) AS __agg` : sql;
  },

  window(p: ExprPrinter, item: WindowItem, over: string): string {
    const [a, b, c] = item.args;
    switch (item.fn) {
      case 'row_number': return `(row_number() OVER (${over})${a ? ` + ${p.expr(a)} - 1` : ''})`;
      case 'prev': case 'next': {
        const fn = item.fn === 'prev' ? 'lag' : 'lead';
        const w = `${fn}(${p.expr(a)}, ${b ? `CAST(${p.expr(b)} AS BIGINT)` : '1'}${c ? `, ${p.expr(c)}` : ''}) OVER (${over})`;
        return item.type === 'string' ? `COALESCE(${w}, '')` : w;
      }
      case 'row_cumsum': return `CAST(sum(${p.expr(a)}) OVER (${over} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${TYPES[item.type]})`;
      case 'row_rank_dense': case 'row_rank_min': {
        const part = item.partition ? `PARTITION BY ${p.expr(item.partition)} ` : '';
        return `${item.fn === 'row_rank_dense' ? 'dense_rank' : 'rank'}() OVER (${part}ORDER BY ${p.expr(a)})`;
      }
      // rows_near: whether a row within `b` rows before or `c` rows after satisfies `a`
      case '__near': {
        // frame bounds must be constants: the binder only makes integer literals
        const rows = (e: Expr) => (e.k === 'lit' && Number.isSafeInteger(Number(e.value)) ? String(Number(e.value)) : p.fail('rows_near: the numbers of rows must be constants'));
        return `COALESCE(bool_or(${p.expr(a)}) OVER (${over} ROWS BETWEEN ${rows(b)} PRECEDING AND ${rows(c)} FOLLOWING), false)`;
      }
      case '__segment': return `sum(CASE WHEN ${p.expr(a)} THEN 1 ELSE 0 END) OVER (${over} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
      default: return p.fail(`The function '${item.fn}' is not supported`);
    }
  },

  dedupe(p: ExprPrinter, r: Dedupe, from: string): string {
    return `SELECT * FROM ${from} QUALIFY row_number() OVER (PARTITION BY ${r.keys.map((k) => p.expr(k)).join(', ')}) = 1`;
  },

  join(p: ExprPrinter, r: Join, left: string, right: string, le: (e: Expr) => string, re: (e: Expr) => string): string {
    const [la, ra] = [left.slice(left.lastIndexOf(' AS ') + 4), right.slice(right.lastIndexOf(' AS ') + 4)];
    const cond = [
      ...r.on.map((o) => `${le(o.left)} = ${re(o.right)}`),
      ...(r.ranges ?? []).map((g) => `${le(g.left)} BETWEEN ${re(g.lo)} AND ${re(g.hi)}`),
    ].join(' AND ');
    const kind = { inner: 'INNER JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL OUTER JOIN', semi: 'SEMI JOIN', anti: 'ANTI JOIN' }[r.kind];
    const outerSide = (side: 'left' | 'right') => (r.kind === 'full' || (r.kind === 'left' && side === 'right') || (r.kind === 'right' && side === 'left'));
    const cols = r.outputs.map((o) => {
      const src = `${o.side === 'left' ? la : ra}.${quote(o.name)}`;
      const v = o.type === 'string' && outerSide(o.side) ? `COALESCE(${src}, '')` : src;
      return `${v} AS ${quote(o.as)}`;
    });
    void p;
    return `SELECT ${cols.join(', ')} FROM ${left} ${kind} ${right} ON ${cond}`;
  },

  jsonRows(columns, sql) {
    // Each row is one json_object(key, value, …) call: the keys are the column names as strings (names
    // that differ only in case stay apart, unlike struct fields), the values DuckDB's JSON of each
    // printed value. One call per row instead of a chain of text concatenations, whose fixed cost per
    // chunk grew with the number of columns. The subquery's columns are renamed by position for the
    // same reason as the keys.
    const args = columns.flatMap((c, i) => {
      const x = `__r.__c${i}`;
      let v: string;
      switch (c.type) {
        case 'string': v = `COALESCE(CAST(${x} AS VARCHAR), '')`; break;
        case 'datetime': v = datetimeText7(x); break;
        case 'timespan': v = timespanText(x); break;
        case 'real': case 'decimal':
          v = `CASE WHEN isnan(CAST(${x} AS DOUBLE)) THEN to_json('NaN') WHEN isinf(CAST(${x} AS DOUBLE)) ` +
            `THEN to_json(CASE WHEN ${x} > 0 THEN 'Infinity' ELSE '-Infinity' END) ELSE to_json(${x}) END`;
          break;
        // dynamic values are JSON already; text that is not JSON stays a string
        case 'dynamic': v = `COALESCE(TRY_CAST(${x} AS JSON), to_json(${x}))`; break;
        default: v = x;
      }
      return [`'${c.name.replaceAll("'", "''")}'`, v];
    });
    return `SELECT CAST(json_object(${args.join(', ')}) AS VARCHAR) AS __row FROM (${sql}) AS __r(${columns.map((_, i) => `__c${i}`).join(', ')})`;
  },

  scanOp: scanOpSql,
  components: componentsSql,

  mvExpand(p: ExprPrinter, r: MvExpand, from: string): string {
    const expandedNames = new Set(r.items.map((i) => i.name));
    const alias = from.slice(from.lastIndexOf(' AS ') + 4);
    const keep = r.columns
      .filter((c) => !expandedNames.has(c.name) && c.name !== r.indexName)
      .map((c) => `${alias}.${quote(c.name)}`);
    const lists = r.items.map((i) => {
      const x = p.expr(i.expr);
      const value = `json_extract(${x}, '$."' || replace(k, '"', '\\"') || '"')`;
      const bagEntries = r.bagExpansion === 'array'
        ? `list_transform(json_keys(${x}), k -> json_array(k, ${value}))`
        : `list_transform(json_keys(${x}), k -> json_object(k, ${value}))`;
      // parse_json(text) expanded: the text is cast to an array straight away (see lower.ts)
      const text = i.expr.k === 'call' && i.expr.fn === 'parse_json' && i.expr.args[0]?.type === 'string' ? p.expr(i.expr.args[0]) : null;
      // a null (or missing) value expands to one row holding null; an empty array or bag to none
      let l = `COALESCE(${text ? `${jsonList(text)}, ` : ''}${jsonList(x)}, CASE json_type(${x}) WHEN 'OBJECT' THEN ${bagEntries} WHEN 'NULL' THEN [CAST(NULL AS JSON)] ELSE CASE WHEN ${x} IS NULL THEN [CAST(NULL AS JSON)] ELSE [${x}] END END)`;
      if (r.limit !== null) l = `list_slice(${l}, 1, ${p.param(r.limit, 'long')})`;
      return l;
    });
    const inner = [...keep, ...r.items.map((it, i) => `unnest(${lists[i]}) AS ${quote(`__mv${i}`)}`)];
    if (r.indexName) inner.push(`unnest(range(greatest(${lists.map((l) => `len(${l})`).join(', ')}))) AS ${quote('__mvidx')}`);
    const innerSql = `SELECT ${inner.join(', ')} FROM ${from}`;
    const outer = r.columns.map((c) => {
      const itemIdx = r.items.findIndex((it) => it.name === c.name);
      if (itemIdx >= 0) {
        const e = convertTo(ir.col(`__mv${itemIdx}`, 'dynamic'), r.items[itemIdx].type);
        return `${p.expr(e)} AS ${quote(c.name)}`;
      }
      if (c.name === r.indexName) return `CAST(${quote('__mvidx')} AS BIGINT) AS ${quote(c.name)}`;
      return quote(c.name);
    });
    return `SELECT ${outer.join(', ')} FROM (${innerSql}) AS __mv`;
  },
};

/**
 * Whether `e`, evaluated over the rows of `r`, is never null: true only for a column that carries a
 * table scan's Timestamp unchanged (the scan keeps rows with Timestamp ≥ the look-back bound only).
 */
function neverNull(r: Rel, e: Expr): boolean {
  if (e.k !== 'col') return false;
  let name = e.name;
  let rel: Rel = r;
  for (;;) {
    switch (rel.k) {
      case 'filter': case 'sort': case 'limit': case 'dedupe':
        rel = rel.input;
        continue;
      case 'project': {
        const item = rel.items.find((i) => i.name === name);
        if (!item || item.expr.k !== 'col') return false;
        name = item.expr.name;
        rel = rel.input;
        continue;
      }
      case 'scan':
        return rel.scope.since !== null && (rel.aliases?.[name] ?? name) === 'Timestamp';
      default:
        return false;
    }
  }
}
