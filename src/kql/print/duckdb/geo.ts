/**
 * Geospatial functions for DuckDB. Distances and angles on the sphere are plain SQL (KQL measures on
 * a sphere of radius 6,371,010 m, as S2 does); H3 cells and geohashes call the engine functions of
 * src/kql/runtime, which the event store registers on its connections. Invalid coordinates give null.
 */
import type { Expr } from '../../ir/ir.ts';
import type { ExprPrinter, FnHandler } from '../dialect.ts';
import { as } from './sql-helpers.ts';

const EARTH_RADIUS_M = 6371010;

const real = (p: ExprPrinter, e: Expr) => as(p, e, 'real');
const int = (p: ExprPrinter, e: Expr) => as(p, e, 'int');
const str = (p: ExprPrinter, e: Expr) => as(p, e, 'string');

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

/** A call of an engine function; `json` results become dynamic values. */
function engine(name: string, json: boolean, args: string[]): string {
  const call = `kql_${name}(${args.join(', ')})`;
  return json ? `CAST(${call} AS JSON)` : call;
}

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
};
