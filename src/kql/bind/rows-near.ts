/**
 * `T | evaluate rows_near(Condition, NumRows [, RowsAfter])`: the rows that satisfy Condition plus
 * the NumRows rows before and the RowsAfter (default NumRows) rows after each of them, in T's
 * serialized order, each row once. A row is kept when a matching row lies within RowsAfter rows
 * before it or NumRows rows after it: one framed window over the condition.
 */
import { ir, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { attachWindow } from './window.ts';
import { RowScope } from './scope.ts';

const NEAR = '__rows_near';

/** Binds `evaluate rows_near(...)` over `input`. */
export function bindRowsNear(b: Binder, input: Rel, fc: SynNode, env: Env): Rel {
  const argList = childNode(fc, 'ArgumentList');
  const args = argList ? childList(argList, 'Expressions') : [];
  if (args.length < 2 || args.length > 3) return b.fail(fc, 'rows_near takes a condition, the number of rows around it, and optionally the number of rows after it');
  const row = RowScope.of(input.columns);
  const cond = b.expr.asBool(b.expr.bind(args[0], { env, row }), args[0] as SynNode);
  const count = (n: (typeof args)[number]): number => {
    const e = b.expr.bind(n, { env, row: RowScope.of([]) });
    const v = e.k === 'lit' ? Number(e.value) : Number.NaN;
    if (!Number.isInteger(v) || v < 0) return b.fail(n, 'rows_near: the numbers of rows must be constant non-negative integers');
    return v;
  };
  const before = count(args[1]);
  const after = args[2] ? count(args[2]) : before;
  const windowed = attachWindow(input, [{ name: NEAR, fn: '__near', args: [cond, ir.lit(after, 'long'), ir.lit(before, 'long')], type: 'bool' }]);
  const kept: Rel = { k: 'filter', input: windowed, cond: ir.col(NEAR, 'bool'), columns: windowed.columns };
  return { k: 'project', input: kept, items: input.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: input.columns };
}
