/**
 * Signatures of the geospatial functions (printed by src/kql/print/duckdb/geo.ts): on the sphere,
 * H3 cells, geohashes, S2 cells, GeoJSON shapes (lines and polygons) and WKT.
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
  geo_point_to_s2cell: sig(2, 3, 'string'), geo_s2cell_to_central_point: sig(1, 1, 'dynamic'), geo_s2cell_to_polygon: sig(1, 1, 'dynamic'),
  geo_s2cell_neighbors: sig(1, 1, 'dynamic'), geo_polygon_to_s2cells: sig(1, 3, 'dynamic'), geo_line_to_s2cells: sig(1, 3, 'dynamic'),
  geo_from_wkt: sig(1, 1, 'dynamic'), geo_point_in_polygon: sig(3, 3, 'bool'), geo_distance_point_to_line: sig(3, 3, 'real'),
  geo_distance_point_to_polygon: sig(3, 3, 'real'), geo_closest_point_on_line: sig(3, 3, 'dynamic'), geo_closest_point_on_polygon: sig(3, 3, 'dynamic'),
  geo_line_length: sig(1, 1, 'real'), geo_polygon_area: sig(1, 1, 'real'), geo_polygon_perimeter: sig(1, 1, 'real'),
  geo_polygon_centroid: sig(1, 1, 'dynamic'), geo_line_centroid: sig(1, 1, 'dynamic'),
  geo_intersects_2lines: sig(2, 2, 'bool'), geo_intersects_line_with_polygon: sig(2, 2, 'bool'), geo_intersects_2polygons: sig(2, 2, 'bool'),
  geo_intersection_2lines: sig(2, 2, 'dynamic'), geo_intersection_line_with_polygon: sig(2, 2, 'dynamic'),
  geo_line_densify: sig(1, 3, 'dynamic'), geo_polygon_densify: sig(1, 3, 'dynamic'), geo_polygon_to_h3cells: sig(1, 3, 'dynamic'),
};
