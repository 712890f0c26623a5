/**
 * Geospatial functions for DuckDB. Distances and angles on the sphere are plain SQL (KQL measures on
 * a sphere of radius 6,371,010 m, as S2 does); H3 cells and geohashes call the engine functions of
 * src/kql/runtime, which the event store registers on its connections, and so do S2 cells, GeoJSON
 * shapes (passed as JSON text) and WKT. Invalid coordinates and shapes give null.
 */
import type { Expr } from '../../ir/ir.ts';
import type { ExprPrinter, FnHandler } from '../dialect.ts';
import { as, engineCall, toJson } from './sql-helpers.ts';

const EARTH_RADIUS_M = 6371010;

const real = (p: ExprPrinter, e: Expr) => as(p, e, 'real');
const int = (p: ExprPrinter, e: Expr) => as(p, e, 'int');
const str = (p: ExprPrinter, e: Expr) => as(p, e, 'string');
/** A dynamic argument (a GeoJSON shape) as JSON text. */
const shape = (p: ExprPrinter, e: Expr) => `CAST(${toJson(p, e)} AS VARCHAR)`;
/** An optional argument, or its default's SQL. */
const opt = (p: ExprPrinter, e: Expr | undefined, conv: (p: ExprPrinter, e: Expr) => string, dflt: string) => (e ? conv(p, e) : dflt);

/** SQL true when (lon, lat) is a valid coordinate. */
function valid(lon: string, lat: string): string {
  return `(${lon} BETWEEN -180 AND 180 AND ${lat} BETWEEN -90 AND 90)`;
}

/** Great-circle distance in meters (haversine). */
function distance(lon1: string, lat1: string, lon2: string, lat2: string): string {
  const h = `(pow(sin(radians(${lat2} - ${lat1}) / 2), 2) + cos(radians(${lat1})) * cos(radians(${lat2})) * pow(sin(radians(${lon2} - ${lon1}) / 2), 2))`;
  return `(2 * ${EARTH_RADIUS_M} * asin(sqrt(least(1.0, ${h}))))`;
}

/** Initial bearing from point 1 to point 2, clockwise from north, in radians [0, 2π). */
function azimuth(lon1: string, lat1: string, lon2: string, lat2: string): string {
  const dl = `radians(${lon2} - ${lon1})`;
  const t = `atan2(sin(${dl}) * cos(radians(${lat2})), cos(radians(${lat1})) * sin(radians(${lat2})) - sin(radians(${lat1})) * cos(radians(${lat2})) * cos(${dl}))`;
  return `((${t} + 2 * pi()) % (2 * pi()))`;
}

const same = (lon1: string, lat1: string, lon2: string, lat2: string) => `(${lon1} = ${lon2} AND ${lat1} = ${lat2})`;

/** A call of an engine function (sql-helpers' engineCall, arguments in this module's order). */
const engine = (name: string, json: boolean, args: string[]) => engineCall(name, args, json);

/** A call of an engine function that answers 1/0 for true/false. */
const predicate = (name: string, args: string[]) => `CAST(${engine(name, false, args)} AS BOOLEAN)`;

/** Functions of a point and a shape: (longitude, latitude, shape). */
const pointShape = (name: string, json: boolean, bool = false): FnHandler => (p, [x, y, s]) => {
  const args = [real(p, x), real(p, y), shape(p, s)];
  return bool ? predicate(name, args) : engine(name, json, args);
};
/** Functions of one shape. */
const oneShape = (name: string, json: boolean): FnHandler => (p, [s]) => engine(name, json, [shape(p, s)]);
/** Functions of two shapes. */
const twoShapes = (name: string, json: boolean, bool = false): FnHandler => (p, [a, b]) => {
  const args = [shape(p, a), shape(p, b)];
  return bool ? predicate(name, args) : engine(name, json, args);
};
/** Coverings: (shape, level or resolution, radius). */
const covering = (name: string, level: string): FnHandler => (p, [s, l, r]) =>
  engine(name, true, [shape(p, s), opt(p, l, int, level), opt(p, r, real, '0.0')]);
/** Densifying: (shape, tolerance = 10 m, preserve_crossing = false). */
const densify = (name: string): FnHandler => (p, [s, t, c]) =>
  engine(name, true, [shape(p, s), opt(p, t, real, '10.0'), opt(p, c, int, '0')]);

export const GEO_FUNCTIONS: Record<string, FnHandler> = {
  geo_distance_2points: (p, a) => {
    const [x1, y1, x2, y2] = a.map((e) => real(p, e));
    return `(CASE WHEN ${valid(x1, y1)} AND ${valid(x2, y2)} THEN ${distance(x1, y1, x2, y2)} END)`;
  },
  geo_point_in_circle: (p, a) => {
    const [x, y, cx, cy, r] = a.map((e) => real(p, e));
    return `(CASE WHEN ${valid(x, y)} AND ${valid(cx, cy)} AND ${r} > 0 THEN ${distance(x, y, cx, cy)} <= ${r} END)`;
  },
  geo_azimuth: (p, a) => {
    const [x1, y1, x2, y2] = a.map((e) => real(p, e));
    return `(CASE WHEN ${valid(x1, y1)} AND ${valid(x2, y2)} AND NOT ${same(x1, y1, x2, y2)} THEN ${azimuth(x1, y1, x2, y2)} END)`;
  },
  geo_angle: (p, a) => {
    const [x1, y1, x2, y2, x3, y3] = a.map((e) => real(p, e));
    const ok = `${valid(x1, y1)} AND ${valid(x2, y2)} AND ${valid(x3, y3)} AND NOT ${same(x1, y1, x2, y2)} AND NOT ${same(x2, y2, x3, y3)}`;
    return `(CASE WHEN ${ok} THEN ((${azimuth(x2, y2, x3, y3)} - ${azimuth(x2, y2, x1, y1)} + 2 * pi()) % (2 * pi())) END)`;
  },
  geo_point_to_h3cell: (p, [x, y, res]) => engine('geo_point_to_h3cell', false, [real(p, x), real(p, y), res ? int(p, res) : '6']),
  geo_h3cell_level: (p, [c]) => engine('geo_h3cell_level', false, [str(p, c)]),
  geo_h3cell_to_central_point: (p, [c]) => engine('geo_h3cell_to_central_point', true, [str(p, c)]),
  geo_h3cell_to_polygon: (p, [c]) => engine('geo_h3cell_to_polygon', true, [str(p, c)]),
  geo_h3cell_parent: (p, [c, res]) => engine('geo_h3cell_parent', false, [str(p, c), res ? int(p, res) : 'CAST(NULL AS INTEGER)']),
  geo_h3cell_children: (p, [c, res]) => engine('geo_h3cell_children', true, [str(p, c), res ? int(p, res) : 'CAST(NULL AS INTEGER)']),
  geo_h3cell_neighbors: (p, [c]) => engine('geo_h3cell_neighbors', true, [str(p, c)]),
  geo_h3cell_rings: (p, [c, d]) => engine('geo_h3cell_rings', true, [str(p, c), int(p, d)]),
  geo_point_to_geohash: (p, [x, y, acc]) => engine('geo_point_to_geohash', false, [real(p, x), real(p, y), acc ? int(p, acc) : '5']),
  geo_geohash_to_central_point: (p, [h]) => engine('geo_geohash_to_central_point', true, [str(p, h)]),
  geo_geohash_to_polygon: (p, [h]) => engine('geo_geohash_to_polygon', true, [str(p, h)]),
  geo_geohash_neighbors: (p, [h]) => engine('geo_geohash_neighbors', true, [str(p, h)]),
  geo_point_to_s2cell: (p, [x, y, level]) => engine('geo_point_to_s2cell', false, [real(p, x), real(p, y), opt(p, level, int, '11')]),
  geo_s2cell_to_central_point: (p, [c]) => engine('geo_s2cell_to_central_point', true, [str(p, c)]),
  geo_s2cell_to_polygon: (p, [c]) => engine('geo_s2cell_to_polygon', true, [str(p, c)]),
  geo_s2cell_neighbors: (p, [c]) => engine('geo_s2cell_neighbors', true, [str(p, c)]),
  geo_polygon_to_s2cells: covering('geo_polygon_to_s2cells', '11'),
  geo_line_to_s2cells: covering('geo_line_to_s2cells', '11'),
  geo_polygon_to_h3cells: covering('geo_polygon_to_h3cells', '6'),
  geo_from_wkt: (p, [w]) => engine('geo_from_wkt', true, [str(p, w)]),
  geo_point_in_polygon: pointShape('geo_point_in_polygon', false, true),
  geo_distance_point_to_line: pointShape('geo_distance_point_to_line', false),
  geo_distance_point_to_polygon: pointShape('geo_distance_point_to_polygon', false),
  geo_closest_point_on_line: pointShape('geo_closest_point_on_line', true),
  geo_closest_point_on_polygon: pointShape('geo_closest_point_on_polygon', true),
  geo_line_length: oneShape('geo_line_length', false),
  geo_polygon_area: oneShape('geo_polygon_area', false),
  geo_polygon_perimeter: oneShape('geo_polygon_perimeter', false),
  geo_polygon_centroid: oneShape('geo_polygon_centroid', true),
  geo_line_centroid: oneShape('geo_line_centroid', true),
  geo_intersects_2lines: twoShapes('geo_intersects_2lines', false, true),
  geo_intersects_line_with_polygon: twoShapes('geo_intersects_line_with_polygon', false, true),
  geo_intersects_2polygons: twoShapes('geo_intersects_2polygons', false, true),
  geo_intersection_2lines: twoShapes('geo_intersection_2lines', true),
  geo_intersection_line_with_polygon: twoShapes('geo_intersection_line_with_polygon', true),
  geo_line_densify: densify('geo_line_densify'),
  geo_polygon_densify: densify('geo_polygon_densify'),
};
