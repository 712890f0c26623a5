/**
 * The KQL engine (advanced hunting): KQL text → DuckDB SQL with positional parameters, scoped to
 * one tenant, the caller's device groups and MDE's 30-day look-back.
 */
import type { CompiledQuery } from '../domain/ports.ts';
import { TABLES } from '../schema/registry.ts';
import { compileDiscovering, compileWith, type CompileOptions } from './compile.ts';

export type { CompileOptions } from './compile.ts';
export { compileDiscovering, compileWith, planKql } from './compile.ts';
export { formatResults, formatValue, dotnetTypeName } from './result-format.ts';

/** Loads the KQL parser now (it takes a moment the first time) so the first query is fast. */
export function preloadKql(): void {
  compileWith('print 1', { tenantId: 'preload', deviceScope: 'all', now: new Date(0) }, TABLES);
}

/**
 * Compiles a hunting query for the stored event tables. Every table scan is restricted to
 * `tenantId`, to `deviceScope` (when a list of rbac group ids) and to `now - lookbackDays`.
 * Throws PalisadeError('BadRequest') with line/column details for syntax errors, and by name for
 * unsupported operators and functions.
 */
export function compileKql(text: string, opts: CompileOptions): CompiledQuery {
  return compileWith(text, opts, TABLES);
}

/**
 * compileKql for queries whose columns may depend on the data (bag_unpack): `read` runs the steps
 * that list property names (within the caller's limits) and returns their rows.
 */
export function compileKqlDiscovering(text: string, opts: CompileOptions, read: (q: CompiledQuery) => Promise<unknown[][]>): Promise<CompiledQuery> {
  return compileDiscovering(text, opts, read, TABLES);
}
