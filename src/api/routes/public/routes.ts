/**
 * The public surface: liveness and the API reference (the OpenAPI document and its browsable UI,
 * a plugin mounted at `/api/docs`). Nothing here needs or reveals a credential or tenant data.
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { OpenRoute, RouteTable } from '../../route-table.ts';

/** The public surface's table; `app` is the instance whose OpenAPI document is served. */
export function publicTable(app: FastifyInstance): RouteTable<'public'> {
  const routes: OpenRoute[] = [
    { method: 'GET', url: '/healthz', auth: 'none', summary: 'Liveness', handler: async () => ({ status: 'ok' }) },
    { method: 'GET', url: '/api/openapi.json', auth: 'none', summary: 'The OpenAPI document of the api surface', handler: async () => app.swagger() },
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
