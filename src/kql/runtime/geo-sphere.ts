/**
 * Geometry on the unit sphere, as KQL measures the Earth: points are unit vectors, edges are the
 * shorter great-circle arcs between their ends, and lengths become meters on a sphere of radius
 * 6,371,010 m (S2's mean Earth radius). Pure functions; no validation (see ./geo-geojson.ts).
 */

/** A point on the unit sphere. */
export type Vec = readonly [number, number, number];

/** KQL's Earth radius in meters. */
export const EARTH_RADIUS_M = 6371010;

const RAD = Math.PI / 180;

/** The unit vector of a longitude and latitude in degrees. */
export function toVec(lon: number, lat: number): Vec {
  const phi = lat * RAD;
  const theta = lon * RAD;
  const c = Math.cos(phi);
  return [Math.cos(theta) * c, Math.sin(theta) * c, Math.sin(phi)];
}

/** [longitude, latitude] in degrees of a (not necessarily unit) vector. */
export function toLonLat(v: Vec): [number, number] {
  const lat = Math.atan2(v[2], Math.sqrt(v[0] * v[0] + v[1] * v[1])) / RAD;
  const lon = Math.atan2(v[1], v[0]) / RAD;
  return [lon, lat];
}

/** The dot product. */
export const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
/** The cross product. */
export const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
/** The sum of two vectors. */
export const add = (a: Vec, b: Vec): Vec => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
/** The difference of two vectors. */
export const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
/** A vector times a number. */
export const scale = (a: Vec, k: number): Vec => [a[0] * k, a[1] * k, a[2] * k];
/** The Euclidean length. */
export const norm = (a: Vec) => Math.sqrt(dot(a, a));
/** `a` scaled to unit length (the zero vector stays zero). */
export function unit(a: Vec): Vec {
  const n = norm(a);
  return n === 0 ? a : scale(a, 1 / n);
}

/** The angle in radians between two unit vectors (stable for tiny and near-antipodal angles). */
export function angle(a: Vec, b: Vec): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

/**
 * A vector perpendicular to the great circle through `a` and `b`, pointing to the left of a→b;
 * computed as (b+a)×(b−a) so that it stays accurate for very close points.
 */
export function robustCross(a: Vec, b: Vec): Vec {
  return cross(add(b, a), sub(b, a));
}

/** Whether `x` (on the great circle of a→b) lies on the arc from `a` to `b`. */
function onArc(x: Vec, a: Vec, b: Vec, n: Vec): boolean {
  return dot(cross(a, x), n) >= 0 && dot(cross(x, b), n) >= 0;
}

/** The point of the arc a–b closest to `p`. */
export function closestOnEdge(p: Vec, a: Vec, b: Vec): Vec {
  const n = robustCross(a, b);
  const nn = dot(n, n);
  if (nn === 0) return a;
  // projection of p onto the plane of the great circle
  const q = sub(p, scale(n, dot(p, n) / nn));
  if (norm(q) > 0) {
    const x = unit(q);
    if (onArc(x, a, b, n)) return x;
  }
  return angle(p, a) <= angle(p, b) ? a : b;
}

/** The angular distance from `p` to the arc a–b. */
export function edgeDistance(p: Vec, a: Vec, b: Vec): number {
  return angle(p, closestOnEdge(p, a, b));
}

/** The sign of the orientation of the triangle a, b, c: 1 counterclockwise, -1 clockwise, 0 degenerate. */
export function orient(a: Vec, b: Vec, c: Vec): number {
  const d = dot(cross(a, b), c);
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/**
 * Where the arcs a–b and c–d meet: null when they don't, `{ point }` for a single crossing or
 * touching point, `{ overlap: [from, to] }` when they share a piece of the same great circle.
 */
export function edgeIntersection(a: Vec, b: Vec, c: Vec, d: Vec): { point: Vec } | { overlap: [Vec, Vec] } | null {
  const n1 = robustCross(a, b);
  const n2 = robustCross(c, d);
  const m = cross(n1, n2);
  const tiny = 1e-30;
  if (dot(m, m) <= tiny * dot(n1, n1) * dot(n2, n2) || (dot(c, n1) === 0 && dot(d, n1) === 0)) {
    // the same great circle (or a degenerate edge): the shared stretch of the two arcs
    if (Math.abs(dot(c, unit(n1))) > 1e-15 || Math.abs(dot(d, unit(n1))) > 1e-15) return null;
    const inside = (x: Vec, p: Vec, q: Vec, n: Vec) => onArc(x, p, q, n);
    const pts: Vec[] = [];
    for (const x of [c, d]) if (inside(x, a, b, n1)) pts.push(x);
    for (const x of [a, b]) if (inside(x, c, d, n2) && !pts.some((y) => same(y, x))) pts.push(x);
    if (pts.length === 0) return null;
    if (pts.length === 1) return { point: pts[0] };
    // order the shared piece along a→b
    const [p, q] = pts;
    return angle(a, p) <= angle(a, q) ? { overlap: [p, q] } : { overlap: [q, p] };
  }
  for (const x of [unit(m), scale(unit(m), -1)]) {
    if (onArc(x, a, b, n1) && onArc(x, c, d, n2)) {
      // exact vertices win over the computed point when an arc ends on the other
      for (const v of [a, b, c, d]) if (angle(v, x) < 1e-15) return { point: v };
      return { point: x };
    }
  }
  return null;
}

/** Whether two vectors are the same point. */
export const same = (a: Vec, b: Vec) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/**
 * The signed area (steradians) of the region left of a closed loop (vertices without the closing
 * repeat), by fan triangles from the first vertex (L'Huilier via Eriksson's formula): positive for a
 * counterclockwise loop, in (-2π, 2π] for loops enclosing less than half the sphere.
 */
export function signedArea(loop: readonly Vec[]): number {
  let sum = 0;
  const o = loop[0];
  for (let i = 1; i + 1 < loop.length; i++) sum += triangleArea(o, loop[i], loop[i + 1]);
  return sum;
}

/** The signed area of the spherical triangle a, b, c (positive when counterclockwise). */
export function triangleArea(a: Vec, b: Vec, c: Vec): number {
  const det = dot(a, cross(b, c));
  const den = 1 + dot(a, b) + dot(b, c) + dot(c, a);
  return 2 * Math.atan2(det, den);
}

/**
 * Whether `p` lies in the region left of the closed loop (a region smaller than half the sphere):
 * the loop winds once around `p` as seen from `p`.
 */
export function loopContains(loop: readonly Vec[], p: Vec): boolean {
  let sum = 0;
  for (let i = 0; i < loop.length; i++) {
    const a = loop[i];
    const b = loop[(i + 1) % loop.length];
    sum += Math.atan2(dot(p, cross(a, b)), dot(a, b) - dot(p, a) * dot(p, b));
  }
  return sum > Math.PI;
}

/**
 * ∫ x dA over the region left of the loop: Σ over edges of half the edge's arc length times its unit
 * normal. Its direction is the region's centroid on the sphere.
 */
export function loopMoment(loop: readonly Vec[]): Vec {
  let m: Vec = [0, 0, 0];
  for (let i = 0; i < loop.length; i++) m = add(m, boundaryMoment(loop[i], loop[(i + 1) % loop.length]));
  return m;
}

/** One boundary edge's share of ∫ x dA over the region on its left (see loopMoment). */
export function boundaryMoment(a: Vec, b: Vec): Vec {
  const n = robustCross(a, b);
  return norm(n) === 0 ? [0, 0, 0] : scale(unit(n), angle(a, b) / 2);
}

/** ∫ x ds along the arc a–b (its direction is the arc's midpoint, its length 2·sin(θ/2)). */
export function edgeMoment(a: Vec, b: Vec): Vec {
  const s = add(a, b);
  const n = norm(s);
  if (n === 0) return [0, 0, 0];
  return scale(s, (2 * Math.sin(angle(a, b) / 2)) / n);
}

/** The point a fraction `t` of the way along the arc a–b. */
export function interpolate(a: Vec, b: Vec, t: number): Vec {
  const th = angle(a, b);
  if (th === 0) return a;
  const s = Math.sin(th);
  return unit(add(scale(a, Math.sin((1 - t) * th) / s), scale(b, Math.sin(t * th) / s)));
}
