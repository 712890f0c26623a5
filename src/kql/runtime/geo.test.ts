import { describe, expect, it } from 'vitest';
import { ENGINE_FUNCTIONS } from './functions.ts';
import { geohashNeighbors, geohashToCentralPoint, h3CellChildren, h3CellParent, h3CellRings, pointToGeohash, pointToH3Cell } from './geo.ts';

const fn = (name: string) => ENGINE_FUNCTIONS.find((f) => f.sqlName === name)!.impl;

describe('geo engine functions', () => {
  it('refuses invalid coordinates and parameters with null', () => {
    expect(pointToH3Cell(300, 1, 8)).toBeNull();
    expect(pointToH3Cell(1, 1, 16)).toBeNull();
    expect(pointToH3Cell(1, 1, 1.5)).toBeNull();
    expect(pointToGeohash(1, 1, 19)).toBeNull();
    expect(geohashToCentralPoint('sunny!')).toBeNull();
    expect(geohashNeighbors('a')).toBeNull(); // 'a' is not a geohash character
    expect(h3CellRings('861f8894fffffff', 150)).toBeNull();
  });

  it('defaults the parent and children to one level up and down', () => {
    expect(h3CellParent('862a1072fffffff', null)).toBe('852a1073fffffff');
    expect(h3CellParent('862a1072fffffff', 6)).toBe('862a1072fffffff');
    expect(JSON.parse(h3CellChildren('862a1072fffffff', null)!)).toHaveLength(7);
    expect(h3CellChildren('862a1072fffffff', 5)).toBeNull();
    expect(h3CellChildren('862a1072fffffff', 11)).not.toBeNull();
    expect(h3CellChildren('862a1072fffffff', 12)).toBeNull();
  });

  it('gives null for a null argument, except an omitted resolution', () => {
    expect(fn('kql_geo_point_to_h3cell')(1, 1, null)).toBeNull();
    expect(fn('kql_geo_point_to_geohash')(null, 1, 5)).toBeNull();
    expect(fn('kql_geo_h3cell_parent')('862a1072fffffff', null)).toBe('852a1073fffffff');
    expect(fn('kql_geo_h3cell_parent')(null, 3)).toBeNull();
  });

  it('accepts upper-case geohashes', () => {
    expect(geohashToCentralPoint('SUNNY')).toBe(geohashToCentralPoint('sunny'));
  });
});
