/**
 * Functions that return several values at once: `series_stats`, and `array_sort_asc/desc` over
 * several arrays. Assigned to names with `extend (min, min_idx, …) = series_stats(x)`, or, without
 * names, as columns with the function's default names. Each is computed once as a dynamic value (a
 * bag or an array of arrays the dialect already prints) and every value is read from it.
 */
import { ir, type Expr } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import type { KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import { convertTo, type ExprScope } from './expr.ts';
import { nameText } from './naming.ts';

/** A function returning a fixed set of named values, read from one property bag. */
interface BagValues {
  kind: 'bag';
  /** The function that returns the values as one bag (given the same arguments). */
  bag: string;
  fields: { name: string; type: KqlType }[];
  /** How many arguments it takes (default exactly 1). */
  args?: [min: number, max: number];
}

const MULTI_VALUE: Record<string, BagValues> = {
  series_stats: {
    kind: 'bag',
    bag: 'series_stats_dynamic',
    fields: [
      { name: 'min', type: 'real' }, { name: 'min_idx', type: 'long' }, { name: 'max', type: 'real' },
      { name: 'max_idx', type: 'long' }, { name: 'avg', type: 'real' }, { name: 'stdev', type: 'real' },
      { name: 'variance', type: 'real' },
    ],
  },
  series_fit_line: {
    kind: 'bag',
    bag: 'series_fit_line_dynamic',
    fields: [
      { name: 'rsquare', type: 'real' }, { name: 'slope', type: 'real' }, { name: 'variance', type: 'real' },
      { name: 'rvariance', type: 'real' }, { name: 'interception', type: 'real' }, { name: 'line_fit', type: 'dynamic' },
    ],
  },
  series_fit_poly: {
    kind: 'bag',
    bag: '__series_fit_poly',
    args: [1, 3],
    fields: [
      { name: 'rsquare', type: 'real' }, { name: 'coefficients', type: 'dynamic' }, { name: 'variance', type: 'real' },
      { name: 'rvariance', type: 'real' }, { name: 'poly_fit', type: 'dynamic' },
    ],
  },
  series_fft: { kind: 'bag', bag: '__series_fft', args: [1, 2], fields: [{ name: 'real', type: 'dynamic' }, { name: 'imag', type: 'dynamic' }] },
  series_ifft: { kind: 'bag', bag: '__series_ifft', args: [1, 2], fields: [{ name: 'real', type: 'dynamic' }, { name: 'imag', type: 'dynamic' }] },
};

/** array_sort_asc/desc over several arrays: one sorted array per array argument. */
const ARRAY_SORTS = new Set(['array_sort_asc', 'array_sort_desc']);

const argName = (n: Syn, i: number) => (n.type === 'node' && n.kind === 'NameReference' ? nameText(n) ?? `array${i + 1}` : `array${i + 1}`);

/** The argument nodes of a call. */
function argsOf(call: SynNode): Syn[] {
  const list = childNode(call, 'ArgumentList');
  return list ? childList(list, 'Expressions') : [];
}

/** The multi-valued function `s` calls, or null (array sorts count only with several arrays). */
export function multiValueCall(s: SynNode | null): { name: string; call: SynNode } | null {
  if (!s || s.kind !== 'FunctionCallExpression') return null;
  const name = (nameText(s.c.Name) ?? '').toLowerCase();
  if (Object.hasOwn(MULTI_VALUE, name)) return { name, call: s };
  if (ARRAY_SORTS.has(name)) {
    // nulls_last is a boolean literal in practice; telling it apart by syntax avoids binding twice
    const args = argsOf(s);
    const last = args[args.length - 1];
    const arrays = args.length > 1 && last.type === 'node' && last.kind === 'BooleanLiteralExpression' ? args.length - 1 : args.length;
    return arrays > 1 ? { name, call: s } : null;
  }
  return null;
}

/**
 * The named values of a multi-valued call: to `names` when given (at most as many as the function
 * returns, taken in order), else to its default names (`<fn>_<argument>_<field>` for series_stats,
 * `<array>_sorted` for array sorts).
 */
export function bindMultiValue(b: Binder, call: { name: string; call: SynNode }, names: string[] | null, sc: ExprScope): { name: string; expr: Expr }[] {
  const argNodes = argsOf(call.call);
  if (ARRAY_SORTS.has(call.name)) {
    const args = argNodes.map((n) => b.expr.bind(n, sc));
    const arrays = args[args.length - 1].type === 'bool' ? argNodes.slice(0, -1) : argNodes;
    if (names && names.length > arrays.length) return b.fail(call.call, `'${call.name}' returns ${arrays.length} arrays; ${names.length} names were given`);
    const sorted = ir.call(call.name, args, 'dynamic');
    return (names ?? arrays.map((n, i) => `${argName(n, i)}_sorted`)).map((name, i) => ({
      name, expr: ir.call('__dyn_get', [sorted, ir.lit(i, 'long')], 'dynamic'),
    }));
  }
  const mv = MULTI_VALUE[call.name];
  const [min, max] = mv.args ?? [1, 1];
  if (argNodes.length < min || argNodes.length > max) {
    return b.fail(call.call, `The function '${call.name}' expects ${min === max ? min : `${min} to ${max}`} argument${max > 1 ? 's' : ''}, got ${argNodes.length}`);
  }
  const args = argNodes.map((n) => b.expr.bind(n, sc));
  if (names && names.length > mv.fields.length) return b.fail(call.call, `'${call.name}' returns ${mv.fields.length} values; ${names.length} names were given`);
  const bag = ir.call(mv.bag, args, 'dynamic');
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
