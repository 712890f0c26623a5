/**
 * S2 cells as KQL uses them (Google's S2 hierarchy through nodes2ts): tokens of points, centers,
 * polygons and neighbors of cells, and coverings of polygons and lines by cells of one level.
 * Tokens are S2's own, so they equal Google S2's. Invalid tokens, coordinates, levels or shapes give
 * null. Coverings list, in S2 cell-id order, every cell of the level that meets the shape (or comes
 * within `radius` meters of it), and give null beyond 65,536 cells.
 */
import { S2Cell, S2CellId, S2LatLng, S2Point } from 'nodes2ts';
import { parseLines, parsePolygons, ringsOf, type Polygon } from './geo-geojson.ts';
import { polygonContains } from './geo-measure.ts';
import { EARTH_RADIUS_M, add, angle, edgeDistance, edgeIntersection, norm, scale, toLonLat, type Vec } from './geo-sphere.ts';

/** Most cells a covering may have. */
export const MAX_COVERING_CELLS = 65536;

const validPoint = (lon: number, lat: number) => Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
const validLevel = (level: number) => Number.isInteger(level) && level >= 0 && level <= 30;
const vec = (p: S2Point): Vec => [p.x, p.y, p.z];
const geoPoint = (v: Vec) => JSON.stringify({ type: 'Point', coordinates: toLonLat(v) });

/** The cell of a token, or null when the token names no valid cell. */
function cellOf(token: string): S2CellId | null {
  if (typeof token !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(token)) return null;
  const id = S2CellId.fromToken(token.toLowerCase());
  return id.isValid() ? id : null;
}

/** geo_point_to_s2cell: the token of the level-`level` cell (0–30) holding the point. */
export function pointToS2Cell(lon: number, lat: number, level: number): string | null {
  if (!validPoint(lon, lat) || !validLevel(level)) return null;
  return S2CellId.fromPoint(S2LatLng.fromDegrees(lat, lon).toPoint()).parentL(level).toToken();
}

/** geo_s2cell_to_central_point: the center of a cell as a GeoJSON point. */
export function s2CellToCentralPoint(token: string): string | null {
  const id = cellOf(token);
  return id === null ? null : geoPoint(vec(id.toPoint()));
}

/** geo_s2cell_to_polygon: a cell as a closed GeoJSON polygon, from S2's vertex 0 counterclockwise. */
export function s2CellToPolygon(token: string): string | null {
  const id = cellOf(token);
  if (id === null) return null;
  const cell = new S2Cell(id);
  const ring = [0, 1, 2, 3, 0].map((k) => toLonLat(vec(cell.getVertex(k))));
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

/** geo_s2cell_neighbors: the eight cells of the same level around a cell (S2's neighbor order). */
export function s2CellNeighbors(token: string): string | null {
  const id = cellOf(token);
  if (id === null) return null;
  const own = id.toToken();
  const out: string[] = [];
  for (const n of id.getAllNeighbors(id.level())) {
    const t = n.toToken();
    if (t !== own && !out.includes(t)) out.push(t);
  }
  return JSON.stringify(out);
}

/** What a covering needs of a shape: a bounding cap and a distance-aware cell test. */
interface Coverable {
  /** Center and angular radius of a cap holding the shape. */
  cap: { center: Vec; radius: number };
  /** Whether the cell comes within `within` radians of the shape. */
  meets(cell: S2Cell, corners: Vec[], within: number): boolean;
}

function capOf(points: Vec[]): { center: Vec; radius: number } {
  let s: Vec = [0, 0, 0];
  for (const p of points) s = add(s, p);
  const center = norm(s) === 0 ? points[0] : scale(s, 1 / norm(s));
  let radius = 0;
  for (const p of points) radius = Math.max(radius, angle(center, p));
  return { center, radius };
}

/** The edges of a cell, from its four corners. */
const cellEdges = (c: Vec[]): [Vec, Vec][] => [[c[0], c[1]], [c[1], c[2]], [c[2], c[3]], [c[3], c[0]]];

/** Whether two edge lists cross or come within `within` radians of each other. */
function edgesNear(a: [Vec, Vec][], b: Iterable<[Vec, Vec]>, within: number): boolean {
  for (const [p, q] of b) {
    for (const [r, s] of a) {
      if (edgeIntersection(p, q, r, s) !== null) return true;
      if (within > 0 && Math.min(edgeDistance(p, r, s), edgeDistance(q, r, s), edgeDistance(r, p, q), edgeDistance(s, p, q)) <= within) return true;
    }
  }
  return false;
}

function polygonCoverable(polys: Polygon[]): Coverable {
  const rings = ringsOf(polys);
  const edges: [Vec, Vec][] = rings.flatMap((r) => r.pts.map((p, i) => [p.v, r.pts[(i + 1) % r.pts.length].v] as [Vec, Vec]));
  const vertices = rings.flatMap((r) => r.pts.map((p) => p.v));
  return {
    cap: capOf(vertices),
    meets(cell, corners, within) {
      if (corners.some((c) => polys.some((p) => polygonContains(p, c)))) return true;
      if (vertices.some((v) => cell.contains(new S2Point(v[0], v[1], v[2])))) return true;
      return edgesNear(cellEdges(corners), edges, within);
    },
  };
}

function lineCoverable(lines: Vec[][]): Coverable {
  const edges: [Vec, Vec][] = lines.flatMap((l) => l.slice(1).map((v, i) => [l[i], v] as [Vec, Vec]));
  const vertices = lines.flat();
  return {
    cap: capOf(vertices),
    meets(cell, corners, within) {
      if (vertices.some((v) => cell.contains(new S2Point(v[0], v[1], v[2])))) return true;
      // a degenerate edge (both ends equal) is a point, which the test above covers
      return edgesNear(cellEdges(corners), edges.filter(([a, b]) => angle(a, b) > 0), within);
    },
  };
}

/**
 * The level-`level` cells meeting the shape (within `within` radians), in cell-id order, by
 * subdividing the six faces; null beyond MAX_COVERING_CELLS cells.
 */
function cover(shape: Coverable, level: number, within: number): string[] | null {
  const reach = shape.cap.radius + within;
  let cells: S2Cell[] = [];
  for (let f = 0; f < 6; f++) cells.push(S2Cell.fromFace(f));
  for (let l = 0; ; l++) {
    const kept: S2Cell[] = [];
    for (const cell of cells) {
      const cap = cell.getCapBound();
      // the cell's bounding cap must reach the shape's
      if (angle(vec(cap.axis), shape.cap.center) > cap.angle().radians + reach + 1e-12) continue;
      const corners = [0, 1, 2, 3].map((k) => vec(cell.getVertex(k)));
      if (shape.meets(cell, corners, within)) kept.push(cell);
    }
    if (kept.length > MAX_COVERING_CELLS) return null;
    if (l === level) return kept.map((c) => c.id.toToken());
    cells = kept.flatMap((c) => c.subdivide());
  }
}

const coverParams = (level: number, radius: number) => validLevel(level) && Number.isFinite(radius) && radius >= 0;

/** geo_polygon_to_s2cells: tokens of the level-`level` cells covering the polygon (and `radius` meters around it). */
export function polygonToS2Cells(polygon: string, level: number, radius: number): string | null {
  const polys = parsePolygons(polygon);
  if (polys === null || !coverParams(level, radius)) return null;
  const cells = cover(polygonCoverable(polys), level, radius / EARTH_RADIUS_M);
  return cells === null ? null : JSON.stringify(cells);
}

/** geo_line_to_s2cells: tokens of the level-`level` cells covering the line (and `radius` meters around it). */
export function lineToS2Cells(line: string, level: number, radius: number): string | null {
  const lines = parseLines(line);
  if (lines === null || !coverParams(level, radius)) return null;
  const cells = cover(lineCoverable(lines.map((l) => l.map((p) => p.v))), level, radius / EARTH_RADIUS_M);
  return cells === null ? null : JSON.stringify(cells);
}
