/**
 * The public surface: liveness (`/healthz`), readiness (`/readyz`), Prometheus metrics (`/metrics`)
 * and the API reference (the OpenAPI document and its browsable UI, a plugin mounted at
 * `/api/docs`); and the signed download links of action results (`/downloads/…`), which carry
 * their own proof (a signature, valid 30 minutes) instead of a credential; and the web console's files
 * (`/console/…`, routes/console/routes.ts), which sign in in the browser. Nothing else here needs or
 * reveals a credential or tenant data.
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../../metrics.ts';
import type { OpenRoute, RouteTable } from '../../route-table.ts';

/** One dependency readiness waits for: resolves when reachable, throws when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** How long one readiness check may take before it counts as unreachable. */
export const READINESS_TIMEOUT_MS = 2_000;

async function probe(c: ReadinessCheck, log: FastifyInstance['log']): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([c.check(), timeout]);
    return true;
  } catch (err) {
    log.warn({ err, check: c.name }, 'readiness check failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The public surface's table; `app` is the instance whose OpenAPI document is served. */
export function publicTable(app: FastifyInstance, deps: { metrics: ServerMetrics; readiness: readonly ReadinessCheck[]; downloads?: readonly OpenRoute[]; console?: readonly OpenRoute[] }): RouteTable<'public'> {
  const routes: OpenRoute[] = [
    { method: 'GET', url: '/healthz', auth: 'none', summary: 'Liveness: the process answers', handler: async () => ({ status: 'ok' }) },
    {
      method: 'GET', url: '/readyz', auth: 'none', summary: 'Readiness: the state store and the event store answer',
      handler: async (req, reply) => {
        const results = await Promise.all(deps.readiness.map(async (c) => [c.name, await probe(c, req.log)] as const));
        const ready = results.every(([, ok]) => ok);
        const checks = Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'unreachable']));
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
      },
    },
    {
      method: 'GET', url: '/metrics', auth: 'none', summary: 'Prometheus metrics (text exposition format)',
      handler: async (_req, reply) => {
        const { contentType, body } = await deps.metrics.render();
        return reply.type(contentType).send(body);
      },
    },
    { method: 'GET', url: '/api/openapi.json', auth: 'none', summary: 'The OpenAPI document of the api surface', handler: async () => app.swagger() },
    ...deps.downloads ?? [],
    ...deps.console ?? [],
  ];
  return {
    surface: 'public',
    prefixes: [''],
    routes,
    documented: false,
    mounts: [{
      prefix: '/api/docs',
      summary: 'The browsable API reference',
      register: async (a) => {
        await a.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
      },
    }],
  };
}
