/**
 * The Fastify application: error rendering, form bodies for OAuth, OpenAPI, and the route tables of
 * the four surfaces (route-table.ts) — public, identity, sensor and the MDE-compatible api. No route
 * is registered outside a table. Transport (HTTPS, ports) is the server's business (cli/serve.ts);
 * tests build this app and call it with `inject`.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { EventWriter, StateStore } from '../domain/ports.ts';
import { AuthorizationServer } from '../auth/authorization-server.ts';
import { BearerAuthenticator } from '../auth/bearer.ts';
import { TokenService } from '../auth/token-service.ts';
import type { RoleLookup } from '../domain/rbac.ts';
import { DeviceService } from '../services/devices.ts';
import { SensorGateway } from '../services/sensor-gateway.ts';
import { installErrorHandling } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { guardRoutes, registerTables, type RouteTable } from './route-table.ts';
import { machineRoutes } from './routes/machines/routes.ts';
import { huntingRoutes } from './routes/hunting/routes.ts';
import type { HuntingService } from '../services/hunting.ts';
import { identityTable } from './routes/identity/routes.ts';
import { publicTable, type ReadinessCheck } from './routes/public/routes.ts';
import { ServerMetrics } from './metrics.ts';
import { installRequestObserver } from './request-observer.ts';
import { sensorTable, type IngestBatch } from './routes/sensor/routes.ts';
import { createMemoryCounters } from '../store/counters/memory-counters.ts';
import { Throttle } from './throttle.ts';

/** Everything the app needs; optional parts have production defaults. */
export interface AppDeps {
  state: StateStore;
  ingest?: IngestBatch | null;
  /** Where the server's own event rows go (heartbeat device state); none writes none. */
  eventWriter?: EventWriter | null;
  /** Advanced hunting; its routes are registered when present. */
  hunting?: HuntingService | null;
  clock?: () => Date;
  /** MDE's per-tenant call quotas; on unless turned off (benchmarks). */
  throttle?: boolean;
  logger?: boolean | object;
  https?: { cert: string; key: string } | null;
  version?: string;
  /** The roles of signed-in users (user tokens); none until users arrive. */
  userRoles?: RoleLookup;
  /** The metrics `/metrics` serves; the composition root passes one to register more collectors on it. */
  metrics?: ServerMetrics;
  /** What `/readyz` waits for besides the state store (the event store). */
  readiness?: readonly ReadinessCheck[];
}

/** The services the app built, shared with extra route factories. */
export interface AppServices {
  tokens: TokenService;
  devices: DeviceService;
  gateway: SensorGateway;
  metrics: ServerMetrics;
}

/** The ingest call with each batch's outcome counted in the metrics. */
function countedIngest(ingest: IngestBatch, metrics: ServerMetrics): IngestBatch {
  return async (args) => {
    try {
      const r = await ingest(args);
      metrics.observeIngest({ accepted: r.accepted, rejected: r.rejected.length, duplicate: r.duplicate });
      return r;
    } catch (e) {
      metrics.observeIngest('failed');
      throw e;
    }
  };
}

/** Builds the app (not listening). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: AppServices }> {
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    ...(deps.logger && typeof deps.logger === 'object' && 'info' in deps.logger ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false }),
    https: deps.https ?? null,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    forceCloseConnections: true,
    // request-observer.ts writes the one access-log line per request
    logController: new LogController({ disableRequestLogging: true }),
    keepAliveTimeout: 65_000,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 500 },
  } as object) as unknown as FastifyInstance;
  const metrics = deps.metrics ?? new ServerMetrics();
  installErrorHandling(app);
  installRequestObserver(app, metrics);
  guardRoutes(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onSend', async (req, reply) => {
    void reply.header('request-id', req.id);
  });
  await registerOpenApi(app, deps.version ?? '0.1.0');

  const tokens = new TokenService(deps.state.tenants, clock);
  const devices = new DeviceService(deps.state, clock);
  const gateway = new SensorGateway(deps.state, deps.eventWriter ?? null, clock);
  const services: AppServices = { tokens, devices, gateway, metrics };

  const bearer = new BearerAuthenticator(tokens, deps.state.apps, deps.userRoles);
  const api: RouteTable<'api'> = {
    surface: 'api',
    prefixes: ['/api', '/api/v1.0'],
    routes: [...machineRoutes(devices, clock), ...(deps.hunting ? huntingRoutes(deps.hunting, metrics) : [])],
    documented: true,
  };
  await registerTables(app, [
    publicTable(app, { metrics, readiness: [{ name: 'state', check: () => deps.state.ping() }, ...(deps.readiness ?? [])] }),
    identityTable(new AuthorizationServer(deps.state.tenants, deps.state.apps, tokens)),
    sensorTable(gateway, deps.ingest ? countedIngest(deps.ingest, metrics) : null),
    api,
  ], {
    bearer: (h) => bearer.authenticate(h),
    device: (h) => gateway.authenticate(h),
    throttle: new Throttle(createMemoryCounters(), deps.throttle ?? true),
  });
  return Object.assign(app, { services });
}
