/**
 * The relational IR the KQL engine lowers to, and the scalar expressions shared by the binder,
 * the lowering and the printers. Every relational node states its output columns; every
 * expression states its KQL result type. The IR holds values, never SQL text.
 */
import type { Column, KqlType } from '../types.ts';

/**
 * A literal value. Strings, numbers and booleans as in JS; `bigint` for longs beyond 2^53;
 * datetimes as ISO-8601 UTC strings; timespans as a number of 100 ns ticks; dynamic values as
 * their JSON text; null for a typed null.
 */
export type LitValue = string | number | boolean | bigint | null;

/** A reference to a column of the input row. */
export interface ColRef { k: 'col'; name: string; type: KqlType }
/** A literal; printers always pass its value as a query parameter. */
export interface Lit { k: 'lit'; value: LitValue; type: KqlType }
/**
 * A call of a KQL scalar function or operator by its canonical KQL name (`strcat`, `==`, `has`,
 * `and`, `in~`, …). Internal helpers carry a `__` prefix (e.g. `__dyn_get` for `d.a` / `d[0]`).
 */
export interface Call { k: 'call'; fn: string; args: Expr[]; type: KqlType }
/** A tabular subquery used as a value: a scalar (toscalar) or a list (right side of `in`). */
export interface SubqueryExpr { k: 'subquery'; rel: Rel; type: KqlType }

/** A scalar expression. */
export type Expr = ColRef | Lit | Call | SubqueryExpr;

/** An expression with the output column name it defines. */
export interface NamedExpr { name: string; expr: Expr }

/** Where a table scan may read: injected into every scan, never taken from the query. */
export interface ScanScope {
  tenantId: string;
  /** null = every device group; otherwise rows must have one of these rbac group ids. */
  rbacGroupIds: readonly number[] | null;
  /** Lower bound on Timestamp (MDE's look-back limit), or null for tables without Timestamp. */
  since: Date | null;
  /** Only the rows of this committed batch (a near-real-time detection rule evaluating one batch of the feed). */
  batchSeq?: number;
}

/** Reads a stored event table; only `columns` are visible, hidden columns never are. */
export interface Scan {
  k: 'scan'; table: string; columns: Column[]; scope: ScanScope;
  /** Columns that read another stored column (e.g. the hidden TimeGenerated alias of Timestamp). */
  aliases?: Record<string, string>;
}
/** Literal rows (datatable, print). */
export interface Values { k: 'values'; columns: Column[]; rows: Expr[][] }
/** range x from a to b step s: one column, inclusive of `to`. */
export interface Range { k: 'range'; columns: Column[]; from: Expr; to: Expr; step: Expr }
/** Keeps rows where cond is true. */
export interface Filter { k: 'filter'; input: Rel; cond: Expr; columns: Column[] }
/** Computes exactly `items` (output columns in that order). */
export interface Project { k: 'project'; input: Rel; items: NamedExpr[]; columns: Column[] }

/**
 * One aggregate call. `outs` are the columns it produces: one for ordinary aggregates, several for
 * arg_max/arg_min, whose args are [maximized expr, value for outs[0], value for outs[1], …].
 */
export interface AggItem { fn: string; args: Expr[]; outs: Column[] }
/** GROUP BY keys (first in the output) plus aggregates; no keys = one row. */
export interface Aggregate { k: 'aggregate'; input: Rel; keys: NamedExpr[]; aggs: AggItem[]; columns: Column[] }

/** A sort key; KQL defaults are desc with nulls last, asc with nulls first. */
export interface SortKey { expr: Expr; desc: boolean; nullsFirst: boolean }
/** Orders rows by the keys. */
export interface Sort { k: 'sort'; input: Rel; keys: SortKey[]; columns: Column[] }
/** Keeps at most `count` rows (the first ones when the input is sorted). */
export interface Limit { k: 'limit'; input: Rel; count: Expr; columns: Column[] }
/** Keeps one arbitrary row per distinct key (innerunique joins dedupe their left side this way). */
export interface Dedupe { k: 'dedupe'; input: Rel; keys: Expr[]; columns: Column[] }

/** SQL join kinds after lowering (right semi/anti are lowered to left ones by swapping sides). */
export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
/** A selected output column of a join: which side and input column, and its output name. */
export interface JoinOutput { side: 'left' | 'right'; name: string; as: string; type: KqlType }
/** A range condition of a join: the left value lies within [lo, hi] of the right row (inclusive). */
export interface JoinRange { left: Expr; lo: Expr; hi: Expr }
/**
 * Equi-join on pairs of expressions (left expr over left columns, right over right columns), plus
 * optional range conditions (ANDed). Semi/anti output only left columns.
 */
export interface Join {
  k: 'join'; left: Rel; right: Rel; kind: JoinKind; on: { left: Expr; right: Expr }[];
  ranges?: JoinRange[];
  outputs: JoinOutput[]; columns: Column[];
}
/** UNION ALL of inputs that already produce exactly `columns`. */
export interface Union { k: 'union'; inputs: Rel[]; columns: Column[] }

/**
 * mv-expand: one output row per element of the array (or property of the bag) in each item; several
 * items expand in parallel (shorter ones padded with null). Other columns repeat. Expanded values
 * replace (or add) the named column, converted to `type`.
 */
export interface MvExpand {
  k: 'mvexpand'; input: Rel; items: { name: string; expr: Expr; type: KqlType }[];
  indexName: string | null; limit: number | null; columns: Column[];
  /** How property bags expand: one single-property bag per row, or one [key, value] array per row. */
  bagExpansion: 'bag' | 'array';
}

/** A window computation appended as new columns, over the input in its current (serialized) order. */
export interface WindowItem {
  name: string; fn: string; args: Expr[]; type: KqlType;
  /** Restart segments: rows with the same value form one partition (row_cumsum/row_number restart). */
  partition?: Expr;
}
/** Window functions over the rows in `order` (the upstream sort; empty = the input's own order). */
export interface Window { k: 'window'; input: Rel; items: WindowItem[]; order: SortKey[]; columns: Column[] }

/**
 * mv-apply: for each input row, `sub` runs over that row's expansion (whose innermost input is the
 * `outer` node with the same id, i.e. the current input row). Output: the `keep` input columns,
 * then the `extra` columns of the subquery's result.
 */
export interface MvApply {
  k: 'mvapply'; input: Rel; outerId: number; sub: Rel; keep: string[]; extra: string[]; columns: Column[];
}
/** The current row of the enclosing mv-apply (correlated), as a one-row relation. */
export interface OuterRow { k: 'outer'; id: number; columns: Column[] }

/** One step of a scan (see ScanOp). */
export interface ScanStep {
  name: string;
  /** Which of its matches the step outputs: every one, the last of a run of repeated matches, or none. */
  output: 'all' | 'last' | 'none';
  cond: Expr;
  /** Declared columns set when the step matches (the others take their default). */
  assigns: NamedExpr[];
}

/**
 * scan: a state machine run over the input rows in `order` (the upstream sort; empty = the input's
 * own order); see src/kql/runtime/scan.ts for its matching rules. Conditions and assignments read the
 * current row's columns, and the values an earlier match left in the state as columns named
 * `scanStateColumn(step, column)`. Output: one row per match of a step that outputs it — the input
 * columns, the declared ones, then the match id and step name columns when asked for.
 */
export interface ScanOp {
  k: 'scanop'; input: Rel; order: SortKey[];
  declared: { name: string; type: KqlType; init: Lit }[];
  steps: ScanStep[];
  matchId: string | null; stepName: string | null;
  columns: Column[];
}

const SCAN_STATE = /^__scan(\d+)\.(.*)$/s;

/** The column name a scan step's state value takes in expressions: `s.col` of the step at `step` (0-based). */
export function scanStateColumn(step: number, column: string): string {
  return `__scan${step}.${column}`;
}

/** The step and column a scanStateColumn name stands for, or null for an ordinary column. */
export function scanStateOf(name: string): { step: number; column: string } | null {
  const m = SCAN_STATE.exec(name);
  return m ? { step: Number(m[1]), column: m[2] } : null;
}

/**
 * graph-mark-components: `nodes` extended by the column `name`, the id (from 0) of the connected
 * component each node belongs to — weak: linked by edges either way; strong: reaching each other
 * along edges (see src/kql/runtime/graph-components.ts). `nodeKey` identifies a node (over `nodes`),
 * `source` and `target` an edge's endpoints (over `edges`), all as text.
 */
export interface GraphComponents {
  k: 'components'; nodes: Rel; edges: Rel; nodeKey: Expr; source: Expr; target: Expr; strong: boolean; name: string;
  /** Whether identities are `partition + U+0001 + key` (partitioned-by): components are numbered per partition. */
  partitioned: boolean;
  columns: Column[];
}

/** A reference to a materialized common table expression declared in `Query.ctes`. */
export interface CteRef { k: 'cte'; name: string; columns: Column[] }

/** KQL join flavours as written (`kind=`), before lowering. */
export type KqlJoinKind =
  | 'innerunique' | 'inner' | 'leftouter' | 'rightouter' | 'fullouter' | 'leftanti' | 'rightanti' | 'leftsemi' | 'rightsemi';

/**
 * High-level join as bound from KQL (join or lookup): output columns already named by KQL rules.
 * Lowering turns it into Join (+ Dedupe for innerunique, side swap for right semi/anti).
 */
export interface KJoin {
  k: 'kjoin'; left: Rel; right: Rel; kind: KqlJoinKind; on: { left: Expr; right: Expr }[];
  ranges?: JoinRange[];
  outputs: JoinOutput[]; columns: Column[];
}
/**
 * High-level union as bound from KQL: inputs keep their own columns; lowering aligns each to
 * `columns` (null for missing ones) and fills the `withsource` column with `sources[i]`.
 */
export interface KUnion {
  k: 'kunion'; inputs: Rel[]; sources: string[]; withSource: string | null; columns: Column[];
  /** For each input, for each output column (withsource column excluded): the input column feeding it, or null. */
  maps: (string | null)[][];
}

/** A relational node (kjoin/kunion exist only between binding and lowering). */
export type Rel =
  | Scan | Values | Range | Filter | Project | Aggregate | Sort | Limit | Dedupe | Join | Union
  | MvExpand | Window | CteRef | KJoin | KUnion | MvApply | OuterRow | ScanOp | GraphComponents;

/** A lowered query: materialized CTEs (in dependency order) plus the result relation. */
export interface Query { ctes: { name: string; rel: Rel }[]; rel: Rel }

/** Constructors that keep call sites short. */
export const ir = {
  col: (name: string, type: KqlType): ColRef => ({ k: 'col', name, type }),
  lit: (value: LitValue, type: KqlType): Lit => ({ k: 'lit', value, type }),
  call: (fn: string, args: Expr[], type: KqlType): Call => ({ k: 'call', fn, args, type }),
};

/** The direct relational inputs of a node. */
export function relInputs(r: Rel): Rel[] {
  switch (r.k) {
    case 'filter': case 'project': case 'aggregate': case 'sort': case 'limit': case 'dedupe':
    case 'mvexpand': case 'window': case 'scanop':
      return [r.input];
    case 'join': case 'kjoin': return [r.left, r.right];
    case 'mvapply': return [r.input, r.sub];
    case 'components': return [r.nodes, r.edges];
    case 'union': case 'kunion': return r.inputs;
    default: return [];
  }
}

/** Every expression held directly by a node (not those of its inputs). */
export function relExprs(r: Rel): Expr[] {
  switch (r.k) {
    case 'values': return r.rows.flat();
    case 'range': return [r.from, r.to, r.step];
    case 'filter': return [r.cond];
    case 'project': return r.items.map((i) => i.expr);
    case 'aggregate': return [...r.keys.map((i) => i.expr), ...r.aggs.flatMap((a) => a.args)];
    case 'sort': return r.keys.map((k) => k.expr);
    case 'limit': return [r.count];
    case 'dedupe': return r.keys;
    case 'join': case 'kjoin': return [...r.on.flatMap((p) => [p.left, p.right]), ...(r.ranges ?? []).flatMap((g) => [g.left, g.lo, g.hi])];
    case 'mvexpand': return r.items.map((i) => i.expr);
    case 'window': return [...r.items.flatMap((i) => i.args), ...r.order.map((k) => k.expr)];
    case 'scanop': return [...r.order.map((k) => k.expr), ...r.steps.flatMap((st) => [st.cond, ...st.assigns.map((a) => a.expr)])];
    case 'components': return [r.nodeKey, r.source, r.target];
    default: return [];
  }
}

/** Calls `fn` on every relational node reachable from `q`, including those inside subquery expressions. */
export function walkRels(q: Query | Rel, fn: (r: Rel) => void): void {
  const seen = new Set<Rel>();
  const visitExpr = (e: Expr): void => {
    if (e.k === 'subquery') visit(e.rel);
    else if (e.k === 'call') e.args.forEach(visitExpr);
  };
  const visit = (r: Rel): void => {
    if (seen.has(r)) return;
    seen.add(r);
    fn(r);
    relInputs(r).forEach(visit);
    relExprs(r).forEach(visitExpr);
  };
  if ('rel' in q && !('k' in q)) {
    q.ctes.forEach((c) => visit(c.rel));
    visit(q.rel);
  } else {
    visit(q as Rel);
  }
}
