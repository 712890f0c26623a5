/**
 * GeoJSON shapes as KQL's geospatial functions accept them, read from JSON text into unit vectors
 * (./geo-sphere.ts). The rules are KQL's: coordinates are [longitude, latitude] with longitude in
 * [-180, 180] and latitude in [-90, 90]; a LineString has at least two positions; a polygon ring is
 * closed (first position equals the last), has at least three distinct vertices and no edge
 * crossing another; each ring bounds the smaller of the two regions it divides the sphere into
 * (so its winding order does not matter). Anything else reads as null. The last shapes read are
 * cached by their text, since a query usually passes the same literal shape on every row.
 */
import { angle, edgeIntersection, same, signedArea, toVec, type Vec } from './geo-sphere.ts';

/** One position: [longitude, latitude] and its unit vector. */
export interface Pos { lon: number; lat: number; v: Vec }

/** A polyline: two or more positions. */
export type Line = Pos[];

/** A polygon ring without its closing repeat, oriented so that its region lies on the left. */
export interface Ring { pts: Pos[] }

/** A polygon: the outer ring (shell) and its holes. */
export interface Polygon { shell: Ring; holes: Ring[] }

/** A point, a set of lines, or a set of polygons, read from GeoJSON. */
export type Shape =
  | { kind: 'point'; points: Pos[] }
  | { kind: 'line'; lines: Line[] }
  | { kind: 'polygon'; polygons: Polygon[] };

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A valid [longitude, latitude] position, or null. */
export function readPos(c: unknown): Pos | null {
  if (!Array.isArray(c) || c.length !== 2 || !isNum(c[0]) || !isNum(c[1])) return null;
  const [lon, lat] = c;
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return null;
  return { lon, lat, v: toVec(lon, lat) };
}

/** Positions of a coordinate array (possibly empty; callers check the count they need). */
function readPositions(c: unknown): Pos[] | null {
  if (Array.isArray(c) && c.length === 0) return [];
  return readList(c, readPos);
}

function readLine(c: unknown): Line | null {
  const pts = readPositions(c);
  if (pts === null || pts.length < 2) return null;
  // an edge between antipodal points has no shortest geodesic
  for (let i = 0; i + 1 < pts.length; i++) if (Math.abs(angle(pts[i].v, pts[i + 1].v) - Math.PI) < 1e-12) return null;
  return pts;
}

function crosses(pts: Pos[]): boolean {
  const n = pts.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const x = edgeIntersection(pts[i].v, pts[(i + 1) % n].v, pts[j].v, pts[(j + 1) % n].v);
      if (x === null) continue;
      if (!adjacent || 'overlap' in x) return true;
      // adjacent edges may only share their common vertex
      const shared = j === i + 1 ? pts[j].v : pts[i].v;
      if (!same(x.point, shared)) return true;
    }
  }
  return false;
}

function readRing(c: unknown): Ring | null {
  const all = readPositions(c);
  if (all === null || all.length < 4) return null;
  const first = all[0];
  const last = all[all.length - 1];
  if (first.lon !== last.lon || first.lat !== last.lat) return null;
  const pts = all.slice(0, -1);
  const seen = new Set<string>();
  for (const p of pts) {
    const k = `${p.lon},${p.lat}`;
    if (seen.has(k)) return null;
    seen.add(k);
  }
  for (let i = 0; i < pts.length; i++) if (Math.abs(angle(pts[i].v, pts[(i + 1) % pts.length].v) - Math.PI) < 1e-12) return null;
  if (crosses(pts)) return null;
  // the ring bounds the smaller region: keep it on the left
  const area = signedArea(pts.map((p) => p.v));
  if (area === 0) return null;
  return { pts: area < 0 ? pts.reverse() : pts };
}

function readPolygon(c: unknown): Polygon | null {
  if (!Array.isArray(c) || c.length === 0) return null;
  const rings: Ring[] = [];
  for (const r of c) {
    const ring = readRing(r);
    if (ring === null) return null;
    rings.push(ring);
  }
  return { shell: rings[0], holes: rings.slice(1) };
}

function readList<T>(c: unknown, read: (x: unknown) => T | null): T[] | null {
  if (!Array.isArray(c) || c.length === 0) return null;
  const out: T[] = [];
  for (const x of c) {
    const v = read(x);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

function readShape(o: unknown): Shape | null {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const { type, coordinates: c } = o as { type?: unknown; coordinates?: unknown };
  switch (type) {
    case 'Point': { const p = readPos(c); return p === null ? null : { kind: 'point', points: [p] }; }
    case 'MultiPoint': { const ps = readList(c, readPos); return ps === null ? null : { kind: 'point', points: ps }; }
    case 'LineString': { const l = readLine(c); return l === null ? null : { kind: 'line', lines: [l] }; }
    case 'MultiLineString': { const ls = readList(c, readLine); return ls === null ? null : { kind: 'line', lines: ls }; }
    case 'Polygon': { const p = readPolygon(c); return p === null ? null : { kind: 'polygon', polygons: [p] }; }
    case 'MultiPolygon': { const ps = readList(c, readPolygon); return ps === null ? null : { kind: 'polygon', polygons: ps }; }
    default: return null;
  }
}

const CACHE_SIZE = 8;
const cache = new Map<string, Shape | null>();

/** The shape in GeoJSON text, or null when the text is not a shape KQL accepts. */
export function parseShape(text: string | null): Shape | null {
  if (typeof text !== 'string') return null;
  if (cache.has(text)) return cache.get(text)!;
  let shape: Shape | null = null;
  try {
    shape = readShape(JSON.parse(text));
  } catch {
    shape = null;
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(text, shape);
  return shape;
}

/** The lines of a LineString or MultiLineString, or null for any other text. */
export function parseLines(text: string | null): Line[] | null {
  const s = parseShape(text);
  return s !== null && s.kind === 'line' ? s.lines : null;
}

/** The polygons of a Polygon or MultiPolygon, or null for any other text. */
export function parsePolygons(text: string | null): Polygon[] | null {
  const s = parseShape(text);
  return s !== null && s.kind === 'polygon' ? s.polygons : null;
}

/** Every ring of the polygons (shells and holes). */
export const ringsOf = (polys: Polygon[]): Ring[] => polys.flatMap((p) => [p.shell, ...p.holes]);
