/**
 * Every `/api` route is declared here-through: method, path, the MDE permissions that grant it, its
 * schemas and a handler that receives an authenticated context. Registration mounts each route
 * under `/api` and `/api/v1.0`, authenticates the bearer token, applies the tenant's call quota,
 * checks the declared permission, and fails closed (500) when the handler never called the
 * authorizer. The table is kept on the app so tests can enumerate every route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { PermissionRequirement } from '../domain/permissions.ts';
import { appPrincipal } from '../auth/authorizer.ts';
import { TokenError, type TokenService } from '../auth/token-service.ts';
import type { AppRepo } from '../domain/ports.ts';
import { DEFAULT_QUOTA, type Quota, type Throttle } from './throttle.ts';

/** One API route. `url` is relative to `/api` (e.g. `/machines/:id`). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  permissions: PermissionRequirement;
  summary: string;
  tag: string;
  schema?: Omit<FastifySchema, 'tags' | 'summary' | 'security'>;
  quota?: Quota;
  /** Example path parameters and body that make a valid request (used by the permission matrix test). */
  example?: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
  handler: (req: FastifyRequest, reply: FastifyReply, ctx: Ctx) => Promise<unknown>;
}

/** What route registration needs. */
export interface RouteDeps {
  tokens: TokenService;
  apps: AppRepo;
  throttle: Throttle;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: ApiRoute[];
  }
}

function unauthorized(reply: FastifyReply, message: string): PalisadeError {
  void reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
  return errors.unauthorized(message);
}

/** Builds the request context from the bearer token, or throws 401. */
async function authenticate(req: FastifyRequest, reply: FastifyReply, deps: RouteDeps, appCache: Map<string, number>): Promise<Ctx> {
  const h = req.headers.authorization;
  const m = /^Bearer\s+(\S+)$/i.exec(h ?? '');
  if (!m) throw unauthorized(reply, 'Authorization header with a Bearer token is required');
  let tok;
  try {
    tok = await deps.tokens.verify(m[1]);
  } catch (e) {
    if (e instanceof TokenError) throw unauthorized(reply, e.message);
    throw e;
  }
  if (tok.idtyp === 'app') {
    const key = `${tok.tenantId}/${tok.appId}`;
    const seen = appCache.get(key);
    if (!seen || Date.now() - seen > 30_000) {
      if (!(await deps.apps.get(tok.tenantId, tok.appId))) throw unauthorized(reply, 'The application of this token no longer exists');
      appCache.set(key, Date.now());
    }
  }
  return { tenantId: tok.tenantId, principal: appPrincipal(tok.appId, tok.name, tok.roles), authz: { checked: false } };
}

/** Registers the routes under /api and /api/v1.0. */
export function registerApiRoutes(app: FastifyInstance, routes: readonly ApiRoute[], deps: RouteDeps): void {
  if (!app.hasDecorator('apiRoutes')) app.decorate('apiRoutes', []);
  const appCache = new Map<string, number>();
  for (const r of routes) {
    app.apiRoutes.push(r);
    for (const prefix of ['/api', '/api/v1.0']) {
      app.route({
        method: r.method,
        url: prefix + r.url,
        schema: {
          ...r.schema,
          summary: r.summary,
          tags: [r.tag],
          description: `Requires one of: ${r.permissions.join(', ')}`,
          security: [{ bearer: [] }],
          hide: prefix !== '/api',
        } as FastifySchema,
        handler: async (req, reply) => {
          const ctx = await authenticate(req, reply, deps, appCache);
          deps.throttle.take(ctx.tenantId, `${r.method} ${r.url}`, r.quota ?? DEFAULT_QUOTA);
          if (!r.permissions.some((p) => ctx.principal.permissions.has(p))) {
            throw errors.forbidden(`The application does not have any of the required permissions: ${r.permissions.join(', ')}`);
          }
          const out = await r.handler(req, reply, ctx);
          if (!ctx.authz.checked) {
            req.log.error({ route: r.url }, 'handler completed without authorization; failing closed');
            throw new PalisadeError('InternalServerError', 'authorization was not checked');
          }
          return out;
        },
      });
    }
  }
}
