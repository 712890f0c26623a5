/**
 * What a request gets when no declared route serves it, answered in MDE's error shape:
 *
 * - a route of the MDE API that Palisade does not serve yet (mde-catalogue.ts): 403 `DisabledFeature`
 *   naming it ("… is not available in this version of Palisade"), not a 404 that reads as a typo
 *   (clients take a 404 for "no such item" or an empty list) and not a 5xx (clients retry those);
 * - a path served (or known to MDE) for other methods: 405 `MethodNotAllowed` with `Allow`;
 * - anything else: 404 `NotFound`.
 *
 * Under `/api` every one of these answers comes after the caller's bearer token is verified (401
 * without one, as for a served route), so an unauthenticated caller learns nothing of the API's shape.
 *
 * Paths compare case-insensitively, under `/api` and `/api/v1.0`. A request a parametric route
 * caught although a more specific path exists (`GET /api/machines/findbyip` under `/machines/:id`,
 * `GET /api/machines/AddOrRemoveTagForMultipleMachines`) is answered for that more specific path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PalisadeError } from '../domain/errors.ts';
import { MDE_ROUTES } from './mde-catalogue.ts';

type Segment = { kind: 'static'; text: string } | { kind: 'param' } | { kind: 'rest' };

/** A route pattern with its method, and whether Palisade serves it or only MDE has it. */
interface Entry {
  method: string;
  segments: Segment[];
  statics: number;
  served: boolean;
  name: string;
  /** The pattern as written, for messages. */
  pattern: string;
}

const API_PREFIXES = ['/api', '/api/v1.0'];

function compile(pattern: string): Segment[] {
  return trimSlash(pattern).split('/').slice(1).map((s): Segment =>
    s === '*' ? { kind: 'rest' } : s.startsWith(':') || s.startsWith('{') ? { kind: 'param' } : { kind: 'static', text: s.toLowerCase() });
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function matches(segments: Segment[], parts: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.kind === 'rest') return true;
    if (i >= parts.length) return false;
    if (s.kind === 'static' && s.text !== parts[i]) return false;
    if (s.kind === 'param' && parts[i] === '') return false;
  }
  return segments.length === parts.length;
}

function pathParts(url: string): string[] {
  const path = trimSlash(url.split('?')[0]);
  return path.split('/').slice(1).map((p) => {
    try {
      return decodeURIComponent(p).toLowerCase();
    } catch {
      return p.toLowerCase();
    }
  });
}

/** The served routes (from `onRoute`) and MDE's routes, matched against concrete paths. */
export class RouteIndex {
  private readonly entries: Entry[] = [];
  /** Whether this process serves the api surface (a gateway-only process does not). */
  servesApi = false;

  constructor() {
    for (const r of MDE_ROUTES) {
      for (const prefix of API_PREFIXES) this.add(r.method, prefix + r.path, false, r.name);
    }
  }

  /** Records a route the app serves. */
  add(method: string, pattern: string, served = true, name = ''): void {
    const clean = pattern.replace(/\(\^.*?\$\)/g, '');
    const segments = compile(clean);
    this.entries.push({ method: method.toUpperCase(), segments, statics: segments.filter((s) => s.kind === 'static').length, served, name, pattern: clean });
  }

  /** The entries matching `url` with the most static segments (the most specific pattern). */
  bestMatches(url: string): Entry[] {
    const parts = pathParts(url);
    let best: Entry[] = [];
    for (const e of this.entries) {
      if (!matches(e.segments, parts)) continue;
      if (!best.length || e.statics > best[0].statics) best = [e];
      else if (e.statics === best[0].statics) best.push(e);
    }
    return best;
  }

  /**
   * The error for a request no route of its method serves at its most specific matching pattern,
   * or null when one does. `matched` is the pattern the router chose, if any.
   */
  answer(method: string, url: string, matched?: string): PalisadeError | null {
    const best = this.bestMatches(url);
    if (!best.length) return null;
    if (matched !== undefined && compile(matched.replace(/\(\^.*?\$\)/g, '')).filter((s) => s.kind === 'static').length >= best[0].statics) return null;
    const m = method.toUpperCase();
    if (best.some((e) => e.served && (e.method === m || (m === 'HEAD' && e.method === 'GET')))) return null;
    const mde = best.find((e) => !e.served && e.method === m);
    if (mde) {
      const why = this.servesApi ? 'is not available in this version of Palisade' : 'is not served by this Palisade process (it runs without the api role)';
      return new PalisadeError('DisabledFeature', `${m} ${displayPath(url)} (${mde.name}) ${why}`);
    }
    const served = best.filter((e) => e.served);
    const allowed = [...new Set((served.length ? served : best).map((e) => e.method))].sort();
    return new PalisadeError('MethodNotAllowed', `${m} is not allowed on ${displayPath(url)}; use ${allowed.join(' or ')}`, { headers: { Allow: allowed.join(', ') } });
  }
}

function displayPath(url: string): string {
  return url.split('?')[0];
}

/** Whether a request path lies under the MDE API's prefix (`/api`, any case). */
function underApi(url: string): boolean {
  const p = url.split('?')[0].toLowerCase();
  return p === '/api' || p.startsWith('/api/');
}

/** Verifies a request's Authorization header, throwing a 401 PalisadeError when it does not hold. */
export type UnroutedAuthenticator = (authorization: string | undefined) => Promise<unknown>;

/**
 * Records every route the app registers in a RouteIndex, answers requests a parametric route
 * caught for a more specific known path, and serves as the app's not-found handler. Call before
 * routes are registered.
 */
export function installUnrouted(app: FastifyInstance, authenticate?: UnroutedAuthenticator): void {
  const index = new RouteIndex();
  const refuse = async (req: FastifyRequest, e: PalisadeError): Promise<never> => {
    if (authenticate && underApi(req.url)) await authenticate(req.headers.authorization);
    throw e;
  };
  app.addHook('onRoute', (opts) => {
    if (opts.config?.surface === 'api') index.servesApi = true;
    for (const m of [opts.method].flat()) index.add(String(m), opts.url ?? '');
  });
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const matched = req.routeOptions.url;
    if (!matched || !matched.includes(':')) return;
    const e = index.answer(req.method, req.url, matched);
    if (e) await refuse(req, e);
  });
  app.setNotFoundHandler(async (req) => {
    await refuse(req, index.answer(req.method, req.url) ?? new PalisadeError('NotFound', `No resource at ${req.method} ${displayPath(req.url)}`));
  });
}
