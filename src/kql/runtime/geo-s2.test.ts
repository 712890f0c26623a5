import { describe, expect, it } from 'vitest';
import { lineToS2Cells, pointToS2Cell, polygonToS2Cells, s2CellNeighbors, s2CellToCentralPoint, s2CellToPolygon } from './geo-s2.ts';

describe('S2 cells', () => {
  it('gives Google S2 tokens and refuses bad input with null', () => {
    expect(pointToS2Cell(-80.195829, 25.802215, 8)).toBe('88d9b');
    expect(pointToS2Cell(10.1234, 53, 8)).toBe('47b1d');
    expect(pointToS2Cell(10.6842, 53, 8)).toBe('47ae3');
    expect(pointToS2Cell(300, 1, 8)).toBeNull();
    expect(pointToS2Cell(1, 1, 31)).toBeNull();
    expect(s2CellToCentralPoint('zz')).toBeNull();
  });

  it('gives a cell center, its polygon from vertex 0 and its eight neighbors', () => {
    const [lon, lat] = (JSON.parse(s2CellToCentralPoint('1234567')!) as { coordinates: number[] }).coordinates;
    expect(lon).toBeCloseTo(9.86830731850408, 12);
    expect(lat).toBeCloseTo(27.4683929258276, 12);
    const ring = (JSON.parse(s2CellToPolygon('89c259')!) as { coordinates: number[][][] }).coordinates[0];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    expect(ring[0][0]).toBeCloseTo(-74.030012249838478, 12);
    expect(ring[2][1]).toBeCloseTo(40.708880489804564, 12);
    expect(JSON.parse(s2CellNeighbors('89c259')!).sort()).toEqual(['89c251', '89c257', '89c25b', '89c25d', '89c25f', '89c2f5', '89c2f7', '89c2f9']);
  });

  it('covers polygons and lines with cells of one level, null past the limit', () => {
    const triangle = JSON.stringify({ type: 'Polygon', coordinates: [[[0, 0], [0, 50], [100, 50], [0, 0]]] });
    expect(JSON.parse(polygonToS2Cells(triangle, 5, 0)!)).toHaveLength(286);
    expect(polygonToS2Cells(triangle, 30, 0)).toBeNull();
    // a point's cell is in the covering of a polygon holding it
    const square = JSON.stringify({ type: 'Polygon', coordinates: [[[-74, 40.7], [-73.9, 40.7], [-73.9, 40.8], [-74, 40.8], [-74, 40.7]]] });
    const cells = JSON.parse(polygonToS2Cells(square, 14, 0)!) as string[];
    expect(cells).toContain(pointToS2Cell(-73.95, 40.75, 14));
    expect(cells).not.toContain(pointToS2Cell(-73.8, 40.75, 14));
    expect([...cells].sort()).toEqual(cells.slice().sort());
    // a radius adds the cells around
    expect((JSON.parse(polygonToS2Cells(square, 14, 2000)!) as string[]).length).toBeGreaterThan(cells.length);
    const l = JSON.stringify({ type: 'LineString', coordinates: [[-73.95, 40.75], [-73.9, 40.76]] });
    const lc = JSON.parse(lineToS2Cells(l, 12, 0)!) as string[];
    expect(lc).toContain(pointToS2Cell(-73.95, 40.75, 12));
    expect(lc).toContain(pointToS2Cell(-73.9, 40.76, 12));
    expect(lineToS2Cells(JSON.stringify({ type: 'LineString', coordinates: [[[0, 0], [0, 0]]] }), 11, 0)).toBeNull();
  });
});
