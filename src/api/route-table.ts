/**
 * Every HTTP route is declared in the table of its surface (DESIGN.md §3):
 *
 * - `api`: the MDE API under `/api` and `/api/v1.0`, bearer tokens, MDE permissions and call quotas;
 * - `graph`: Microsoft Graph's security API under `/v1.0/security` (and `/beta/security`), the same
 *   kind of routes, but only tokens issued for `https://graph.microsoft.com` (and no others) pass;
 * - `sensor`: the sensor protocol under `/sensor/v1`, device credentials (or the enrollment token);
 * - `identity`: the OAuth2 authorization server and OpenID discovery;
 * - `public`: health, metrics and the API reference, no authentication.
 *
 * Each route names its authentication kind and its TypeBox schemas. `guardRoutes` makes registering
 * any route that no table declared fail at start, so a route cannot escape authentication, the
 * permission matrix test (which enumerates `app.routeTables`) or the OpenAPI document.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { PermissionRequirement } from '../domain/permissions.ts';
import type { Resource } from '../auth/audiences.ts';
import type { DeviceIdentity } from '../services/sensor-gateway.ts';
import { DEFAULT_QUOTA, type Quota, type Throttle } from './throttle.ts';

/** The four surfaces of the HTTP server. */
export type Surface = 'api' | 'graph' | 'sensor' | 'identity' | 'public';

/**
 * How a route authenticates its caller: a bearer access token (`bearer`), a device credential in
 * `Authorization: Device <id>:<credential>` (`device`), an enrollment token in the body
 * (`enrollment-token`), an OAuth2 client at the token endpoints (`oauth-client`: a confidential
 * client's secret in the form body or HTTP Basic, or a public client's id with its grant's proof —
 * a code and PKCE verifier, a refresh token, a device code, the user's password), or none.
 * The registration checks `bearer` and `device` before the handler runs; the two body-borne kinds
 * are checked by the use case the handler calls.
 */
export type AuthKind = 'bearer' | 'device' | 'enrollment-token' | 'oauth-client' | 'none';

/** The HTTP methods routes are declared with. */
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What every route declares, whatever its surface. */
interface RouteBase {
  method: Method;
  /** Relative to each of its table's prefixes (e.g. `/machines/:id` under `/api`). */
  url: string;
  summary: string;
  /** TypeBox schemas of params, querystring, body and responses. */
  schema?: Omit<FastifySchema, 'tags' | 'summary' | 'security'>;
  /** Example path parameters, query, headers and body that make a valid request (the permission matrix test sends them). */
  example?: { params?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string>; body?: unknown };
  /** Bodies of these content types reach the handler as a Buffer, up to `limit` bytes. */
  rawBody?: { contentTypes: readonly string[]; limit: number };
  /**
   * Bodies of these content types reach the handler unread, as the request stream (`req.body`), for
   * the handler to stream elsewhere and to bound at `limit` bytes itself; a declared Content-Length
   * over `limit` is refused (413) before the handler runs.
   */
  streamBody?: { contentTypes: readonly string[]; limit: number };
  /** A `multipart/form-data` body, read by the handler part by part (`req.parts()`): at most `fileSize` bytes per file and `fields` text fields of `fieldSize` bytes. */
  multipart?: { fileSize: number; fields: number; fieldSize: number };
  /** A body sent with no Content-Type header is read as a form (Splunk SOAR's v1 token request sends it so). */
  untypedBodyIsForm?: boolean;
  /** Schema failures reach the handler as `req.validationError` instead of the MDE error (OAuth2 answers in its own shape). */
  attachValidation?: boolean;
}

/** A route of the MDE API or of Graph's security API: a bearer token, one of the permissions, the tenant's call quota. */
export interface ApiRoute extends RouteBase {
  auth: 'bearer';
  /** The OpenAPI tag. */
  tag: string;
  /** Any one of these grants the route; the use case checks it (`authz.require`), the table documents it. */
  permissions: PermissionRequirement;
  /** A second requirement the caller must meet as well (any one of these), e.g. writing a detection rule needs an alert-write and a hunting permission. */
  alsoRequires?: PermissionRequirement;
  quota?: Quota;
  handler: (req: FastifyRequest, reply: FastifyReply, ctx: Ctx) => Promise<unknown>;
}

/** A route called by an enrolled device; the handler gets the identity its credential proves. */
export interface DeviceRoute extends RouteBase {
  auth: 'device';
  handler: (req: FastifyRequest, reply: FastifyReply, device: DeviceIdentity) => Promise<unknown>;
}

/** A route whose credential, if any, travels in the body and is checked by the use case. */
export interface OpenRoute extends RouteBase {
  auth: 'enrollment-token' | 'oauth-client' | 'none';
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Any declared route. */
export type Route = ApiRoute | DeviceRoute | OpenRoute;

/** The routes each surface may hold. */
export interface SurfaceRoutes {
  api: ApiRoute;
  graph: ApiRoute;
  sensor: DeviceRoute | OpenRoute;
  identity: OpenRoute;
  public: OpenRoute;
}

/** A subtree served by a plugin (the API reference UI): every route under `prefix` belongs to it. */
export interface Mount {
  prefix: string;
  summary: string;
  register: (app: FastifyInstance) => Promise<void>;
}

/** The routes of one surface, mounted under each of its prefixes. */
export interface RouteTable<S extends Surface = Surface> {
  surface: S;
  /** Each route is served under each prefix ('' = at the root). The first is the documented one. */
  prefixes: readonly string[];
  routes: readonly SurfaceRoutes[S][];
  /** Whether the routes appear in the OpenAPI document (under the first prefix only). */
  documented: boolean;
  mounts?: readonly Mount[];
}

/** The authenticators the registration applies before handlers run. */
export interface RouteAuth {
  /** Verifies `Authorization: Bearer …` for the API of the surface (MDE, or Graph) and builds the caller's context, or throws 401. */
  bearer: (authorization: string | undefined, resource: Resource) => Promise<Ctx>;
  /** Verifies `Authorization: Device <id>:<credential>`, or throws 401. */
  device: (authorization: string | undefined) => Promise<DeviceIdentity>;
  /** MDE's per-tenant call quotas for the api surface. */
  throttle: Throttle;
}

/** What `config` of every tabled Fastify route carries. */
export interface RouteConfig {
  surface: Surface;
  auth: AuthKind;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every tabled route. */
    surface?: Surface;
    auth?: AuthKind;
  }
  interface FastifyInstance {
    /** Every table registered, in order: the permission matrix test and the docs enumerate them. */
    routeTables: RouteTable[];
  }
}

const DECLARED = Symbol('palisade.declaredRoutes');
type Guarded = FastifyInstance & { [DECLARED]?: { routes: Set<string>; mounts: string[] } };

/**
 * Makes every later route registration that no table declared throw (and so the app fail to
 * start). Call it first, before any plugin registers routes.
 */
export function guardRoutes(app: FastifyInstance): void {
  const state = { routes: new Set<string>(), mounts: [] as string[] };
  (app as Guarded)[DECLARED] = state;
  app.decorate('routeTables', []);
  app.addHook('onRoute', (opts) => {
    const url = opts.url ?? '';
    if (state.mounts.some((p) => url === p || url.startsWith(`${p}/`))) return;
    for (const m of [opts.method].flat()) {
      const method = String(m).toUpperCase();
      if (state.routes.has(`${method} ${url}`) || (method === 'HEAD' && state.routes.has(`GET ${url}`))) continue;
      throw new Error(`Route ${method} ${url} is declared in no surface table (src/api/route-table.ts); declare it in the table of its surface`);
    }
  });
}

/** A route whose authentication kind no case handles: a type error at compile time, a start failure at run time. */
function unknownAuthKind(r: never): never {
  throw new Error(`Route ${JSON.stringify(r)} has an unknown authentication kind`);
}

/**
 * A signal that aborts when the client goes away before its response is sent (the connection closed),
 * so the work done for it stops: a hunting query is interrupted, a waiting one leaves its queue.
 */
function abandoned(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  const onClose = () => {
    if (!res.writableFinished) ac.abort(new PalisadeError('BadRequest', 'The client closed the connection before the response'));
  };
  res.once('close', onClose);
  return ac.signal;
}

/** What the authentication hook proved about a request, for its handler. */
const callers = new WeakMap<FastifyRequest, Ctx | DeviceIdentity>();

/**
 * A declared route's authentication (an `onRequest` hook, so an unauthenticated request is refused
 * before its body is read or validated) and its handler.
 */
function wiringOf(table: RouteTable, r: Route, auth: RouteAuth): { onRequest?: (req: FastifyRequest) => Promise<void>; handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> } {
  switch (r.auth) {
    case 'bearer':
      return {
        onRequest: async (req) => {
          const ctx = await auth.bearer(req.headers.authorization, table.surface === 'graph' ? 'graph' : 'mde');
          req.tenantId = ctx.tenantId;
          await auth.throttle.take(ctx.tenantId, `${r.method} ${r.url}`, r.quota ?? DEFAULT_QUOTA);
          callers.set(req, ctx);
        },
        handler: async (req, reply) => {
          const ctx = callers.get(req) as Ctx;
          ctx.signal = abandoned(reply);
          const out = await r.handler(req, reply, ctx);
          if (!ctx.authz.checked) {
            req.log.error({ route: r.url, surface: table.surface }, 'handler completed without authorization; failing closed');
            throw new PalisadeError('InternalServerError', 'authorization was not checked');
          }
          return out;
        },
      };
    case 'device':
      return {
        onRequest: async (req) => {
          const device = await auth.device(req.headers.authorization);
          req.tenantId = device.tenantId;
          callers.set(req, device);
        },
        handler: async (req, reply) => r.handler(req, reply, callers.get(req) as DeviceIdentity),
      };
    case 'enrollment-token':
    case 'oauth-client':
    case 'none':
      return { handler: (req, reply) => r.handler(req, reply) };
    default:
      return unknownAuthKind(r);
  }
}

function schemaOf(table: RouteTable, r: Route, documented: boolean): FastifySchema {
  if (!documented) return { ...r.schema, hide: true } as FastifySchema;
  const api = r.auth === 'bearer' ? r : null;
  return {
    ...r.schema,
    summary: r.summary,
    tags: [api?.tag ?? table.surface],
    ...(api ? { description: `Requires one of: ${api.permissions.join(', ')}${api.alsoRequires ? `; and one of: ${api.alsoRequires.join(', ')}` : ''}`, security: [{ bearer: [] }] } : {}),
  } as FastifySchema;
}

/**
 * Registers the tables' routes and mounts (after `guardRoutes`). Bearer routes authenticate and take
 * the tenant's quota before the body is read, run, and fail closed (500) when the use case never
 * called the authorizer; device routes authenticate the device credential before the body is read;
 * the others run as declared.
 */
export async function registerTables(app: FastifyInstance, tables: readonly RouteTable[], auth: RouteAuth): Promise<void> {
  const state = (app as Guarded)[DECLARED];
  if (!state) throw new Error('guardRoutes(app) must run before registerTables');
  for (const table of tables) {
    app.routeTables.push(table);
    for (const m of table.mounts ?? []) {
      state.mounts.push(m.prefix);
      await m.register(app);
    }
    for (const r of table.routes as readonly Route[]) {
      for (const [i, prefix] of table.prefixes.entries()) {
        const url = prefix + r.url;
        state.routes.add(`${r.method} ${url}`);
        const options = {
          method: r.method,
          url,
          schema: schemaOf(table, r, table.documented && i === 0),
          config: { surface: table.surface, auth: r.auth } satisfies RouteConfig,
          attachValidation: r.attachValidation ?? false,
          ...wiringOf(table, r, auth),
        };
        const raw = r.rawBody;
        const streamed = r.streamBody;
        const form = r.multipart;
        if (streamed) {
          await app.register(async (scope) => {
            // this route's types reach it unread, whatever parser the app has for them (JSON)
            for (const t of streamed.contentTypes) if (scope.hasContentTypeParser(t)) scope.removeContentTypeParser(t);
            scope.addContentTypeParser([...streamed.contentTypes], (req, payload, done) => {
              const declared = Number(req.headers['content-length'] ?? 0);
              if (declared > streamed.limit) done(new PalisadeError('PayloadTooLarge', `The body is larger than the ${streamed.limit} bytes accepted here`));
              else done(null, payload);
            });
            scope.route(options);
          });
        } else if (form) {
          await app.register(async (scope) => {
            await scope.register(multipart, { limits: { fileSize: form.fileSize, fields: form.fields, fieldSize: form.fieldSize, files: 1, parts: form.fields + 1 } });
            scope.route(options);
          });
        } else if (raw) {
          await app.register(async (scope) => {
            scope.addContentTypeParser([...raw.contentTypes], { parseAs: 'buffer', bodyLimit: raw.limit }, (_req, body, done) => done(null, body));
            scope.route({ ...options, bodyLimit: raw.limit });
          });
        } else if (r.untypedBodyIsForm) {
          await app.register(async (scope) => {
            // the catch-all parser also sees bodies of unknown types: those stay unsupported
            scope.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
              if (req.headers['content-type'] !== undefined) {
                done(new PalisadeError('UnsupportedMediaType', `Content type '${req.headers['content-type']}' is not supported here; send the body as application/x-www-form-urlencoded`));
              } else {
                done(null, formBody(body as string));
              }
            });
            scope.route(options);
          });
        } else {
          app.route(options);
        }
      }
    }
  }
}

/** A form-urlencoded body as an object of its fields (the last of repeated fields wins). */
export function formBody(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

/** Every route of the tables with its surface (for tests and generated docs). */
export function declaredRoutes(app: FastifyInstance): { surface: Surface; prefixes: readonly string[]; route: Route }[] {
  return app.routeTables.flatMap((t) => (t.routes as readonly Route[]).map((route) => ({ surface: t.surface, prefixes: t.prefixes, route })));
}
