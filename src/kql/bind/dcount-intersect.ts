/**
 * `T | evaluate dcount_intersect(hll_1, hll_2 [, …, hll_16])`: for each row, the distinct counts of
 * S1, S1 ∩ S2, …, S1 ∩ … ∩ Sn, where Si is the set an hll() value holds, as columns s0 … s(n-1)
 * after T's columns. Palisade's hll values are the exact sets (see the hll aggregate), so the counts
 * are exact.
 */
import { ir, type Expr, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { project } from './relation.ts';
import { RowScope } from './scope.ts';

/** Binds `evaluate dcount_intersect(...)` over `input`. */
export function bindDcountIntersect(b: Binder, input: Rel, fc: SynNode, env: Env): Rel {
  const argList = childNode(fc, 'ArgumentList');
  const args = argList ? childList(argList, 'Expressions') : [];
  if (args.length < 2 || args.length > 16) return b.fail(fc, 'dcount_intersect takes 2 to 16 hll() values');
  const row = RowScope.of(input.columns);
  const sets: Expr[] = args.map((a) => {
    const e = b.expr.bind(a, { env, row });
    if (e.type !== 'dynamic') return b.fail(a as SynNode, `dcount_intersect takes hll() values, got ${e.type}`);
    return e;
  });
  const counts = sets.map((_, i) => ({ name: `s${i}`, expr: ir.call('__dcount_intersect', sets.slice(0, i + 1), 'long') }));
  const taken = new Set(counts.map((c) => c.name));
  return project(input, [
    ...input.columns.filter((c) => !taken.has(c.name)).map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })),
    ...counts,
  ], true);
}
