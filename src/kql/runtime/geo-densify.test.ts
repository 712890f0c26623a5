import { describe, expect, it } from 'vitest';
import { lineDensify, polygonDensify } from './geo-densify.ts';

describe('densify', () => {
  it('adds planar points until the geodesic chain is within tolerance', () => {
    expect(JSON.parse(lineDensify('{"type":"LineString","coordinates":[[50,50],[51,51]]}', 10, false)!)).toEqual({
      type: 'LineString', coordinates: [[50, 50], [50.125, 50.125], [50.25, 50.25], [50.375, 50.375], [50.5, 50.5], [50.625, 50.625], [50.75, 50.75], [50.875, 50.875], [51, 51]],
    });
    const short = '{"type":"LineString","coordinates":[[-73.949247,40.79686],[-73.973017,40.764323]]}';
    expect(JSON.parse(lineDensify(short, 10, false)!)).toEqual(JSON.parse(short));
    expect(JSON.parse(polygonDensify('{"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}', 10, false)!)).toEqual({
      type: 'Polygon', coordinates: [[[10, 10], [10.25, 10], [10.5, 10], [10.75, 10], [11, 10], [11, 11], [10.75, 11], [10.5, 11], [10.25, 11], [10, 11], [10, 10]]],
    });
  });

  it('crosses the antimeridian only when asked', () => {
    const l = '{"type":"LineString","coordinates":[[179,0],[-179,0]]}';
    const across = (JSON.parse(lineDensify(l, 10, true)!) as { coordinates: number[][] }).coordinates;
    expect(across.every(([x]) => Math.abs(x) >= 179)).toBe(true);
    const around = (JSON.parse(lineDensify(l, 10000, false)!) as { coordinates: number[][] }).coordinates;
    expect(around.some(([x]) => Math.abs(x) < 90)).toBe(true);
  });

  it('gives null for invalid shapes and tolerances', () => {
    expect(lineDensify('{"type":"LineString","coordinates":[[300,1],[1,1]]}', 10, false)).toBeNull();
    expect(lineDensify('{"type":"LineString","coordinates":[[1,1],[2,2]]}', 0, false)).toBeNull();
    expect(polygonDensify('{"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}', 0, false)).toBeNull();
  });
});
