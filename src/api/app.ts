/**
 * The Fastify application: error rendering, form bodies for OAuth, OpenAPI, the OAuth server,
 * the sensor gateway and the MDE-compatible `/api` routes. Transport (HTTPS, ports) is the
 * server's business (server.ts); tests build this app and call it with `inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { EventWriter, StateStore } from '../domain/ports.ts';
import { TokenService } from '../auth/token-service.ts';
import { DeviceService } from '../services/devices.ts';
import { SensorGateway } from '../services/sensor-gateway.ts';
import { installErrorHandling } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { registerApiRoutes, type ApiRoute } from './route-table.ts';
import { machineRoutes } from './routes/machines/routes.ts';
import { huntingRoutes } from './routes/hunting/routes.ts';
import type { HuntingService } from '../services/hunting.ts';
import { registerOAuthRoutes } from './routes/oauth/routes.ts';
import { registerSensorRoutes, type IngestBatch } from './routes/sensor/routes.ts';
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
}

/** The services the app built, shared with extra route factories. */
export interface AppServices {
  tokens: TokenService;
  devices: DeviceService;
  gateway: SensorGateway;
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
    keepAliveTimeout: 65_000,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 500 },
  } as object) as unknown as FastifyInstance;
  installErrorHandling(app);
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
  const services: AppServices = { tokens, devices, gateway };

  registerOAuthRoutes(app, { tenants: deps.state.tenants, apps: deps.state.apps, tokens });
  registerSensorRoutes(app, { gateway, ingest: deps.ingest ?? null });
  const routes: ApiRoute[] = [...machineRoutes(devices, clock), ...(deps.hunting ? huntingRoutes(deps.hunting) : [])];
  registerApiRoutes(app, routes, { tokens, apps: deps.state.apps, throttle: new Throttle(deps.throttle ?? true) });
  app.get('/healthz', { schema: { hide: true } as object }, async () => ({ status: 'ok' }));
  return Object.assign(app, { services });
}
