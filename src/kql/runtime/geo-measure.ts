/**
 * KQL's geospatial measures and predicates over GeoJSON lines and polygons, on the sphere
 * (./geo-sphere.ts): containment, distances, lengths, areas, centroids, closest points and
 * intersections of lines. Every function takes the shape as GeoJSON text and returns null for an
 * invalid shape or coordinate (./geo-geojson.ts); dynamic results are GeoJSON text.
 */
import { parseLines, parsePolygons, readPos, ringsOf, type Line, type Polygon, type Pos } from './geo-geojson.ts';
import {
  EARTH_RADIUS_M, add, angle, closestOnEdge, edgeIntersection, edgeMoment, loopContains, norm, same, scale,
  toLonLat, triangleArea, type Vec,
} from './geo-sphere.ts';

const point = (v: Vec) => JSON.stringify({ type: 'Point', coordinates: toLonLat(v) });
const at = (lon: number, lat: number): Pos | null => readPos([lon, lat]);

/** Whether `p` is in the polygon: in its shell and in none of its holes. */
export function polygonContains(poly: Polygon, p: Vec): boolean {
  return loopContains(poly.shell.pts.map((x) => x.v), p) && !poly.holes.some((h) => loopContains(h.pts.map((x) => x.v), p));
}

/** geo_point_in_polygon: whether the point lies in the polygon or multipolygon. */
export function pointInPolygon(lon: number, lat: number, polygon: string): boolean | null {
  const p = at(lon, lat);
  const polys = parsePolygons(polygon);
  if (p === null || polys === null) return null;
  return polys.some((poly) => polygonContains(poly, p.v));
}

/** The edges of lines, as pairs of vectors. */
function* lineEdges(lines: Line[]): Generator<[Vec, Vec]> {
  for (const l of lines) for (let i = 0; i + 1 < l.length; i++) yield [l[i].v, l[i + 1].v];
}

/** The edges of polygon rings (closing edge included). */
function* ringEdges(polys: Polygon[]): Generator<[Vec, Vec]> {
  for (const r of ringsOf(polys)) for (let i = 0; i < r.pts.length; i++) yield [r.pts[i].v, r.pts[(i + 1) % r.pts.length].v];
}

function closest(p: Vec, edges: Iterable<[Vec, Vec]>): Vec {
  let best: Vec = p;
  let bestD = Infinity;
  for (const [a, b] of edges) {
    const x = closestOnEdge(p, a, b);
    const d = angle(p, x);
    if (d < bestD) { bestD = d; best = x; }
  }
  return best;
}

/** geo_distance_point_to_line: meters from the point to the nearest point of the line(s). */
export function distancePointToLine(lon: number, lat: number, line: string): number | null {
  const p = at(lon, lat);
  const lines = parseLines(line);
  if (p === null || lines === null) return null;
  return angle(p.v, closest(p.v, lineEdges(lines))) * EARTH_RADIUS_M;
}

/** geo_distance_point_to_polygon: meters from the point to the polygon (0 inside it). */
export function distancePointToPolygon(lon: number, lat: number, polygon: string): number | null {
  const p = at(lon, lat);
  const polys = parsePolygons(polygon);
  if (p === null || polys === null) return null;
  if (polys.some((poly) => polygonContains(poly, p.v))) return 0;
  return angle(p.v, closest(p.v, ringEdges(polys))) * EARTH_RADIUS_M;
}

/** geo_closest_point_on_line: the point of the line(s) nearest to the given point. */
export function closestPointOnLine(lon: number, lat: number, line: string): string | null {
  const p = at(lon, lat);
  const lines = parseLines(line);
  if (p === null || lines === null) return null;
  return point(closest(p.v, lineEdges(lines)));
}

/** geo_closest_point_on_polygon: the point itself when inside, else the nearest boundary point. */
export function closestPointOnPolygon(lon: number, lat: number, polygon: string): string | null {
  const p = at(lon, lat);
  const polys = parsePolygons(polygon);
  if (p === null || polys === null) return null;
  if (polys.some((poly) => polygonContains(poly, p.v))) return point(p.v);
  return point(closest(p.v, ringEdges(polys)));
}

/** geo_line_length: the total length of the line(s) in meters. */
export function lineLength(line: string): number | null {
  const lines = parseLines(line);
  if (lines === null) return null;
  let sum = 0;
  for (const [a, b] of lineEdges(lines)) sum += angle(a, b);
  return sum * EARTH_RADIUS_M;
}

/**
 * The boundary of the area the polygons cover, as edges with that area on their left: every ring
 * edge of a single polygon; for a multipolygon, the pieces of ring edges outside the other polygons
 * (KQL reads a multipolygon as the union of its polygons).
 */
function boundary(polys: Polygon[]): [Vec, Vec][] {
  if (polys.length === 1) return [...ringEdges(polys)];
  const out: [Vec, Vec][] = [];
  polys.forEach((poly, i) => {
    const others = polys.filter((_, j) => j !== i);
    for (const [a, b] of ringEdges([poly])) {
      for (const [p, q] of cutEdge(a, b, ringEdges(others))) {
        const mid = scale(add(p, q), 1 / norm(add(p, q)));
        if (!others.some((o) => polygonContains(o, mid))) out.push([p, q]);
      }
    }
  });
  return out;
}

/** geo_polygon_area: the area in square meters covered by the polygon(s), holes excluded. */
export function polygonArea(polygon: string): number | null {
  const polys = parsePolygons(polygon);
  if (polys === null) return null;
  // fan triangles from one fixed point over every boundary edge sum to the enclosed area
  const o = polys[0].shell.pts[0].v;
  let sum = 0;
  for (const [a, b] of boundary(polys)) sum += triangleArea(o, a, b);
  return sum * EARTH_RADIUS_M * EARTH_RADIUS_M;
}

/** geo_polygon_perimeter: the length in meters of the boundary of the area the polygon(s) cover. */
export function polygonPerimeter(polygon: string): number | null {
  const polys = parsePolygons(polygon);
  if (polys === null) return null;
  let sum = 0;
  for (const [a, b] of boundary(polys)) sum += angle(a, b);
  return sum * EARTH_RADIUS_M;
}

/** The pieces of the arc a–b between the points where `edges` meet it, in order from `a`. */
function cutEdge(a: Vec, b: Vec, edges: Iterable<[Vec, Vec]>): [Vec, Vec][] {
  const cuts: Vec[] = [a, b];
  for (const [r, s] of edges) {
    const x = edgeIntersection(a, b, r, s);
    if (x === null) continue;
    if ('overlap' in x) cuts.push(...x.overlap);
    else cuts.push(x.point);
  }
  const ordered = cuts.map((v) => ({ v, d: angle(a, v) })).sort((x, y) => x.d - y.d)
    .filter((x, i, all) => i === 0 || x.d - all[i - 1].d > 0).map((x) => x.v);
  const out: [Vec, Vec][] = [];
  for (let i = 0; i + 1 < ordered.length; i++) out.push([ordered[i], ordered[i + 1]]);
  return out;
}

/**
 * geo_polygon_centroid: the centroid of the polygon(s) as a GeoJSON point: the area-weighted sum of
 * the centroids of fan triangles from one fixed vertex over the boundary (the value KQL prints).
 */
export function polygonCentroid(polygon: string): string | null {
  const polys = parsePolygons(polygon);
  if (polys === null) return null;
  const o = polys[0].shell.pts[0].v;
  let m: Vec = [0, 0, 0];
  for (const [a, b] of boundary(polys)) m = add(m, scale(add(add(o, a), b), triangleArea(o, a, b) / 3));
  return norm(m) === 0 ? null : point(m);
}

/** geo_line_centroid: the length-weighted centroid on the sphere, as a GeoJSON point. */
export function lineCentroid(line: string): string | null {
  const lines = parseLines(line);
  if (lines === null) return null;
  let m: Vec = [0, 0, 0];
  for (const [a, b] of lineEdges(lines)) m = add(m, edgeMoment(a, b));
  if (norm(m) === 0) {
    // every edge has zero length: the lines are points
    return point(lines[0][0].v);
  }
  return point(m);
}

/** Whether any edge of `a` meets any edge of `b`. */
function edgesMeet(a: Iterable<[Vec, Vec]>, b: () => Iterable<[Vec, Vec]>): boolean {
  for (const [p, q] of a) for (const [r, s] of b()) if (edgeIntersection(p, q, r, s) !== null) return true;
  return false;
}

/** geo_intersects_2lines: whether the two lines (or multilines) meet. */
export function intersects2Lines(line1: string, line2: string): boolean | null {
  const a = parseLines(line1);
  const b = parseLines(line2);
  if (a === null || b === null) return null;
  return edgesMeet(lineEdges(a), () => lineEdges(b));
}

/** geo_intersects_line_with_polygon: whether the line(s) meet the polygon (boundary or inside). */
export function intersectsLineWithPolygon(line: string, polygon: string): boolean | null {
  const lines = parseLines(line);
  const polys = parsePolygons(polygon);
  if (lines === null || polys === null) return null;
  if (lines.some((l) => l.some((p) => polys.some((poly) => polygonContains(poly, p.v))))) return true;
  return edgesMeet(lineEdges(lines), () => ringEdges(polys));
}

/** geo_intersects_2polygons: whether the two polygons (or multipolygons) meet. */
export function intersects2Polygons(polygon1: string, polygon2: string): boolean | null {
  const a = parsePolygons(polygon1);
  const b = parsePolygons(polygon2);
  if (a === null || b === null) return null;
  const anyVertexIn = (x: Polygon[], y: Polygon[]) => ringsOf(x).some((r) => r.pts.some((p) => y.some((poly) => polygonContains(poly, p.v))));
  if (anyVertexIn(a, b) || anyVertexIn(b, a)) return true;
  return edgesMeet(ringEdges(a), () => ringEdges(b));
}

/** Points and stretches shared by two sets of edges, as a GeoJSON geometry. */
function sharedGeometry(a: Iterable<[Vec, Vec]>, b: () => Iterable<[Vec, Vec]>): string {
  const points: Vec[] = [];
  const segments: [Vec, Vec][] = [];
  for (const [p, q] of a) {
    for (const [r, s] of b()) {
      const x = edgeIntersection(p, q, r, s);
      if (x === null) continue;
      if ('overlap' in x) segments.push(x.overlap);
      else points.push(x.point);
    }
  }
  const lines = joinSegments(segments);
  // points on a shared stretch are part of it
  const onLines = (v: Vec) => lines.some((l) => l.some((w) => same(w, v)) || l.some((w, i) => i > 0 && angle(closestOnEdge(v, l[i - 1], w), v) < 1e-15));
  const lone: Vec[] = [];
  for (const v of points) if (!onLines(v) && !lone.some((w) => angle(v, w) < 1e-15)) lone.push(v);
  const coords = (l: Vec[]) => l.map(toLonLat);
  const geoms: object[] = [];
  if (lone.length === 1) geoms.push({ type: 'Point', coordinates: toLonLat(lone[0]) });
  if (lone.length > 1) geoms.push({ type: 'MultiPoint', coordinates: lone.map(toLonLat) });
  if (lines.length === 1) geoms.push({ type: 'LineString', coordinates: coords(lines[0]) });
  if (lines.length > 1) geoms.push({ type: 'MultiLineString', coordinates: lines.map(coords) });
  if (geoms.length === 1) return JSON.stringify(geoms[0]);
  return JSON.stringify({ type: 'GeometryCollection', geometries: geoms });
}

/** Chains segments that share ends into polylines (in the order found). */
function joinSegments(segments: [Vec, Vec][]): Vec[][] {
  const lines: Vec[][] = [];
  for (const [p, q] of segments) {
    if (same(p, q)) continue;
    const tail = lines.find((l) => same(l[l.length - 1], p));
    if (tail) { tail.push(q); continue; }
    const head = lines.find((l) => same(l[0], q));
    if (head) { head.unshift(p); continue; }
    lines.push([p, q]);
  }
  return lines;
}

/** geo_intersection_2lines: the points and stretches the two lines share, as GeoJSON. */
export function intersection2Lines(line1: string, line2: string): string | null {
  const a = parseLines(line1);
  const b = parseLines(line2);
  if (a === null || b === null) return null;
  return sharedGeometry(lineEdges(a), () => lineEdges(b));
}

/**
 * geo_intersection_line_with_polygon: the parts of the line(s) inside the polygon (boundary
 * included), as GeoJSON: pieces between the crossings whose midpoints the polygon contains.
 */
export function intersectionLineWithPolygon(line: string, polygon: string): string | null {
  const lines = parseLines(line);
  const polys = parsePolygons(polygon);
  if (lines === null || polys === null) return null;
  const inside = (v: Vec) => polys.some((poly) => polygonContains(poly, v));
  const pieces: Vec[][] = [];
  const lonePoints: Vec[] = [];
  for (const [a, b] of lineEdges(lines)) {
    const pieces0 = cutEdge(a, b, ringEdges(polys));
    for (const [p, q] of pieces0) {
      const mid = scale(add(p, q), 1 / norm(add(p, q)));
      if (!inside(mid) && !onBoundary(mid, polys)) continue;
      const last = pieces[pieces.length - 1];
      if (last && same(last[last.length - 1], p)) last.push(q);
      else pieces.push([p, q]);
    }
    if (pieces0.length === 0 && inside(a)) lonePoints.push(a);
  }
  // a line that only touches the polygon's boundary
  if (pieces.length === 0) {
    for (const [a, b] of lineEdges(lines)) {
      for (const [r, s] of ringEdges(polys)) {
        const x = edgeIntersection(a, b, r, s);
        if (x !== null && 'point' in x && !lonePoints.some((w) => same(w, x.point))) lonePoints.push(x.point);
      }
    }
  }
  const coords = (l: Vec[]) => l.map(toLonLat);
  const geoms: object[] = [];
  if (lonePoints.length === 1) geoms.push({ type: 'Point', coordinates: toLonLat(lonePoints[0]) });
  if (lonePoints.length > 1) geoms.push({ type: 'MultiPoint', coordinates: lonePoints.map(toLonLat) });
  if (pieces.length === 1) geoms.push({ type: 'LineString', coordinates: coords(pieces[0]) });
  if (pieces.length > 1) geoms.push({ type: 'MultiLineString', coordinates: pieces.map(coords) });
  if (geoms.length === 1) return JSON.stringify(geoms[0]);
  return JSON.stringify({ type: 'GeometryCollection', geometries: geoms });
}

function onBoundary(v: Vec, polys: Polygon[]): boolean {
  for (const [a, b] of ringEdges(polys)) if (angle(closestOnEdge(v, a, b), v) < 1e-15) return true;
  return false;
}
