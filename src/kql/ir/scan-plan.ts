/**
 * Splits a ScanOp's conditions and assignments between the SQL and the scan state machine
 * (src/kql/runtime/scan.ts): every largest subexpression that reads no state value is computed by
 * the SQL for each row (a "row value"); what reads the state becomes a ScanProg over row values,
 * state values and literals, made only of the functions the state machine implements. Anything
 * else over a state value is refused by name. Dialect-independent.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { datetimeTicks } from '../parse/literals.ts';
import { scanStateOf, type Expr, type LitValue, type ScanOp } from './ir.ts';
import { SCAN_FUNCTIONS, scanFunctionRefuses, type ScanProg, type ScanSpec, type ScanType, type ScanValue } from '../runtime/scan.ts';
import type { Column, KqlType } from '../types.ts';

/** What the SQL computes and hands to the state machine. */
export interface ScanPlan {
  /** Row values, in order (`h0`, `h1`, …). */
  rowValues: Expr[];
  /** Input columns whose values the state keeps (`k0`, `k1`, …). */
  kept: Column[];
  spec: ScanSpec;
}

const isReal = (t: KqlType) => t === 'real' || t === 'decimal';

function hasState(e: Expr): boolean {
  if (e.k === 'col') return scanStateOf(e.name) !== null;
  if (e.k === 'call') return e.args.some(hasState);
  return false;
}

/**
 * A literal as the state machine's JSON spec carries it (datetime → the decimal text of its ticks,
 * made a bigint when the spec is read; long beyond 2^53 → nearest number).
 */
function scanLiteral(value: LitValue, type: KqlType): ScanValue {
  if (value === null) return type === 'string' ? '' : null;
  if (type === 'datetime' && typeof value === 'string') return String(datetimeTicks(value));
  if (type === 'dynamic' && typeof value === 'string') return JSON.parse(value) as ScanValue;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Builds the plan of a scan. */
export function planScan(r: ScanOp): ScanPlan {
  const rowValues: Expr[] = [];
  const rowIndex = new Map<string, number>();
  const kept: Column[] = [];
  const keptIndex = new Map<string, number>();
  const declaredIndex = new Map(r.declared.map((d, i) => [d.name, i]));
  const inputType = new Map(r.input.columns.map((c) => [c.name, c.type]));

  const refuse = (msg: string): never => {
    throw new PalisadeError('BadRequest', `scan: ${msg}`);
  };
  const valueIndex = (column: string): number => {
    const d = declaredIndex.get(column);
    if (d !== undefined) return -1 - d;
    let i = keptIndex.get(column);
    if (i === undefined) {
      i = kept.length;
      kept.push({ name: column, type: inputType.get(column) ?? 'dynamic' });
      keptIndex.set(column, i);
    }
    return i;
  };
  const compile = (e: Expr): ScanProg => {
    if (e.k === 'lit') return e.type === 'datetime' ? { op: 'lit', v: scanLiteral(e.value, e.type), datetime: true } : { op: 'lit', v: scanLiteral(e.value, e.type) };
    if (!hasState(e)) {
      const key = JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      let i = rowIndex.get(key);
      if (i === undefined) {
        i = rowValues.length;
        rowValues.push(e);
        rowIndex.set(key, i);
      }
      return { op: 'row', i };
    }
    if (e.k === 'col') {
      const s = scanStateOf(e.name)!;
      return { op: 'state', step: s.step, col: valueIndex(s.column) };
    }
    if (e.k !== 'call') return refuse('a subquery cannot read scan state values');
    const at = e.args.map((a) => a.type as ScanType);
    const name = e.fn.replace(/^__/, '');
    if (!SCAN_FUNCTIONS[e.fn] || scanFunctionRefuses(e.fn, at)) {
      return refuse(`the function '${name}' cannot take the state values of steps (step.column) here; `
        + `over state values a step may use comparisons, and/or/not, arithmetic, iff, case, coalesce, isnull/isempty and their negations, min_of/max_of, abs, strcat and numeric conversions`);
    }
    return { op: 'call', fn: e.fn, args: e.args.map(compile), at, t: e.type as ScanType };
  };

  const steps = r.steps.map((st) => ({
    output: st.output,
    cond: compile(st.cond),
    assigns: st.assigns.map((a) => ({ d: declaredIndex.get(a.name)!, e: compile(a.expr) })),
  }));
  // state values of declared columns were numbered -1 - d until the kept columns were known
  const fix = (p: ScanProg): ScanProg => {
    if (p.op === 'state' && p.col < 0) return { ...p, col: kept.length + (-1 - p.col) };
    if (p.op === 'call') return { ...p, args: p.args.map(fix) };
    return p;
  };
  const spec: ScanSpec = {
    steps: steps.map((s) => ({ output: s.output, cond: fix(s.cond), assigns: s.assigns.map((a) => ({ d: a.d, e: fix(a.e) })) })),
    declared: r.declared.map((d) => scanLiteral(d.init.value, d.type)),
    kept: kept.length,
    keptStrings: kept.flatMap((c, i) => (c.type === 'string' ? [i] : [])),
    rowValues: rowValues.length,
    reals: {
      h: rowValues.flatMap((e, i) => (isReal(e.type) ? [i] : [])),
      k: kept.flatMap((c, i) => (isReal(c.type) ? [i] : [])),
      d: r.declared.flatMap((d, i) => (isReal(d.type) ? [i] : [])),
    },
    datetimes: {
      h: rowValues.flatMap((e, i) => (e.type === 'datetime' ? [i] : [])),
      k: kept.flatMap((c, i) => (c.type === 'datetime' ? [i] : [])),
      d: r.declared.flatMap((d, i) => (d.type === 'datetime' ? [i] : [])),
    },
  };
  return { rowValues, kept, spec };
}
