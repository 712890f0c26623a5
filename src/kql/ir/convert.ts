/**
 * Type conversions expressed in the IR (KQL's to* functions), shared by the binder and printers.
 */
import { ir, type Expr } from './ir.ts';
import type { KqlType } from '../types.ts';

/** The KQL conversion function that produces each type (`__todynamic` wraps a scalar as dynamic). */
export const CONVERSION_FUNCTION: Record<KqlType, string> = {
  string: 'tostring', long: 'tolong', int: 'toint', real: 'todouble', bool: 'tobool', datetime: 'todatetime',
  timespan: 'totimespan', guid: 'toguid', dynamic: '__todynamic', decimal: 'todecimal',
};

/** `e` converted to `type` (unchanged when it already has that type; typed null for null literals). */
export function convertTo(e: Expr, type: KqlType): Expr {
  if (e.type === type) return e;
  if (e.k === 'lit' && e.value === null) return ir.lit(null, type);
  if (e.k === 'lit' && (typeof e.value === 'number' || typeof e.value === 'bigint')) {
    // fold numeric literal conversions (keeps literals literal, e.g. function arguments)
    const n = Number(e.value);
    if (type === 'real' || type === 'decimal') return ir.lit(n, type);
    if ((type === 'long' || type === 'int') && Number.isInteger(n)) return ir.lit(e.value, type);
  }
  return ir.call(CONVERSION_FUNCTION[type], [e], type);
}
