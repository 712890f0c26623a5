/**
 * KQL's geo_line_densify() and geo_polygon_densify(): a GeoJSON edge is a straight line in
 * longitude/latitude, while KQL's edges are geodesics; densifying splits each planar edge into equal
 * planar pieces (halving until every piece's planar midpoint lies within `tolerance` meters of the
 * geodesic between its ends), so that the geodesic chain follows the planar edge. Tolerance is in
 * [0.1, 10000] meters; with `preserveCrossing` an edge whose longitudes differ by more than 180°
 * crosses the antimeridian instead of going the long way round. Invalid input gives null.
 */
import { parseShape, type Pos } from './geo-geojson.ts';
import { EARTH_RADIUS_M, edgeDistance, toVec } from './geo-sphere.ts';

/** Most points a densified shape may have. */
export const MAX_DENSIFIED_POINTS = 10485760;

type LonLat = [number, number];

const wrap = (lon: number) => (lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);

/** The pieces of one planar edge, as the points after `a` up to and including `b`. */
function densifyEdge(a: LonLat, b: LonLat, tol: number, preserveCrossing: boolean): LonLat[] {
  const by = b[1];
  let bx = b[0];
  if (preserveCrossing && Math.abs(bx - a[0]) > 180) bx += bx > a[0] ? -360 : 360;
  const at = (t: number): LonLat => [a[0] + (bx - a[0]) * t, a[1] + (by - a[1]) * t];
  const dev = (t0: number, t1: number) => {
    const p = at(t0);
    const q = at(t1);
    const m = at((t0 + t1) / 2);
    return edgeDistance(toVec(wrap(m[0]), m[1]), toVec(wrap(p[0]), p[1]), toVec(wrap(q[0]), q[1])) * EARTH_RADIUS_M;
  };
  let n = 1;
  for (;;) {
    let worst = 0;
    for (let i = 0; i < n && worst <= tol; i++) worst = Math.max(worst, dev(i / n, (i + 1) / n));
    if (worst <= tol || n >= MAX_DENSIFIED_POINTS) break;
    n *= 2;
  }
  const out: LonLat[] = [];
  for (let i = 1; i < n; i++) {
    const [x, y] = at(i / n);
    out.push([wrap(x), y]);
  }
  out.push([b[0], by]);
  return out;
}

function densifyPath(pts: Pos[], tol: number, preserveCrossing: boolean): LonLat[] {
  const out: LonLat[] = [[pts[0].lon, pts[0].lat]];
  for (let i = 0; i + 1 < pts.length; i++) {
    out.push(...densifyEdge([pts[i].lon, pts[i].lat], [pts[i + 1].lon, pts[i + 1].lat], tol, preserveCrossing));
  }
  return out;
}

const validTolerance = (t: number) => Number.isFinite(t) && t >= 0.1 && t <= 10000;

function count(paths: LonLat[][]): number {
  return paths.reduce((n, p) => n + p.length, 0);
}

/** geo_line_densify: the LineString or MultiLineString with intermediate points, as GeoJSON. */
export function lineDensify(line: string, tolerance: number, preserveCrossing: boolean): string | null {
  const s = parseShape(line);
  if (s === null || s.kind !== 'line' || !validTolerance(tolerance)) return null;
  const lines = s.lines.map((l) => densifyPath(l, tolerance, preserveCrossing));
  if (count(lines) > MAX_DENSIFIED_POINTS) return null;
  const multi = (JSON.parse(line) as { type: string }).type === 'MultiLineString';
  return JSON.stringify(multi ? { type: 'MultiLineString', coordinates: lines } : { type: 'LineString', coordinates: lines[0] });
}

/** geo_polygon_densify: the Polygon or MultiPolygon with intermediate points, as GeoJSON (rings as given). */
export function polygonDensify(polygon: string, tolerance: number, preserveCrossing: boolean): string | null {
  const s = parseShape(polygon);
  if (s === null || s.kind !== 'polygon' || !validTolerance(tolerance)) return null;
  // densify the rings in their given order and direction (the parsed rings may be reoriented)
  const given = JSON.parse(polygon) as { type: string; coordinates: unknown };
  const multi = given.type === 'MultiPolygon';
  const polys = (multi ? given.coordinates : [given.coordinates]) as [number, number][][][];
  const rings = polys.map((rs) => rs.map((r) => densifyPath(r.map(([lon, lat]) => ({ lon, lat, v: toVec(lon, lat) })), tolerance, preserveCrossing)));
  if (rings.reduce((n, rs) => n + count(rs), 0) > MAX_DENSIFIED_POINTS) return null;
  return JSON.stringify(multi ? { type: 'MultiPolygon', coordinates: rings } : { type: 'Polygon', coordinates: rings[0] });
}
