/**
 * One access-log line per request, at `info`, and the request metrics: method, route pattern,
 * status, milliseconds and, once a credential proved it, the tenant. Never the query string, a
 * header value, a token or a body: what a line holds is safe to ship to any log store.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerMetrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant a credential proved (bearer token, device credential), for the access log. */
    tenantId: string | null;
  }
}

/** The label of requests no route matched (one label, whatever the URL, so the series stay few). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The route pattern a request matched, without parameter constraints (`/:tenant/oauth2/token`). */
export function routeLabel(req: FastifyRequest): string {
  const url = req.routeOptions.url;
  return url ? url.replace(/\(\^.*?\$\)/g, '') : UNMATCHED_ROUTE;
}

/** Installs the access log and request metrics; call before routes are registered. */
export function installRequestObserver(app: FastifyInstance, metrics: ServerMetrics): void {
  app.decorateRequest('tenantId', null);
  app.addHook('onResponse', async (req, reply) => {
    const route = routeLabel(req);
    const ms = reply.elapsedTime;
    metrics.observeRequest(req.method, route, reply.statusCode, ms / 1000);
    const tenant = req.tenantId ?? tenantOfPath(req);
    req.log.info({ method: req.method, route, status: reply.statusCode, ms: Math.round(ms * 10) / 10, ...(tenant ? { tenant } : {}) }, 'request');
  });
}

/** The tenant an identity route names in its path (`/{tenant}/oauth2/token`), if the route has one. */
function tenantOfPath(req: FastifyRequest): string | null {
  const p = req.params as { tenant?: unknown } | undefined;
  return typeof p?.tenant === 'string' ? p.tenant.toLowerCase() : null;
}
