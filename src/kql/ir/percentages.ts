/**
 * The percentages of percentiles_array and percentilesw_array: constant numbers, or dynamic arrays
 * of them, each within 0…100. The binder refuses other arguments; the printer reads them.
 */
import { PalisadeError } from '../../domain/errors.ts';
import type { Expr } from './ir.ts';

/** What the percentages must be, as the error says. */
export const PERCENTAGES_RULE = 'Percentiles must be constant numbers between 0 and 100, or a dynamic array of them';

/** The percentages `args` spell, in order; null when one is not a constant number in 0…100. */
export function constantPercentages(args: readonly Expr[]): number[] | null {
  const out: number[] = [];
  for (const a of args) {
    if (a.k !== 'lit') return null;
    if (typeof a.value === 'number' || typeof a.value === 'bigint') out.push(Number(a.value));
    else if (a.type === 'dynamic' && typeof a.value === 'string') {
      const list = JSON.parse(a.value) as unknown;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'number')) return null;
      out.push(...(list as number[]));
    } else return null;
  }
  return out.length > 0 && out.every((x) => x >= 0 && x <= 100) ? out : null;
}

/** constantPercentages for a printer, where the binder has checked them already: throws when not. */
export function requirePercentages(args: readonly Expr[]): number[] {
  const out = constantPercentages(args);
  if (!out) throw new PalisadeError('BadRequest', PERCENTAGES_RULE);
  return out;
}
