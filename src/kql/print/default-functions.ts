/**
 * Mappings of KQL functions and operators that are plain standard SQL, shared by every dialect.
 * A dialect's table spreads these and overrides or adds what its engine does differently.
 */
import type { Expr } from '../ir/ir.ts';
import { convertTo } from '../ir/convert.ts';
import type { ExprPrinter, FnHandler } from './dialect.ts';

const E = (p: ExprPrinter, e: Expr) => p.expr(e);
const cmp = (op: string): FnHandler => (p, [a, b]) => `(${E(p, a)} ${op} ${E(p, b)})`;
/**
 * KQL equality (`negate`: inequality): two nulls compare to null, a null against a value is unequal
 * (`5 == null` is false, `5 != null` true). Strings are never null in KQL, so they compare plainly.
 */
const equality = (negate: boolean): FnHandler => (p, [a, b]) => {
  const x = E(p, a);
  const y = E(p, b);
  if (a.type === 'string' || b.type === 'string') return `(${x} ${negate ? '<>' : '='} ${y})`;
  const distinct = `(${x} IS ${negate ? '' : 'NOT '}DISTINCT FROM ${y})`;
  const known = (e: Expr) => e.k === 'lit' && e.value !== null;
  if (known(a) || known(b)) return distinct;
  return `(CASE WHEN ${x} IS NULL AND ${y} IS NULL THEN NULL ELSE ${distinct} END)`;
};
const fn1 = (name: string): FnHandler => (p, [a]) => `${name}(${E(p, a)})`;
/** `e` converted to the call's result type by the dialect's conversion mappings. */
const as = (p: ExprPrinter, e: Expr, t: Parameters<typeof convertTo>[1]) => p.expr(convertTo(e, t));

/** Standard SQL mappings by KQL name. */
export const DEFAULT_FUNCTIONS: Record<string, FnHandler> = {
  and: (p, [a, b]) => `(${E(p, a)} AND ${E(p, b)})`,
  or: (p, [a, b]) => `(${E(p, a)} OR ${E(p, b)})`,
  not: (p, [a]) => `(NOT ${E(p, a)})`,
  '==': equality(false), '!=': equality(true), '<': cmp('<'), '<=': cmp('<='), '>': cmp('>'), '>=': cmp('>='),
  between: (p, [x, lo, hi]) => `(${E(p, x)} BETWEEN ${E(p, lo)} AND ${E(p, hi)})`,
  '!between': (p, [x, lo, hi]) => `(NOT (${E(p, x)} BETWEEN ${E(p, lo)} AND ${E(p, hi)}))`,
  neg: (p, [a]) => `(-${E(p, a)})`,
  iff: (p, [c, a, b], call) => `(CASE WHEN ${E(p, c)} THEN ${as(p, a, call.type)} ELSE ${as(p, b, call.type)} END)`,
  case: (p, args, call) => {
    const parts: string[] = [];
    for (let i = 0; i + 1 < args.length; i += 2) parts.push(`WHEN ${E(p, args[i])} THEN ${as(p, args[i + 1], call.type)}`);
    return `(CASE ${parts.join(' ')} ELSE ${as(p, args[args.length - 1], call.type)} END)`;
  },
  abs: fn1('abs'), sqrt: fn1('sqrt'), exp: fn1('exp'), ceiling: fn1('ceil'),
  sin: fn1('sin'), cos: fn1('cos'), tan: fn1('tan'), asin: fn1('asin'), acos: fn1('acos'), atan: fn1('atan'),
  atan2: (p, [a, b]) => `atan2(${E(p, a)}, ${E(p, b)})`, cot: fn1('cot'), degrees: fn1('degrees'), radians: fn1('radians'),
  pow: (p, [a, b]) => `power(${E(p, a)}, ${E(p, b)})`,
  pi: () => 'pi()',
  max_of: (p, args, c) => `greatest(${args.map((a) => as(p, a, c.type)).join(', ')})`,
  min_of: (p, args, c) => `least(${args.map((a) => as(p, a, c.type)).join(', ')})`,
};
