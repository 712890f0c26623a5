/**
 * Well-known text (WKT) to GeoJSON, as KQL's geo_from_wkt() does: POINT, LINESTRING, POLYGON,
 * MULTIPOINT, MULTILINESTRING, MULTIPOLYGON and GEOMETRYCOLLECTION with two-dimensional coordinates
 * (keywords in any case). Text that is not such a geometry, has trailing text, or has coordinates
 * off the Earth gives null.
 */

type Position = [number, number];
type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString' | 'MultiPoint'; coordinates: Position[] }
  | { type: 'Polygon' | 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

const TOKEN = /\s*([A-Za-z]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),])/y;

class Reader {
  private pos = 0;
  private peeked: string | null = null;
  constructor(private readonly text: string) {}

  peek(): string | null {
    if (this.peeked !== null) return this.peeked;
    TOKEN.lastIndex = this.pos;
    const m = TOKEN.exec(this.text);
    if (m === null) return null;
    this.pos = TOKEN.lastIndex;
    this.peeked = m[1];
    return this.peeked;
  }

  next(): string | null {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  expect(t: string): void {
    if (this.next() !== t) throw new SyntaxError(`expected ${t}`);
  }

  /** Whether only white space is left. */
  atEnd(): boolean {
    return this.peeked === null && this.text.slice(this.pos).trim() === '';
  }
}

function number(r: Reader): number {
  const t = r.next();
  const n = t === null ? NaN : Number(t);
  if (!Number.isFinite(n)) throw new SyntaxError('expected a number');
  return n;
}

function position(r: Reader): Position {
  const lon = number(r);
  const lat = number(r);
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw new RangeError('coordinate off the Earth');
  return [lon, lat];
}

/** `( item, item, … )` */
function list<T>(r: Reader, item: (r: Reader) => T): T[] {
  r.expect('(');
  const out = [item(r)];
  while (r.peek() === ',') {
    r.next();
    out.push(item(r));
  }
  r.expect(')');
  return out;
}

/** A MULTIPOINT member: `x y` or `(x y)`. */
function multiPointMember(r: Reader): Position {
  if (r.peek() !== '(') return position(r);
  r.next();
  const p = position(r);
  r.expect(')');
  return p;
}

function geometry(r: Reader): Geometry {
  const kw = (r.next() ?? '').toUpperCase();
  switch (kw) {
    case 'POINT': {
      r.expect('(');
      const p = position(r);
      r.expect(')');
      return { type: 'Point', coordinates: p };
    }
    case 'LINESTRING': return { type: 'LineString', coordinates: list(r, position) };
    case 'POLYGON': return { type: 'Polygon', coordinates: list(r, (x) => list(x, position)) };
    case 'MULTIPOINT': return { type: 'MultiPoint', coordinates: list(r, multiPointMember) };
    case 'MULTILINESTRING': return { type: 'MultiLineString', coordinates: list(r, (x) => list(x, position)) };
    case 'MULTIPOLYGON': return { type: 'MultiPolygon', coordinates: list(r, (x) => list(x, (y) => list(y, position))) };
    case 'GEOMETRYCOLLECTION': return { type: 'GeometryCollection', geometries: list(r, geometry) };
    default: throw new SyntaxError(`unknown geometry ${kw}`);
  }
}

/** The GeoJSON text of a WKT geometry, or null when the text is not one. */
export function geoFromWkt(wkt: string): string | null {
  if (typeof wkt !== 'string') return null;
  try {
    const r = new Reader(wkt);
    const g = geometry(r);
    return r.atEnd() ? JSON.stringify(g) : null;
  } catch {
    return null;
  }
}
