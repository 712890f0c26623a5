/**
 * Engine functions: KQL functions computed in JavaScript rather than in the SQL dialect, which an
 * event store registers with its engine under `sqlName` (DuckDB: scalar functions). Each one sees
 * nulls itself (it decides what a null argument means) and returns null for bad input.
 */
import * as geo from './geo.ts';
import { GEO_SHAPE_ENGINE_FUNCTIONS } from './geo-engine.ts';

/** A parameter or result type of an engine function. */
export type EngineType = 'real' | 'int' | 'string';

/** One engine function. */
export interface EngineFunction {
  /** The name the printed SQL calls. */
  sqlName: string;
  params: readonly EngineType[];
  returns: EngineType;
  /** Whether the result is JSON text that the SQL turns into a dynamic value. */
  json?: boolean;
  impl: (...args: (number | string | null)[]) => number | string | null;
}

const num = (v: number | string | null): number | null => (typeof v === 'number' ? v : null);
const text = (v: number | string | null): string | null => (typeof v === 'string' ? v : null);
/** Null when any of `args` is null, else `f` of them. */
const strict = <A extends unknown[]>(f: (...a: A) => number | string | null) => (...args: (number | string | null)[]) =>
  (args.some((a) => a === null) ? null : f(...(args as A)));

export const ENGINE_FUNCTIONS: readonly EngineFunction[] = [
  { sqlName: 'kql_geo_point_to_h3cell', params: ['real', 'real', 'int'], returns: 'string', impl: strict(geo.pointToH3Cell) },
  { sqlName: 'kql_geo_h3cell_level', params: ['string'], returns: 'int', impl: strict(geo.h3CellLevel) },
  { sqlName: 'kql_geo_h3cell_to_central_point', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellToCentralPoint) },
  { sqlName: 'kql_geo_h3cell_to_polygon', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellToPolygon) },
  // a null resolution means "one level up/down" (the printer passes it when the argument is omitted)
  { sqlName: 'kql_geo_h3cell_parent', params: ['string', 'int'], returns: 'string', impl: (c, r) => (text(c) === null ? null : geo.h3CellParent(text(c)!, num(r))) },
  { sqlName: 'kql_geo_h3cell_children', params: ['string', 'int'], returns: 'string', json: true, impl: (c, r) => (text(c) === null ? null : geo.h3CellChildren(text(c)!, num(r))) },
  { sqlName: 'kql_geo_h3cell_neighbors', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellNeighbors) },
  { sqlName: 'kql_geo_h3cell_rings', params: ['string', 'int'], returns: 'string', json: true, impl: strict(geo.h3CellRings) },
  { sqlName: 'kql_geo_point_to_geohash', params: ['real', 'real', 'int'], returns: 'string', impl: strict(geo.pointToGeohash) },
  { sqlName: 'kql_geo_geohash_to_central_point', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashToCentralPoint) },
  { sqlName: 'kql_geo_geohash_to_polygon', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashToPolygon) },
  { sqlName: 'kql_geo_geohash_neighbors', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashNeighbors) },
  // S2 cells, GeoJSON shapes and WKT (src/kql/runtime/geo-engine.ts)
  ...GEO_SHAPE_ENGINE_FUNCTIONS,
];
