/**
 * row_window_session(Expr, MaxDistanceFromFirst, MaxDistanceBetweenNeighbors [, Restart]): for each
 * row of the serialized input, the value of Expr on the first row of its session. A row starts a new
 * session when it is the first, when Restart is true, when Expr is more than MaxDistanceFromFirst
 * past the session's first value, or more than MaxDistanceBetweenNeighbors past the previous row's.
 * Sequential by nature, it is bound as a one-step scan (see scan-op.ts) whose state is the previous
 * row: the step matches every row and carries the session start forward.
 */
import { ir, scanStateColumn, type Expr, type Rel, type WindowItem } from '../ir/ir.ts';
import type { KqlType } from '../types.ts';
import { orderOf, project } from './relation.ts';

/** `input` extended by the column `item.name`: the session start of each row. */
export function rowWindowSession(input: Rel, item: WindowItem): Rel {
  const [value, maxFromFirst, maxBetween, restart] = item.args;
  const v = `${item.name}_value`;
  const r = `${item.name}_restart`;
  const withArgs = project(input, [
    ...input.columns.map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })),
    { name: v, expr: value },
    { name: r, expr: restart },
  ], true);
  const type: KqlType = value.type;
  const distance: KqlType = type === 'datetime' ? 'timespan' : type;
  const start = ir.col(scanStateColumn(0, item.name), type);
  const previous = ir.col(scanStateColumn(0, v), type);
  const current = ir.col(v, type);
  const beyond = (from: Expr, limit: Expr) => ir.call('>', [ir.call('-', [current, from], distance), limit], 'bool');
  const or = (a: Expr, b: Expr) => ir.call('or', [a, b], 'bool');
  const startsNew = or(or(or(ir.call('isnull', [start], 'bool'), ir.col(r, 'bool')), beyond(start, maxFromFirst)), beyond(previous, maxBetween));
  return {
    k: 'scanop',
    input: withArgs,
    order: orderOf(input),
    declared: [{ name: item.name, type, init: ir.lit(null, type) }],
    steps: [{ name: 'session', output: 'all', cond: ir.lit(true, 'bool'), assigns: [{ name: item.name, expr: ir.call('iff', [startsNew, current, start], type) }] }],
    matchId: null,
    stepName: null,
    columns: [...withArgs.columns, { name: item.name, type }],
  };
}
