/**
 * Operators whose output columns come from the data (bag_unpack without an output schema, pivot):
 * binding stops with DiscoveryNeeded, whose relation lists the names; compilation runs it and binds
 * again with the names in BindOptions.discovered (see compileDiscovering in compile.ts).
 */
import type { Rel } from '../ir/ir.ts';

/** Most columns an operator may take from the data (bag_unpack properties, pivot values). */
export const MAX_DISCOVERED_NAMES = 1000;

/** The column the discovery relation returns: one row per distinct name. */
export const DISCOVERY_COLUMN = 'PropertyName';

/**
 * Thrown while binding when an operator's output columns depend on the data. `rel` lists the
 * names (column DISCOVERY_COLUMN, at most MAX_DISCOVERED_NAMES + 1 rows); binding again
 * with `discovered[id]` set to them completes the query.
 */
export class DiscoveryNeeded extends Error {
  constructor(readonly id: string, readonly rel: Rel) {
    super(`the column names of '${id}' must be read from the data first`);
  }
}
