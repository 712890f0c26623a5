/**
 * `evaluate pivot(PivotColumn [, aggregation(Column)] [, GroupColumn, …])`: one output row per group
 * and one column per distinct value of the pivot column, holding the aggregation (count() by default)
 * of the group's rows with that value.
 *
 * The group columns default to every column other than the pivot column and the aggregated one.
 * The value columns come from the data: binding stops with DiscoveryNeeded (discovery.ts) until
 * the distinct values are known; they become columns in ordinal order of their text.
 */
import { ir, type AggItem, type Expr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import { AGGREGATE_FUNCTIONS, canonicalFunctionName, resultType } from '../functions/catalog.ts';
import { visible, type Column } from '../types.ts';
import { DISCOVERY_COLUMN, DiscoveryNeeded, MAX_DISCOVERED_NAMES } from './discovery.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';

/** The conditional form of each aggregation pivot supports, and how it takes its condition. */
const CONDITIONAL: Record<string, { fn: string; withArg: boolean }> = {
  count: { fn: 'countif', withArg: false },
  sum: { fn: 'sumif', withArg: true },
  avg: { fn: 'avgif', withArg: true },
  min: { fn: 'minif', withArg: true },
  max: { fn: 'maxif', withArg: true },
  dcount: { fn: 'dcountif', withArg: true },
  take_any: { fn: 'take_anyif', withArg: true },
  stdev: { fn: 'stdevif', withArg: true },
  variance: { fn: 'varianceif', withArg: true },
  make_list: { fn: 'make_list_if', withArg: true },
  make_set: { fn: 'make_set_if', withArg: true },
  make_bag: { fn: 'make_bag_if', withArg: true },
};

function isAggregateCall(n: Syn): n is SynNode {
  return n.type === 'node' && n.kind === 'FunctionCallExpression' && Object.hasOwn(CONDITIONAL, canonicalFunctionName(nameText(n.c.Name) ?? ''));
}

/** Binds `evaluate pivot(...)` over `input`. */
export function bindPivot(b: Binder, input: Rel, op: SynNode, fc: SynNode, env: Env): Rel {
  const argList = childNode(fc, 'ArgumentList');
  const args = argList ? childList(argList, 'Expressions') : [];
  if (args.length < 1) return b.fail(fc, 'pivot needs the column to pivot');
  const row = RowScope.of(input.columns);
  const pivotName = nameText(args[0]);
  const pivot = pivotName ? row.resolve(pivotName) : undefined;
  if (!pivot || args[0].type !== 'node' || args[0].kind !== 'NameReference') return b.fail(args[0], 'pivot: the first argument must be a column');

  let aggName = 'count';
  let aggArg: Expr | null = null;
  let rest = args.slice(1);
  if (rest.length && isAggregateCall(rest[0])) {
    const call = rest[0];
    aggName = canonicalFunctionName(nameText(call.c.Name) ?? '');
    const callArgs = childList(childNode(call, 'ArgumentList')!, 'Expressions');
    const want = CONDITIONAL[aggName].withArg ? 1 : 0;
    if (callArgs.length !== want) return b.fail(call, `pivot: ${aggName}() takes ${want} argument${want === 1 ? '' : 's'} here`);
    if (want) aggArg = b.expr.bind(callArgs[0], { env, row });
    rest = rest.slice(1);
  } else if (rest.length && rest[0].type === 'node' && rest[0].kind === 'FunctionCallExpression') {
    return b.fail(rest[0], `pivot: the aggregation '${nameText(rest[0].c.Name) ?? ''}' is not supported`);
  }

  const used = new Set([pivot.k === 'col' ? pivot.name : '', aggArg?.k === 'col' ? aggArg.name : '']);
  const groups: Column[] = [];
  if (rest.length) {
    for (const g of rest) {
      const name = nameText(g);
      const c = name ? visible(input.columns).find((x) => x.name === name) : undefined;
      if (!c || g.type !== 'node' || g.kind !== 'NameReference') return b.fail(g, 'pivot: group-by arguments must be columns');
      groups.push(c);
    }
  } else {
    groups.push(...visible(input.columns).filter((c) => !used.has(c.name)));
  }

  const text = convertTo(pivot, 'string');
  const id = `pivot@${op.start}`;
  const found = b.opts.discovered?.[id];
  if (!found) {
    const one: Column[] = [{ name: DISCOVERY_COLUMN, type: 'string' }];
    const distinct: Rel = { k: 'aggregate', input, keys: [{ name: DISCOVERY_COLUMN, expr: text }], aggs: [], columns: one };
    throw new DiscoveryNeeded(id, { k: 'limit', input: distinct, count: ir.lit(MAX_DISCOVERED_NAMES + 1, 'long'), columns: one });
  }
  if (found.length > MAX_DISCOVERED_NAMES) return b.fail(op, `pivot would create more than ${MAX_DISCOVERED_NAMES} columns`);
  const values = [...new Set(found)].filter((v) => v !== '' && !groups.some((g) => g.name === v)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

  const cond = (v: string): Expr => ir.call('==', [text, ir.lit(v, 'string')], 'bool');
  const { fn, withArg } = CONDITIONAL[aggName];
  const aggs: AggItem[] = values.map((v) => {
    const callArgs = withArg ? [aggArg!, cond(v)] : [cond(v)];
    return { fn, args: callArgs, outs: [{ name: v, type: resultType(AGGREGATE_FUNCTIONS[fn], callArgs) }] };
  });
  const keys = groups.map((g) => ({ name: g.name, expr: ir.col(g.name, g.type) }));
  if (!keys.length && !aggs.length) return b.fail(op, 'pivot: there is nothing to group by and no value to pivot');
  return { k: 'aggregate', input, keys, aggs, columns: [...groups.map((g) => ({ name: g.name, type: g.type })), ...aggs.map((a) => a.outs[0])] };
}
