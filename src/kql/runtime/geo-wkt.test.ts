import { describe, expect, it } from 'vitest';
import { geoFromWkt } from './geo-wkt.ts';

const wkt = (s: string) => JSON.parse(geoFromWkt(s) ?? 'null') as unknown;

describe('geo_from_wkt', () => {
  it('converts every WKT geometry to GeoJSON', () => {
    expect(wkt('POINT (1 2)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(wkt('linestring(1 2, 3 4)')).toEqual({ type: 'LineString', coordinates: [[1, 2], [3, 4]] });
    expect(wkt('POLYGON ((0 0, 2 0, 2 2, 0 0))')).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [0, 0]]] });
    expect(wkt('MULTIPOINT ((1 1), 2 2)')).toEqual({ type: 'MultiPoint', coordinates: [[1, 1], [2, 2]] });
    expect(wkt('MULTILINESTRING ((1 1, 2 2, 3 3), (4 4, 5 5))')).toEqual({ type: 'MultiLineString', coordinates: [[[1, 1], [2, 2], [3, 3]], [[4, 4], [5, 5]]] });
    expect(wkt('MULTIPOLYGON (((0 0, 2 0, 2 2, 0 0)),((10 10, 12 10, 12 12, 10 10)))')).toEqual({
      type: 'MultiPolygon', coordinates: [[[[0, 0], [2, 0], [2, 2], [0, 0]]], [[[10, 10], [12, 10], [12, 12], [10, 10]]]],
    });
    expect(wkt('GEOMETRYCOLLECTION (POINT (1 1),LINESTRING (2 2, 3 3))')).toEqual({
      type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 1] }, { type: 'LineString', coordinates: [[2, 2], [3, 3]] }],
    });
    expect(wkt('POINT (-1.5e1 2.25)')).toEqual({ type: 'Point', coordinates: [-15, 2.25] });
  });

  it('gives null for invalid text', () => {
    for (const bad of ['LINESTRING', 'POINT (1)', 'POINT (1 2) x', 'POINT (200 1)', 'CIRCLE (1 2)', '', 'POINT (1 2']) expect(geoFromWkt(bad)).toBeNull();
  });
});
