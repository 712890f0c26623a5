/**
 * The engine functions (./functions.ts) of KQL's S2, GeoJSON-shape and WKT geospatial functions.
 * Shapes arrive as GeoJSON text and dynamic results leave as JSON text; booleans are returned as
 * 1/0 (the printer turns them back into booleans). Any null argument gives null.
 */
import type { EngineFunction } from './functions.ts';
import { lineDensify, polygonDensify } from './geo-densify.ts';
import * as m from './geo-measure.ts';
import { lineToS2Cells, pointToS2Cell, polygonToS2Cells, s2CellNeighbors, s2CellToCentralPoint, s2CellToPolygon } from './geo-s2.ts';
import { polygonToH3Cells } from './geo.ts';
import { geoFromWkt } from './geo-wkt.ts';

type Arg = number | string | null;

/** Null when any argument is null, else `f` of them (booleans as 1/0). */
const strict = <A extends unknown[]>(f: (...a: A) => number | string | boolean | null) => (...args: Arg[]) => {
  if (args.some((a) => a === null)) return null;
  const r = f(...(args as A));
  return typeof r === 'boolean' ? (r ? 1 : 0) : r;
};

const fn = (name: string, params: EngineFunction['params'], returns: EngineFunction['returns'], impl: EngineFunction['impl'], json = false): EngineFunction =>
  ({ sqlName: `kql_${name}`, params, returns, impl, ...(json ? { json } : {}) });

/** The engine functions of the S2, shape and WKT geospatial functions. */
export const GEO_SHAPE_ENGINE_FUNCTIONS: readonly EngineFunction[] = [
  fn('geo_point_to_s2cell', ['real', 'real', 'int'], 'string', strict(pointToS2Cell)),
  fn('geo_s2cell_to_central_point', ['string'], 'string', strict(s2CellToCentralPoint), true),
  fn('geo_s2cell_to_polygon', ['string'], 'string', strict(s2CellToPolygon), true),
  fn('geo_s2cell_neighbors', ['string'], 'string', strict(s2CellNeighbors), true),
  fn('geo_polygon_to_s2cells', ['string', 'int', 'real'], 'string', strict(polygonToS2Cells), true),
  fn('geo_line_to_s2cells', ['string', 'int', 'real'], 'string', strict(lineToS2Cells), true),
  fn('geo_polygon_to_h3cells', ['string', 'int', 'real'], 'string', strict(polygonToH3Cells), true),
  fn('geo_from_wkt', ['string'], 'string', strict(geoFromWkt), true),
  fn('geo_point_in_polygon', ['real', 'real', 'string'], 'int', strict(m.pointInPolygon)),
  fn('geo_distance_point_to_line', ['real', 'real', 'string'], 'real', strict(m.distancePointToLine)),
  fn('geo_distance_point_to_polygon', ['real', 'real', 'string'], 'real', strict(m.distancePointToPolygon)),
  fn('geo_closest_point_on_line', ['real', 'real', 'string'], 'string', strict(m.closestPointOnLine), true),
  fn('geo_closest_point_on_polygon', ['real', 'real', 'string'], 'string', strict(m.closestPointOnPolygon), true),
  fn('geo_line_length', ['string'], 'real', strict(m.lineLength)),
  fn('geo_polygon_area', ['string'], 'real', strict(m.polygonArea)),
  fn('geo_polygon_perimeter', ['string'], 'real', strict(m.polygonPerimeter)),
  fn('geo_polygon_centroid', ['string'], 'string', strict(m.polygonCentroid), true),
  fn('geo_line_centroid', ['string'], 'string', strict(m.lineCentroid), true),
  fn('geo_intersects_2lines', ['string', 'string'], 'int', strict(m.intersects2Lines)),
  fn('geo_intersects_line_with_polygon', ['string', 'string'], 'int', strict(m.intersectsLineWithPolygon)),
  fn('geo_intersects_2polygons', ['string', 'string'], 'int', strict(m.intersects2Polygons)),
  fn('geo_intersection_2lines', ['string', 'string'], 'string', strict(m.intersection2Lines), true),
  fn('geo_intersection_line_with_polygon', ['string', 'string'], 'string', strict(m.intersectionLineWithPolygon), true),
  fn('geo_line_densify', ['string', 'real', 'int'], 'string', strict((l: string, t: number, c: number) => lineDensify(l, t, c !== 0)), true),
  fn('geo_polygon_densify', ['string', 'real', 'int'], 'string', strict((p: string, t: number, c: number) => polygonDensify(p, t, c !== 0)), true),
];
