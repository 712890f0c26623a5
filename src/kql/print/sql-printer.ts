/**
 * Stage 4 of the KQL pipeline: prints the core relational IR as one SQL SELECT for a dialect.
 * Every literal becomes a positional parameter (never spliced into the text); identifiers are
 * quoted; each scan reads only its declared columns and carries the injected tenant, device-group
 * and look-back predicates.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { ir, type Call, type Expr, type LitValue, type Query, type Rel, type Scan } from '../ir/ir.ts';
import type { KqlType } from '../types.ts';
import type { Dialect, ExprPrinter } from './dialect.ts';
import { planScan } from '../ir/scan-plan.ts';
import { datetimeTicks, EPOCH_TICKS } from '../parse/literals.ts';

/** Printed SQL and its positional parameters. */
export interface PrintedSql {
  sql: string;
  params: unknown[];
}

/** Shared mutable state of one print run (parameters and alias counter). */
interface PrintState {
  params: unknown[];
  index: Map<string, number>;
  alias: number;
  /** Aliases of the rows enclosing mv-apply subqueries, by outer id. */
  outer: Map<number, string>;
}

/** Prints one query for `dialect`. */
export function printSql(q: Query, dialect: Dialect): PrintedSql {
  const st: PrintState = { params: [], index: new Map(), alias: 0, outer: new Map() };
  const p = new SqlPrinter(dialect, st, null);
  const ctes = q.ctes.map((c) => `${dialect.quoteIdent(c.name)} AS MATERIALIZED (${p.rel(c.rel)})`);
  const body = p.rel(q.rel);
  return { sql: ctes.length ? `WITH ${ctes.join(', ')} ${body}` : body, params: st.params };
}

/** The printer; `qualifier` prefixes column references (used for join conditions). */
export class SqlPrinter implements ExprPrinter {
  constructor(readonly dialect: Dialect, private readonly st: PrintState, private readonly qualifier: string | null) {}

  fail(message: string): never {
    throw new PalisadeError('BadRequest', message);
  }

  /** A printer whose column references are qualified by `q`. */
  qualified(q: string | null): SqlPrinter {
    return new SqlPrinter(this.dialect, this.st, q);
  }

  /** A fresh relation alias. */
  alias(): string {
    return `t${this.st.alias++}`;
  }

  param(value: LitValue, type: KqlType): string {
    if (value === null) return this.nullOf(type);
    value = this.dialect.paramValue(value, type);
    const key = `${type}\u0000${typeof value}\u0000${String(value)}`;
    let i = this.st.index.get(key);
    if (i === undefined) {
      this.st.params.push(value);
      i = this.st.params.length;
      this.st.index.set(key, i);
    }
    return `CAST(${this.dialect.placeholder(i)} AS ${this.dialect.sqlType(type)})`;
  }

  nullOf(type: KqlType): string {
    // KQL strings are never null: a "null" string is the empty string
    if (type === 'string') return `CAST('' AS ${this.dialect.sqlType(type)})`;
    return `CAST(NULL AS ${this.dialect.sqlType(type)})`;
  }

  ident(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  expr(e: Expr): string {
    switch (e.k) {
      case 'col': return this.qualifier ? `${this.qualifier}.${this.ident(e.name)}` : this.ident(e.name);
      case 'lit': return this.param(e.value, e.type);
      case 'subquery': {
        const a = this.alias();
        return `(SELECT ${a}.${this.ident(e.rel.columns[0].name)} FROM (${this.rel(e.rel)}) AS ${a} LIMIT 1)`;
      }
      case 'call': return this.call(e);
    }
  }

  /**
   * A WHERE condition. A row is dropped whether its condition is null or false, so an equality
   * reached only through `and`/`or` (never under a negation) is printed as plain SQL `=`, which
   * engines push down to the scan, instead of KQL's null-aware equality.
   */
  condition(e: Expr): string {
    if (e.k !== 'call') return this.expr(e);
    if (e.fn === 'and' || e.fn === 'or') return `(${this.condition(e.args[0])} ${e.fn.toUpperCase()} ${this.condition(e.args[1])})`;
    if (e.fn === '==') return `(${this.expr(e.args[0])} = ${this.expr(e.args[1])})`;
    return this.expr(e);
  }

  private call(c: Call): string {
    const h = this.dialect.functions[c.fn];
    if (!h) return this.fail(`The function '${c.fn.replace(/^__/, '')}' is not supported`);
    return h(this, c.args, c);
  }

  rel(r: Rel): string {
    const d = this.dialect;
    const q = (n: string) => this.ident(n);
    const top = this.qualified(null);
    switch (r.k) {
      case 'scan': return this.scan(r);
      case 'cte': return `SELECT * FROM ${q(r.name)}`;
      case 'values': {
        if (r.rows.length === 1) return `SELECT ${r.columns.map((c, i) => `${top.expr(r.rows[0][i])} AS ${q(c.name)}`).join(', ')}`;
        if (r.rows.length === 0) return `SELECT ${r.columns.map((c) => `${this.nullOf(c.type)} AS ${q(c.name)}`).join(', ')} WHERE FALSE`;
        const a = this.alias();
        const rows = r.rows.map((row) => `(${row.map((e, i) => castTo(top, e, r.columns[i].type)).join(', ')})`).join(', ');
        return `SELECT * FROM (VALUES ${rows}) AS ${a}(${r.columns.map((c) => q(c.name)).join(', ')})`;
      }
      case 'range': return d.range(top, r);
      case 'filter': {
        const a = this.alias();
        const input = r.input.k === 'scan' ? this.scan(r.input, storedBounds(r.input, r.cond)) : this.rel(r.input);
        return `SELECT * FROM (${input}) AS ${a} WHERE ${top.condition(r.cond)}`;
      }
      case 'project': {
        const a = this.alias();
        return `SELECT ${r.items.map((i) => `${top.expr(i.expr)} AS ${q(i.name)}`).join(', ')} FROM (${this.rel(r.input)}) AS ${a}`;
      }
      case 'aggregate': {
        const a = this.alias();
        return d.aggregate(top, r, `(${this.rel(r.input)}) AS ${a}`);
      }
      case 'sort': {
        const a = this.alias();
        return `SELECT * FROM (${this.rel(r.input)}) AS ${a} ORDER BY ${this.orderBy(r.keys)}`;
      }
      case 'limit': {
        const a = this.alias();
        const n = limitText(top, r.count);
        if (r.input.k === 'sort') {
          return `SELECT * FROM (${this.rel(r.input.input)}) AS ${a} ORDER BY ${this.orderBy(r.input.keys)} LIMIT ${n}`;
        }
        return `SELECT * FROM (${this.rel(r.input)}) AS ${a} LIMIT ${n}`;
      }
      case 'dedupe': {
        const a = this.alias();
        return d.dedupe(top, r, `(${this.rel(r.input)}) AS ${a}`);
      }
      case 'join': {
        const l = this.alias();
        const rr = this.alias();
        const lp = this.qualified(l);
        const rp = this.qualified(rr);
        return d.join(top, r, `(${this.rel(r.left)}) AS ${l}`, `(${this.rel(r.right)}) AS ${rr}`, (e) => lp.expr(e), (e) => rp.expr(e));
      }
      case 'union': return r.inputs.map((i) => `SELECT * FROM (${this.rel(i)}) AS ${this.alias()}`).join(' UNION ALL ');
      case 'mvexpand': {
        const a = this.alias();
        return d.mvExpand(top, r, `(${this.rel(r.input)}) AS ${a}`);
      }
      case 'window': {
        // items that use other items' results are computed in a later layer
        const layerOf = new Map<string, number>();
        const uses = (e: Expr, acc: Set<string>): Set<string> => {
          if (e.k === 'col') acc.add(e.name);
          else if (e.k === 'call') e.args.forEach((x) => uses(x, acc));
          return acc;
        };
        for (const it of r.items) {
          const deps = uses(it.partition ?? ir.lit(null, 'long'), new Set());
          it.args.forEach((x) => uses(x, deps));
          let l = 0;
          for (const dname of deps) if (layerOf.has(dname)) l = Math.max(l, layerOf.get(dname)! + 1);
          layerOf.set(it.name, l);
        }
        const layers = Math.max(0, ...layerOf.values());
        const order = r.order.length ? this.orderBy(r.order) : '';
        let sql = this.rel(r.input);
        for (let l = 0; l <= layers; l++) {
          const items = r.items.filter((i) => layerOf.get(i.name) === l).map((i) => {
            const over = [i.partition ? `PARTITION BY ${top.expr(i.partition)}` : '', order ? `ORDER BY ${order}` : ''].filter(Boolean).join(' ');
            return `${d.window(top, i, over)} AS ${q(i.name)}`;
          });
          // window evaluation does not keep row order: restore the serialized order
          sql = `SELECT *, ${items.join(', ')} FROM (${sql}) AS ${this.alias()}${order ? ` ORDER BY ${order}` : ''}`;
        }
        return sql;
      }
      case 'mvapply': {
        const a = this.alias();
        const s = this.alias();
        this.st.outer.set(r.outerId, a);
        const cols = [...r.keep.map((n) => `${a}.${q(n)} AS ${q(n)}`), ...r.extra.map((n) => `${s}.${q(n)} AS ${q(n)}`)];
        return `SELECT ${cols.join(', ')} FROM (${this.rel(r.input)}) AS ${a}, LATERAL (${this.rel(r.sub)}) AS ${s}`;
      }
      case 'outer': {
        const a = this.st.outer.get(r.id);
        if (!a) throw new Error('internal: outer row outside mv-apply');
        return `SELECT ${r.columns.map((c) => `${a}.${q(c.name)} AS ${q(c.name)}`).join(', ')}`;
      }
      case 'scanop': return d.scanOp(top, r, planScan(r), this.rel(r.input));
      case 'components': return d.components(top, r, this.rel(r.nodes), this.rel(r.edges));
      case 'kjoin': case 'kunion': throw new Error(`internal: ${r.k} must be lowered before printing`);
    }
  }

  private orderBy(keys: { expr: Expr; desc: boolean; nullsFirst: boolean }[]): string {
    return keys.map((k) => `${this.qualified(null).expr(k.expr)} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ');
  }

  /**
   * A scan: declared columns only (strings never null, as in KQL; stored values read as the engine
   * holds them) plus the injected scope predicates and `bounds` on stored datetime columns.
   */
  private scan(s: Scan, bounds: StoredBound[] = []): string {
    const q = (n: string) => this.ident(n);
    const cols = s.columns.map((c) => {
      const stored = s.aliases?.[c.name] ?? c.name;
      if (c.type === 'string') return `COALESCE(${q(stored)}, '') AS ${q(c.name)}`;
      const read = this.dialect.readStored(stored, c.type);
      return read === q(c.name) ? read : `${read} AS ${q(c.name)}`;
    });
    const where = [`${q('__TenantId')} = ${this.param(s.scope.tenantId, 'string')}`];
    if (s.scope.rbacGroupIds) {
      where.push(s.scope.rbacGroupIds.length
        ? `${q('__RbacGroupId')} IN (${s.scope.rbacGroupIds.map((g) => this.param(g, 'int')).join(', ')})`
        : 'FALSE');
    }
    if (s.scope.since) where.push(`${q('Timestamp')} >= ${this.dialect.storedDatetime(this, BigInt(s.scope.since.getTime()) * 10_000n + EPOCH_TICKS, 'Timestamp')}`);
    for (const b of bounds) where.push(`${q(b.column)} ${b.op} ${this.dialect.storedDatetime(this, b.ticks, b.column)}`);
    if (s.scope.batchSeq !== undefined) where.push(`${q('__BatchSeq')} = ${this.param(s.scope.batchSeq, 'long')}`);
    return `SELECT ${cols.join(', ')} FROM ${q(s.table)} WHERE ${where.join(' AND ')}`;
  }
}

/** A predicate on a stored datetime column, implied by a filter on the scan's rows. */
interface StoredBound {
  column: string;
  op: '>=' | '<=';
  ticks: bigint;
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==' };

/**
 * The bounds on stored datetime columns that a filter directly over a scan implies: for each
 * comparison of a scanned datetime column with a datetime literal joined by `and`, the same
 * comparison on the stored column, widened to the stored precision and range (`>` and `>=` become
 * `>=` the bound rounded down, `<` and `<=` become `<=` it; `==` both). They keep every row the filter keeps
 * and let the engine skip stored data by its statistics; the filter itself still decides, to the tick.
 */
function storedBounds(s: Scan, cond: Expr): StoredBound[] {
  if (cond.k !== 'call') return [];
  if (cond.fn === 'and') return [...storedBounds(s, cond.args[0]), ...storedBounds(s, cond.args[1])];
  if (!Object.hasOwn(FLIPPED, cond.fn) || cond.args.length !== 2) return [];
  let [a, b] = cond.args;
  let op = cond.fn;
  if (a.k === 'lit') {
    [a, b] = [b, a];
    op = FLIPPED[op];
  }
  if (a.k !== 'col' || a.type !== 'datetime' || b.k !== 'lit' || b.type !== 'datetime' || typeof b.value !== 'string') return [];
  const name = a.name;
  if (!s.columns.some((c) => c.name === name && c.type === 'datetime')) return [];
  const column = s.aliases?.[name] ?? name;
  const ticks = datetimeTicks(b.value);
  const out: StoredBound[] = [];
  if (op === '>' || op === '>=' || op === '==') out.push({ column, op: '>=', ticks });
  if (op === '<' || op === '<=' || op === '==') out.push({ column, op: '<=', ticks });
  return out;
}

/**
 * A LIMIT count: a validated integer literal is printed as a number (engines require constant
 * limits in some positions, e.g. correlated subqueries); anything else as an expression.
 */
function limitText(p: ExprPrinter, e: Expr): string {
  if (e.k === 'lit' && (typeof e.value === 'number' || typeof e.value === 'bigint') && Number.isSafeInteger(Number(e.value))) {
    return String(Math.max(0, Number(e.value)));
  }
  return p.expr(e);
}

/** An expression cast to a type when its own type differs (VALUES rows need uniform types). */
function castTo(p: ExprPrinter, e: Expr, t: KqlType): string {
  const s = p.expr(e);
  return e.type === t ? s : `CAST(${s} AS ${p.dialect.sqlType(t)})`;
}
