/**
 * Geospatial functions that need a grid library rather than arithmetic: H3 cells (h3-js, Uber's
 * reference implementation) and geohashes (latlon-geohash). Pure functions over plain values, with
 * KQL's rules for bad input: an invalid coordinate, cell or parameter gives null, never an error.
 * Dynamic results are returned as JSON text (GeoJSON for points and polygons, [longitude, latitude]).
 * The dialects call them as engine functions (see ./functions.ts).
 */
import { cellToBoundary, cellToChildren, cellToLatLng, cellToParent, getResolution, gridDisk, getHexagonAreaAvg, gridDiskDistances, isValidCell, latLngToCell, polygonToCells } from 'h3-js';
import { parsePolygons } from './geo-geojson.ts';
import { polygonArea } from './geo-measure.ts';
import Geohash from 'latlon-geohash';

const validPoint = (lon: number, lat: number) => Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
const point = (lon: number, lat: number) => JSON.stringify({ type: 'Point', coordinates: [lon, lat] });
const polygon = (ring: [number, number][]) => JSON.stringify({ type: 'Polygon', coordinates: [ring] });

/** The H3 cell token of a point at `resolution` (0–15). */
export function pointToH3Cell(lon: number, lat: number, resolution: number): string | null {
  if (!validPoint(lon, lat) || !Number.isInteger(resolution) || resolution < 0 || resolution > 15) return null;
  return latLngToCell(lat, lon, resolution);
}

const cell = (token: string): string | null => (typeof token === 'string' && isValidCell(token) ? token : null);

/** The resolution of an H3 cell. */
export function h3CellLevel(token: string): number | null {
  const c = cell(token);
  return c === null ? null : getResolution(c);
}

/** The center of an H3 cell as a GeoJSON point. */
export function h3CellToCentralPoint(token: string): string | null {
  const c = cell(token);
  if (c === null) return null;
  const [lat, lon] = cellToLatLng(c);
  return point(lon, lat);
}

/** The boundary of an H3 cell as a GeoJSON polygon (a closed ring, counterclockwise). */
export function h3CellToPolygon(token: string): string | null {
  const c = cell(token);
  if (c === null) return null;
  // in GeoJSON form h3-js gives [longitude, latitude] pairs with the ring already closed
  return polygon(cellToBoundary(c, true) as [number, number][]);
}

/** The parent cell at `resolution` (0–14, at most the cell's own); by default one level up. */
export function h3CellParent(token: string, resolution: number | null): string | null {
  const c = cell(token);
  if (c === null) return null;
  const level = getResolution(c);
  const res = resolution ?? level - 1;
  if (!Number.isInteger(res) || res < 0 || res > 14 || res > level) return null;
  return cellToParent(c, res);
}

/** The children at `resolution` (1–15, at most 5 levels below the cell); by default one level down. */
export function h3CellChildren(token: string, resolution: number | null): string | null {
  const c = cell(token);
  if (c === null) return null;
  const level = getResolution(c);
  const res = resolution ?? level + 1;
  if (!Number.isInteger(res) || res < 1 || res > 15 || res < level || res - level > 5) return null;
  return JSON.stringify(cellToChildren(c, res));
}

/** The six (five for a pentagon) cells around a cell. */
export function h3CellNeighbors(token: string): string | null {
  const c = cell(token);
  if (c === null) return null;
  return JSON.stringify(gridDisk(c, 1).filter((n) => n !== c));
}

/** Largest ring distance geo_h3cell_rings accepts. */
export const MAX_H3_RING_DISTANCE = 142;

/** The rings of cells at distance 0…`distance` from a cell, as an array of arrays. */
export function h3CellRings(token: string, distance: number): string | null {
  const c = cell(token);
  if (c === null || !Number.isInteger(distance) || distance < 0 || distance > MAX_H3_RING_DISTANCE) return null;
  return JSON.stringify(gridDiskDistances(c, distance));
}

/** The geohash of a point with `accuracy` characters (1–18). */
export function pointToGeohash(lon: number, lat: number, accuracy: number): string | null {
  if (!validPoint(lon, lat) || !Number.isInteger(accuracy) || accuracy < 1 || accuracy > 18) return null;
  return Geohash.encode(lat, lon, accuracy);
}

const GEOHASH = /^[0-9b-hjkmnp-z]{1,18}$/;

function bounds(hash: string): { sw: { lat: number; lon: number }; ne: { lat: number; lon: number } } | null {
  if (typeof hash !== 'string' || !GEOHASH.test(hash.toLowerCase())) return null;
  return Geohash.bounds(hash.toLowerCase());
}

/** The center of a geohash cell as a GeoJSON point. */
export function geohashToCentralPoint(hash: string): string | null {
  const b = bounds(hash);
  return b === null ? null : point((b.sw.lon + b.ne.lon) / 2, (b.sw.lat + b.ne.lat) / 2);
}

/** A geohash cell as a GeoJSON polygon: south-west, south-east, north-east, north-west, closed. */
export function geohashToPolygon(hash: string): string | null {
  const b = bounds(hash);
  if (b === null) return null;
  const { sw, ne } = b;
  return polygon([[sw.lon, sw.lat], [ne.lon, sw.lat], [ne.lon, ne.lat], [sw.lon, ne.lat], [sw.lon, sw.lat]]);
}

/** The eight cells around a geohash cell, in the order KQL lists them. */
export function geohashNeighbors(hash: string): string | null {
  if (bounds(hash) === null) return null;
  const n = Geohash.neighbours(hash.toLowerCase());
  return JSON.stringify([n.sw, n.nw, n.se, n.n, n.w, n.ne, n.e, n.s]);
}

/** Most cells geo_polygon_to_h3cells returns. */
export const MAX_POLYGON_H3_CELLS = 61680;

/**
 * The H3 cells at `resolution` (0–15) whose centers lie in a GeoJSON polygon or multipolygon (edges
 * as straight lines, as H3 reads them), or null for an invalid polygon, a buffer radius (not
 * supported: only 0) or more than MAX_POLYGON_H3_CELLS cells.
 */
export function polygonToH3Cells(polygon: string, resolution: number, radius: number): string | null {
  const polys = parsePolygons(polygon);
  if (polys === null || !Number.isInteger(resolution) || resolution < 0 || resolution > 15 || radius !== 0) return null;
  // refuse early what cannot fit rather than let H3 enumerate millions of cells
  if ((polygonArea(polygon) ?? 0) / getHexagonAreaAvg(resolution, 'm2') > 2 * MAX_POLYGON_H3_CELLS) return null;
  const given = JSON.parse(polygon) as { type: string; coordinates: unknown };
  const list = (given.type === 'MultiPolygon' ? given.coordinates : [given.coordinates]) as [number, number][][][];
  const out = new Set<string>();
  for (const rings of list) {
    for (const c of polygonToCells(rings, resolution, true)) {
      out.add(c);
      if (out.size > MAX_POLYGON_H3_CELLS) return null;
    }
  }
  return JSON.stringify([...out]);
}
