/**
 * Functions that return several values at once, like `series_stats`: assigned to names with
 * `extend (min, min_idx, …) = series_stats(x)`, or, without names, as columns named
 * `series_stats_<x>_min`, … Each is computed once as a property bag (a dynamic-returning form the
 * dialect already prints) and every value is read from it with its declared type.
 */
import { ir, type Expr } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import type { KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import { convertTo, type ExprScope } from './expr.ts';
import { nameText } from './naming.ts';

interface MultiValue {
  /** The function that returns the values as one bag. */
  bag: string;
  fields: { name: string; type: KqlType }[];
}

const MULTI_VALUE: Record<string, MultiValue> = {
  series_stats: {
    bag: 'series_stats_dynamic',
    fields: [
      { name: 'min', type: 'real' }, { name: 'min_idx', type: 'long' }, { name: 'max', type: 'real' },
      { name: 'max_idx', type: 'long' }, { name: 'avg', type: 'real' }, { name: 'stdev', type: 'real' },
      { name: 'variance', type: 'real' },
    ],
  },
};

/** The multi-valued function `s` calls, or null. */
export function multiValueCall(s: SynNode | null): { name: string; call: SynNode } | null {
  if (!s || s.kind !== 'FunctionCallExpression') return null;
  const name = (nameText(s.c.Name) ?? '').toLowerCase();
  return MULTI_VALUE[name] ? { name, call: s } : null;
}

/**
 * The named values of a multi-valued call: to `names` when given (at most as many as the function
 * returns, taken in order), else to `<fn>_<argument column>_<field>`.
 */
export function bindMultiValue(b: Binder, call: { name: string; call: SynNode }, names: string[] | null, sc: ExprScope): { name: string; expr: Expr }[] {
  const mv = MULTI_VALUE[call.name];
  const argNodes = childList(childNode(call.call, 'ArgumentList')!, 'Expressions');
  if (argNodes.length !== 1) return b.fail(call.call, `The function '${call.name}' expects 1 argument, got ${argNodes.length}`);
  const arg = b.expr.bind(argNodes[0], sc);
  if (names && names.length > mv.fields.length) return b.fail(call.call, `'${call.name}' returns ${mv.fields.length} values; ${names.length} names were given`);
  const bag = ir.call(mv.bag, [arg], 'dynamic');
  const prefix = `${call.name}_${argNodes[0].type === 'node' && argNodes[0].kind === 'NameReference' ? nameText(argNodes[0]) : 'expr'}_`;
  return (names ?? mv.fields.map((f) => prefix + f.name)).map((name, i) => ({
    name,
    expr: convertTo(ir.call('__dyn_get', [bag, ir.lit(mv.fields[i].name, 'string')], 'dynamic'), mv.fields[i].type),
  }));
}

/** The names of `(a, b, …) = …`. */
export function compoundNames(it: SynNode): string[] {
  const list = childNode(it, 'Names');
  return (list ? childList(list, 'Names') : []).map((n) => nameText(n) ?? '');
}
