import { describe, expect, it } from 'vitest';
import {
  closestPointOnLine, distancePointToLine, distancePointToPolygon, intersection2Lines, intersectionLineWithPolygon, intersects2Lines,
  intersects2Polygons, intersectsLineWithPolygon, lineCentroid, lineLength, pointInPolygon, polygonArea, polygonCentroid, polygonPerimeter,
} from './geo-measure.ts';

const poly = (...rings: number[][][]) => JSON.stringify({ type: 'Polygon', coordinates: rings });
const line = (...pts: number[][]) => JSON.stringify({ type: 'LineString', coordinates: pts });
const coords = (geojson: string | null) => (JSON.parse(geojson!) as { coordinates: number[] }).coordinates;

// the KQL documentation's shapes and the values it prints
const CENTRAL_PARK = [[-73.9495, 40.7969], [-73.95807266235352, 40.80068603561921], [-73.98201942443848, 40.76825672305777], [-73.97317886352539, 40.76455136505513], [-73.9495, 40.7969]];
const SECOND = [[-73.94262313842773, 40.775991804565585], [-73.98107528686523, 40.791849155467695], [-73.99600982666016, 40.77092185281977], [-73.96150588989258, 40.75609977566361], [-73.94262313842773, 40.775991804565585]];
const MANHATTAN = [[-73.92597198486328, 40.87821814104651], [-73.94691467285156, 40.85069618625578], [-73.94691467285156, 40.841865966890786], [-74.01008605957031, 40.7519385984599], [-74.01866912841797, 40.704586878965245], [-74.01214599609375, 40.699901911003046], [-73.99772644042969, 40.70875101828792], [-73.97747039794922, 40.71083299030839], [-73.97026062011719, 40.7290474687069], [-73.97506713867186, 40.734510840309376], [-73.970947265625, 40.74543623770158], [-73.94210815429688, 40.77586181063573], [-73.9434814453125, 40.78080140115127], [-73.92974853515625, 40.79691751000055], [-73.93077850341797, 40.804454347291006], [-73.93489837646484, 40.80965166748853], [-73.93524169921875, 40.83719066854111], [-73.922882080078, 40.85770758108904], [-73.9101791381836, 40.871728144624974], [-73.92597198486328, 40.87821814104651]];
const PARK_HOLE = [[-73.95824432373047, 40.80071852197889], [-73.98206233978271, 40.76815921628347], [-73.97309303283691, 40.76422632379533], [-73.94914627075195, 40.796949998204596], [-73.95824432373047, 40.80071852197889]];

describe('geo measures on the sphere', () => {
  it('tests containment with holes, whichever way the rings wind', () => {
    const p = poly(MANHATTAN, PARK_HOLE);
    expect(pointInPolygon(-73.985654, 40.748487, p)).toBe(true); // Empire State Building
    expect(pointInPolygon(-73.963249, 40.779525, p)).toBe(false); // in the hole (Central Park)
    expect(pointInPolygon(-73.874367, 40.777356, p)).toBe(false); // LaGuardia
    expect(pointInPolygon(-73.985654, 40.748487, poly([...MANHATTAN].reverse(), [...PARK_HOLE].reverse()))).toBe(true);
  });

  it('gives null for invalid coordinates and rings', () => {
    expect(pointInPolygon(200, 1, poly([[0, 0], [10, 10], [10, 1], [0, 0]]))).toBeNull();
    expect(pointInPolygon(1, 1, poly([[0, 0], [10, 10], [10, 10], [0, 0]]))).toBeNull(); // repeated vertex
    expect(pointInPolygon(1, 1, poly([[0, 0], [10, 0], [0, 10], [10, 10], [0, 0]]))).toBeNull(); // self-crossing
    expect(pointInPolygon(1, 1, poly([[0, 0], [10, 0], [10, 10], [0, 1]]))).toBeNull(); // not closed
    expect(lineLength(line([1, 1]))).toBeNull();
    expect(lineLength('{"type":"LineString"}')).toBeNull();
    expect(distancePointToLine(1, 1, 'not json')).toBeNull();
  });

  it('measures distances, lengths and perimeters as KQL prints them', () => {
    expect(distancePointToPolygon(-73.9839, 40.7705, poly(CENTRAL_PARK))).toBeCloseTo(259.940756070596, 6);
    expect(distancePointToPolygon(-73.965, 40.785, poly(CENTRAL_PARK))).toBe(0);
    expect(lineLength(line([-73.95807266235352, 40.800426144169315], [-73.94966125488281, 40.79691751000055], [-73.97317886352539, 40.764486356930334])))
      .toBeCloseTo(4922.48016992081, 6);
    // overlapping polygons of a multipolygon count as their union
    expect(polygonPerimeter(JSON.stringify({ type: 'MultiPolygon', coordinates: [[CENTRAL_PARK], [SECOND]] }))).toBeCloseTo(15943.5384578745, 5);
  });

  it('computes areas with holes and unions', () => {
    const square = [[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]];
    const a = polygonArea(poly(square))!;
    // 1° of latitude (111.2 km) by 1° of longitude at 10.5° north (109.3 km)
    expect(a).toBeGreaterThan(1.21e10);
    expect(a).toBeLessThan(1.22e10);
    const twice = polygonArea(JSON.stringify({ type: 'MultiPolygon', coordinates: [[square], [square.map(([x, y]) => [x + 0.5, y])]] }))!;
    expect(twice / a).toBeCloseTo(1.5, 2);
    expect(polygonArea(poly([[0, 0], [10, 10], [10, 10], [0, 0]]))).toBeNull();
    // the documented areas: Central Park, and its union with an overlapping polygon
    expect(polygonArea(poly(CENTRAL_PARK))! / 3475207.28346606).toBeCloseTo(1, 9);
    expect(polygonArea(JSON.stringify({ type: 'MultiPolygon', coordinates: [[CENTRAL_PARK], [SECOND]] }))! / 10889971.5343487).toBeCloseTo(1, 9);
  });

  it('finds centroids on the sphere', () => {
    expect(coords(polygonCentroid(poly(CENTRAL_PARK)))[0]).toBeCloseTo(-73.9657356899076, 9);
    const l = line([-73.95807266235352, 40.800426144169315], [-73.94966125488281, 40.79691751000055], [-73.97317886352539, 40.764486356930334], [-73.98210525512695, 40.76786669510221], [-73.96004676818848, 40.7980870753293]);
    expect(coords(lineCentroid(l))[0]).toBeCloseTo(-73.9660675626837, 9);
  });

  it('intersects lines and polygons', () => {
    const a = line([-73.978929, 40.785155], [-73.980903, 40.782621]);
    const b = line([-73.985195, 40.788275], [-73.974552, 40.779761]);
    expect(intersects2Lines(a, b)).toBe(true);
    const [x, y] = coords(intersection2Lines(a, b));
    expect(x).toBeCloseTo(-73.97983711667098, 9);
    expect(y).toBeCloseTo(40.783989289772165, 9);
    expect(JSON.parse(intersection2Lines(a, a)!)).toEqual({ type: 'LineString', coordinates: [[-73.978929, 40.785155], [-73.980903, 40.782621]] });
    expect(JSON.parse(intersection2Lines(line([1, 1], [2, 2]), line([3, 3], [4, 4]))!)).toEqual({ type: 'GeometryCollection', geometries: [] });
    const triangle = poly([[-73.9712905883789, 40.78580561168767], [-73.98004531860352, 40.775276834803655], [-73.97000312805176, 40.77852663535664], [-73.9712905883789, 40.78580561168767]]);
    expect(intersectsLineWithPolygon(b, triangle)).toBe(true);
    const piece = JSON.parse(intersectionLineWithPolygon(b, triangle)!) as { type: string; coordinates: number[][] };
    expect(piece.type).toBe('LineString');
    expect(piece.coordinates[0][0]).toBeCloseTo(-73.975611956578192, 9);
    expect(piece.coordinates[1]).toEqual([-73.974552, 40.779761]);
    expect(intersects2Polygons(poly(CENTRAL_PARK), poly(SECOND))).toBe(true);
    expect(intersects2Polygons(poly(CENTRAL_PARK), poly([[0, 0], [1, 0], [1, 1], [0, 0]]))).toBe(false);
  });

  it('finds the closest point of a line', () => {
    const [x, y] = coords(closestPointOnLine(0.5, 1, line([0, 0], [1, 0])));
    expect(x).toBeCloseTo(0.5, 12);
    expect(Math.abs(y)).toBeLessThan(1e-12);
    expect(closestPointOnLine(300, 3, line([1, 1], [2, 2]))).toBeNull();
  });
});
