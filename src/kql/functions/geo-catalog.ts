/**
 * Signatures of the geospatial functions (printed by src/kql/print/duckdb/geo.ts): on the sphere,
 * H3 cells and geohashes.
 */
import type { FnSig, TypeRule } from './catalog.ts';

const sig = (min: number, max: number, ret: TypeRule): FnSig => ({ min, max, ret });

export const GEO_FUNCTIONS: Record<string, FnSig> = {
  geo_distance_2points: sig(4, 4, 'real'), geo_point_in_circle: sig(5, 5, 'bool'), geo_azimuth: sig(4, 4, 'real'), geo_angle: sig(6, 6, 'real'),
  geo_point_to_h3cell: sig(2, 3, 'string'), geo_h3cell_level: sig(1, 1, 'int'), geo_h3cell_to_central_point: sig(1, 1, 'dynamic'),
  geo_h3cell_to_polygon: sig(1, 1, 'dynamic'), geo_h3cell_parent: sig(1, 2, 'string'), geo_h3cell_children: sig(1, 2, 'dynamic'),
  geo_h3cell_neighbors: sig(1, 1, 'dynamic'), geo_h3cell_rings: sig(2, 2, 'dynamic'),
  geo_point_to_geohash: sig(2, 3, 'string'), geo_geohash_to_central_point: sig(1, 1, 'dynamic'), geo_geohash_to_polygon: sig(1, 1, 'dynamic'),
  geo_geohash_neighbors: sig(1, 1, 'dynamic'),
};
