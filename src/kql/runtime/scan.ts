/**
 * The scan operator's state machine (KQL `scan`), run over the rows of its input in order. The SQL
 * computes everything that depends on one row only; what reads the state (`s.col`) is a small
 * program (ScanProg) evaluated here.
 *
 * Matching rules (Kusto's, as documented): the state holds, per step k, the match in progress that
 * last reached step k — one record per step 1…k, each the matching row extended with the declared
 * columns. Every row is checked against the steps from the last to the first:
 * - Check 1 (k > 1): when the state of step k-1 is not empty and the row meets step k's condition
 *   (evaluated with that state), the match advances: the state of k-1 moves to k (whatever k held is
 *   dropped), the row, extended by k's assignments, becomes its k-th record and is output; Check 2 is
 *   skipped for this step.
 * - Check 2: when the state of step k is not empty (or k is the first step) and the row meets the
 *   condition (evaluated with the state of k), the row, extended, replaces the k-th record of that
 *   state and is output. On the first step with an empty state this begins a new match, whose id
 *   (with_match_id) is the next number from 0.
 * A state value of a step with no record yet is null, or the declared default for a declared column;
 * a declared column a step does not assign takes its default. Output: `all` outputs every match of
 * the step, `none` none, `last` only the last of a run of repeated matches of the step (output when
 * the run ends: its match moves on or is dropped, or the input ends).
 *
 * Values: numbers (long, int, real; timespan as 100 ns ticks), datetimes as bigint ticks since
 * 0001-01-01 (they cross JSON as decimal text), strings, booleans, null, and dynamic values as parsed JSON.
 */

/** A value inside the scan program. */
export type ScanValue = unknown;

/** A KQL type as the program needs it to pick an operation. */
export type ScanType = 'long' | 'int' | 'real' | 'decimal' | 'bool' | 'string' | 'guid' | 'datetime' | 'timespan' | 'dynamic';

/** An expression of the program. */
export type ScanProg =
  /** The i-th row-local value of the current row (computed by the SQL). */
  | { op: 'row'; i: number }
  /** Value `col` (an index into a record's values) of the record of `step` in the state in use. */
  | { op: 'state'; step: number; col: number }
  /** A constant; a datetime's (`datetime`) is the decimal text of its ticks in the JSON spec. */
  | { op: 'lit'; v: ScanValue; datetime?: true }
  /** A KQL function or operator (see SCAN_FUNCTIONS) with its argument types and result type. */
  | { op: 'call'; fn: string; args: ScanProg[]; at: ScanType[]; t: ScanType };

/** What the state machine runs: steps, and the declared columns' defaults. */
export interface ScanSpec {
  steps: { output: 'all' | 'last' | 'none'; cond: ScanProg; assigns: { d: number; e: ScanProg }[] }[];
  /** Default of each declared column. */
  declared: ScanValue[];
  /** Input columns kept in records (the state values programs read); record values are these, then the declared ones. */
  kept: number;
  /** For each kept input column whose KQL type is string: its index (a null string reads as ''). */
  keptStrings: number[];
  /** Row-local values per row. */
  rowValues: number;
  /** Positions of real-typed row values, kept columns and declared columns (NaN and infinities cross as text). */
  reals: { h: number[]; k: number[]; d: number[] };
  /** Positions of datetime row values, kept columns and declared columns (ticks cross as decimal text). */
  datetimes: { h: number[]; k: number[]; d: number[] };
}

/** One input row: its row-local values and its kept input column values. */
export interface ScanRow {
  h: ScanValue[];
  k: ScanValue[];
}

/** One output row: the input row's position, the step that output it, its match id and declared values. */
export interface ScanOutput {
  i: number;
  s: number;
  m: number;
  d: ScanValue[];
}

interface ScanRecord {
  vals: ScanValue[];
}

interface MatchState {
  recs: (ScanRecord | undefined)[];
  id: number;
}

const isNum = (t: ScanType) => t === 'long' || t === 'int' || t === 'real' || t === 'decimal';
const isInt = (t: ScanType) => t === 'long' || t === 'int';

function compare(op: string, a: ScanValue, b: ScanValue): boolean | null {
  const na = a === null || a === undefined;
  const nb = b === null || b === undefined;
  // KQL: a null against a value is unequal (== false, != true); two nulls and ordering compare to null
  if ((op === '==' || op === '!=') && na !== nb) return op === '!=';
  if (na || nb) return null;
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return (a as number) < (b as number);
    case '<=': return (a as number) <= (b as number);
    case '>': return (a as number) > (b as number);
    default: return (a as number) >= (b as number);
  }
}

/** The last tick of KQL's datetime range. */
const MAX_TICKS = 3_155_378_975_999_999_999n;

/** A datetime (bigint ticks) moved by a timespan (ticks); null outside KQL's range. */
function shifted(t: bigint, span: number): bigint | null {
  const r = t + BigInt(Math.trunc(span));
  return r >= 0n && r <= MAX_TICKS ? r : null;
}

function arithmetic(op: string, a: ScanValue, b: ScanValue, ta: ScanType, tb: ScanType, t: ScanType): ScanValue {
  if (a === null || b === null) return null;
  if (ta === 'datetime' && tb === 'datetime') return Number((a as bigint) - (b as bigint));
  if (ta === 'datetime' && tb === 'timespan') return shifted(a as bigint, op === '+' ? (b as number) : -(b as number));
  if (ta === 'timespan' && tb === 'datetime') return shifted(b as bigint, a as number);
  const x = a as number;
  const y = b as number;
  if (ta === 'timespan' && tb === 'timespan' && op === '/') return y === 0 ? null : x / y;
  if (t === 'timespan' && (op === '*' || op === '/') && !(ta === 'timespan' && tb === 'timespan')) {
    if (op === '*') return Math.round(x * y);
    return y === 0 ? null : Math.trunc(x / y);
  }
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/':
      if (isInt(t)) return y === 0 ? null : Math.trunc(x / y);
      return x / y;
    default: {
      if (y === 0) return null;
      if (t === 'real') return x % y;
      return (((x % y) + Math.abs(y)) % Math.abs(y));
    }
  }
}

type Fn = (args: ScanValue[], at: ScanType[], t: ScanType) => ScanValue;

const lower = (v: ScanValue) => (typeof v === 'string' ? v.toLowerCase() : v);
const empty = (v: ScanValue) => v === null || v === undefined || v === '';

/** The functions a program may apply to state values, by canonical KQL name. */
export const SCAN_FUNCTIONS: Readonly<Record<string, Fn>> = {
  and: ([a, b]) => (a === false || b === false ? false : a === null || b === null ? null : true),
  or: ([a, b]) => (a === true || b === true ? true : a === null || b === null ? null : false),
  not: ([a]) => (a === null ? null : !a),
  '==': ([a, b]) => compare('==', a, b),
  '!=': ([a, b]) => compare('!=', a, b),
  '<': ([a, b]) => compare('<', a, b),
  '<=': ([a, b]) => compare('<=', a, b),
  '>': ([a, b]) => compare('>', a, b),
  '>=': ([a, b]) => compare('>=', a, b),
  '=~': ([a, b]) => compare('==', lower(a), lower(b)),
  '!~': ([a, b]) => compare('!=', lower(a), lower(b)),
  '+': ([a, b], [ta, tb], t) => arithmetic('+', a, b, ta, tb, t),
  '-': ([a, b], [ta, tb], t) => arithmetic('-', a, b, ta, tb, t),
  '*': ([a, b], [ta, tb], t) => arithmetic('*', a, b, ta, tb, t),
  '/': ([a, b], [ta, tb], t) => arithmetic('/', a, b, ta, tb, t),
  '%': ([a, b], [ta, tb], t) => arithmetic('%', a, b, ta, tb, t),
  neg: ([a]) => (a === null ? null : -(a as number)),
  abs: ([a]) => (a === null ? null : Math.abs(a as number)),
  iff: ([c, a, b]) => (c === true ? a : b),
  case: (args) => {
    for (let i = 0; i + 1 < args.length; i += 2) if (args[i] === true) return args[i + 1];
    return args[args.length - 1];
  },
  isnull: ([a], [ta]) => (ta === 'string' ? false : a === null || a === undefined),
  isnotnull: ([a], [ta]) => (ta === 'string' ? true : a !== null && a !== undefined),
  isempty: ([a]) => empty(a),
  isnotempty: ([a]) => !empty(a),
  coalesce: (args, at) => args.find((a, i) => (at[i] === 'string' ? !empty(a) : a !== null && a !== undefined)) ?? (at[0] === 'string' ? '' : null),
  max_of: (args) => {
    const xs = args.filter((a) => a !== null && a !== undefined) as number[];
    return xs.length ? xs.reduce((m, x) => (x > m ? x : m)) : null;
  },
  min_of: (args) => {
    const xs = args.filter((a) => a !== null && a !== undefined) as number[];
    return xs.length ? xs.reduce((m, x) => (x < m ? x : m)) : null;
  },
  strcat: (args) => args.map((a) => (a === null || a === undefined ? '' : String(a))).join(''),
  tolong: ([a], [ta]) => (a === null ? null : isNum(ta) || ta === 'timespan' ? Math.trunc(a as number) : ta === 'bool' ? (a ? 1 : 0) : null),
  toint: ([a], [ta]) => (a === null ? null : isNum(ta) ? Math.trunc(a as number) : ta === 'bool' ? (a ? 1 : 0) : null),
  todouble: ([a], [ta]) => (a === null ? null : isNum(ta) || ta === 'timespan' ? (a as number) : ta === 'bool' ? (a ? 1 : 0) : null),
};

/** Argument types a SCAN_FUNCTIONS entry cannot take (the compiler refuses them), when not every type works. */
export function scanFunctionRefuses(fn: string, at: readonly ScanType[]): boolean {
  if (at.includes('dynamic')) return !['isnull', 'isnotnull', 'isempty', 'isnotempty', 'iff', 'case', 'coalesce'].includes(fn);
  if (fn === 'strcat') return at.some((t) => t !== 'string' && t !== 'guid' && !isInt(t) && t !== 'bool');
  return false;
}

function evaluate(p: ScanProg, row: ScanRow, state: MatchState | null, spec: ScanSpec): ScanValue {
  switch (p.op) {
    case 'row': return row.h[p.i] ?? null;
    case 'lit': return p.v;
    case 'state': {
      const rec = state?.recs[p.step];
      if (rec) return rec.vals[p.col] ?? null;
      if (p.col >= spec.kept) return spec.declared[p.col - spec.kept] ?? null;
      return spec.keptStrings.includes(p.col) ? '' : null;
    }
    case 'call': {
      const f = SCAN_FUNCTIONS[p.fn];
      if (!f) throw new Error(`scan: no function '${p.fn}'`);
      if (p.fn === 'iff') {
        // only the branch taken is evaluated
        const c = evaluate(p.args[0], row, state, spec);
        return evaluate(p.args[c === true ? 1 : 2], row, state, spec);
      }
      return f(p.args.map((a) => evaluate(a, row, state, spec)), p.at, p.t);
    }
  }
}

/** Runs the state machine over `rows` (in order); returns the output rows in the order they were output. */
export function runScan(spec: ScanSpec, rows: readonly ScanRow[]): ScanOutput[] {
  const n = spec.steps.length;
  const state: (MatchState | null)[] = new Array(n).fill(null);
  const pending: (ScanOutput | null)[] = new Array(n).fill(null);
  let nextId = 0;
  const out: ScanOutput[] = [];
  const flush = (k: number) => {
    const p = pending[k];
    if (p) out.push(p);
    pending[k] = null;
  };
  const emit = (k: number, i: number, rec: ScanRecord, id: number) => {
    const o: ScanOutput = { i, s: k, m: id, d: rec.vals.slice(spec.kept) };
    const kind = spec.steps[k].output;
    if (kind === 'all') out.push(o);
    else if (kind === 'last') pending[k] = o;
  };
  const extend = (k: number, row: ScanRow, ctx: MatchState | null): ScanRecord => {
    const vals = [...row.k, ...spec.declared];
    for (const a of spec.steps[k].assigns) vals[spec.kept + a.d] = evaluate(a.e, row, ctx, spec);
    return { vals };
  };

  rows.forEach((row, i) => {
    for (let k = n - 1; k >= 0; k--) {
      const step = spec.steps[k];
      const prev = k > 0 ? state[k - 1] : null;
      if (prev && evaluate(step.cond, row, prev, spec) === true) {
        const rec = extend(k, row, prev);
        flush(k);
        flush(k - 1);
        const recs = prev.recs.slice(0, k);
        recs[k] = rec;
        state[k] = { recs, id: prev.id };
        state[k - 1] = null;
        emit(k, i, rec, prev.id);
        continue;
      }
      const cur = state[k];
      if ((cur || k === 0) && evaluate(step.cond, row, cur, spec) === true) {
        const rec = extend(k, row, cur);
        if (cur) {
          cur.recs[k] = rec;
          emit(k, i, rec, cur.id);
        } else {
          const id = nextId++;
          state[0] = { recs: [rec], id };
          emit(0, i, rec, id);
        }
      }
    }
  });
  const rest = pending.filter((p): p is ScanOutput => p !== null).sort((a, b) => a.i - b.i);
  out.push(...rest);
  return out;
}

/** A real value from the SQL: a number, null, or the text of NaN or an infinity. */
function realIn(v: ScanValue): ScanValue {
  if (typeof v !== 'string') return v;
  return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number.NaN;
}

/**
 * The engine function: the spec (JSON) and the rows (a JSON array of objects `{h0…, k0…}` in
 * order, or null when the input is empty) → a JSON array of `{q, i, s, m, d0…}`, q numbering the
 * output rows.
 */
export function scanEngine(specJson: string, rowsJson: string | null): string {
  const spec = JSON.parse(specJson) as ScanSpec;
  const ticks = (v: ScanValue) => (typeof v === 'string' ? BigInt(v) : v);
  const readLits = (p: ScanProg): void => {
    if (p.op === 'lit' && p.datetime) p.v = ticks(p.v);
    if (p.op === 'call') p.args.forEach(readLits);
  };
  for (const st of spec.steps) {
    readLits(st.cond);
    st.assigns.forEach((a) => readLits(a.e));
  }
  for (const j of spec.datetimes.d) spec.declared[j] = ticks(spec.declared[j]);
  const raw = rowsJson === null ? [] : (JSON.parse(rowsJson) as Record<string, ScanValue>[]);
  const rows = raw.map((r) => {
    const row: ScanRow = {
      h: Array.from({ length: spec.rowValues }, (_, j) => r[`h${j}`] ?? null),
      k: Array.from({ length: spec.kept }, (_, j) => r[`k${j}`] ?? null),
    };
    for (const j of spec.reals.h) row.h[j] = realIn(row.h[j]);
    for (const j of spec.reals.k) row.k[j] = realIn(row.k[j]);
    for (const j of spec.datetimes.h) row.h[j] = ticks(row.h[j]);
    for (const j of spec.datetimes.k) row.k[j] = ticks(row.k[j]);
    return row;
  });
  const outs = runScan(spec, rows);
  const realOut = new Set(spec.reals.d);
  return JSON.stringify(outs.map((o, q) => {
    const obj: Record<string, ScanValue> = { q, i: o.i, s: o.s, m: o.m };
    o.d.forEach((v, j) => (obj[`d${j}`] = typeof v === 'bigint' || (realOut.has(j) && typeof v === 'number' && !Number.isFinite(v)) ? String(v) : v));
    return obj;
  }));
}
