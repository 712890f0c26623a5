/**
 * The Fastify application: error rendering, form bodies for OAuth, OpenAPI, metrics and the access
 * log, and the route tables of the surfaces its roles serve (route-table.ts) — public always,
 * identity and the MDE-compatible api for the api role, sensor for the gateway role. No route is
 * registered outside a table. The services come wired from the composition root (src/compose.ts);
 * transport (HTTPS, ports) is the server's business (cli/serve.ts); tests compose the program and
 * call the app with `inject`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PalisadeError } from '../domain/errors.ts';
import { randomUUID } from 'node:crypto';
import type { AuthorizationServer } from '../auth/authorization-server.ts';
import type { BearerAuthenticator } from '../auth/bearer.ts';
import type { TokenService } from '../auth/token-service.ts';
import type { AlertService } from '../services/alerts.ts';
import type { DetectionRuleService } from '../services/detection-rules.ts';
import type { IncidentService } from '../services/incidents.ts';
import type { DeviceService } from '../services/devices.ts';
import type { IndicatorService } from '../services/indicators.ts';
import type { LibraryService } from '../services/library.ts';
import type { MachineActionService } from '../services/machine-actions.ts';
import type { ActionResultService } from '../services/action-results.ts';
import { resultDownloadRoute, resultLinkRoutes } from './routes/action-results/routes.ts';
import type { SensorGateway } from '../services/sensor-gateway.ts';
import { installErrorHandling, sendError } from './errors.ts';
import { rewriteFunctionSegments } from './function-segments.ts';
import { installUnrouted } from './unrouted.ts';
import { registerOpenApi } from './openapi.ts';
import { formBody, guardRoutes, registerTables, type RouteTable } from './route-table.ts';
import { indicatorRoutes } from './routes/indicators/routes.ts';
import { detectionRuleRoutes } from './routes/detection-rules/routes.ts';
import { machineRoutes } from './routes/machines/routes.ts';
import { machineActionRoutes } from './routes/machine-actions/routes.ts';
import { alertRoutes } from './routes/alerts/routes.ts';
import { incidentRoutes } from './routes/incidents/routes.ts';
import { huntingRoutes } from './routes/hunting/routes.ts';
import { savedQueryRoutes } from './routes/hunting/saved-queries.ts';
import type { HuntingService } from '../services/hunting.ts';
import type { SavedQueryService } from '../services/saved-queries.ts';
import type { InvestigationService } from '../services/investigation.ts';
import { investigationRoutes } from './routes/investigation/routes.ts';
import { GRAPH_PREFIXES, graphRoutes } from './routes/graph/routes.ts';
import { siemRoutes } from './routes/siem/routes.ts';
import { libraryRoutes } from './routes/library/routes.ts';
import { settingsRoutes, type SettingsRouteServices } from './routes/settings/routes.ts';
import type { SiemService } from '../services/siem.ts';
import { identityTable } from './routes/identity/routes.ts';
import type { SignInFlows, SignInOutcome } from '../auth/sign-in-flows.ts';
import type { FederatedSignIn } from '../services/federated-sign-in.ts';
import { publicTable, type ReadinessCheck } from './routes/public/routes.ts';
import { consoleRoutes } from './routes/console/routes.ts';
import type { TenantService } from '../services/tenants.ts';
import type { ServerMetrics } from './metrics.ts';
import { installRequestObserver } from './request-observer.ts';
import { sensorTable, type IngestBatch } from './routes/sensor/routes.ts';
import type { Throttle } from './throttle.ts';

/** The use cases and authenticators the route tables call (wired by src/compose.ts). */
export interface AppServices {
  tokens: TokenService;
  devices: DeviceService;
  alerts: AlertService;
  indicators: IndicatorService;
  incidents: IncidentService;
  gateway: SensorGateway;
  /** Machine actions: the api surface's action routes and the sensor's /work and progress. */
  actions: MachineActionService;
  /** Custom detection rules (/api/detectionrules). */
  detectionRules: DetectionRuleService;
  /** Advanced hunting; its routes are registered when present. */
  hunting: HuntingService | null;
  /** Saved hunting queries (/api/advancedqueries/saved). */
  savedQueries: SavedQueryService;
  /** Investigation entities from the event store (files, IPs, domains, users); registered when present. */
  investigation: InvestigationService | null;
  /** The live response library (/api/libraryfiles; sensors download from /sensor/v1/library). */
  library: LibraryService;
  /** Action results: devices' uploads, the signed links to them and their downloads. */
  results: ActionResultService;
  /** The SIEM pull and Graph's alert and incident lists. */
  siem: SiemService;
  authorization: AuthorizationServer;
  /** The sign-in pages' use cases (authorization code and device code flows). */
  signIn: SignInFlows;
  /** Sign-in through external OpenID Connect providers (the identity surface's federation routes). */
  federation: FederatedSignIn<SignInOutcome>;
  bearer: BearerAuthenticator;
  /** Users, roles, device groups and the audit log (/api/settings/…, /api/auditlogs). */
  settings: Omit<SettingsRouteServices, 'tenants'>;
  /** Tenants: the console's config.json names the server's only one. */
  tenants: TenantService;
  /** What `/metrics` serves; other parts of the program register their collectors on its registry. */
  metrics: ServerMetrics;
}

/** What the HTTP app is built from. */
export interface AppDeps {
  services: AppServices;
  /** The surfaces served besides `public`: the MDE `api` (with the `identity` surface its clients get tokens from) and the `sensor` protocol. */
  surfaces: { api: boolean; sensor: boolean };
  /** Where sensor event batches go; null answers them as unavailable. */
  ingest: IngestBatch | null;
  /** MDE's per-tenant call quotas. */
  throttle: Throttle;
  /** What `/readyz` waits for (the stores). */
  readiness: readonly ReadinessCheck[];
  clock: () => Date;
  logger?: boolean | object;
  https?: { cert: string; key: string } | null;
  version?: string;
  /** The folder of the built web console (default web/dist). */
  consoleDir?: string;
}

/** The Fastify app with the services it serves. */
export type PalisadeApp = FastifyInstance & { services: AppServices };

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
export async function buildApp(deps: AppDeps): Promise<PalisadeApp> {
  const { services, clock } = deps;
  const metrics = services.metrics;
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
    // OData function-call segments (findbyip(ip='…',timestamp=…)) route as their name plus query parameters
    rewriteUrl: (req: { url?: string }) => rewriteFunctionSegments(req.url ?? '/'),
    frameworkErrors: (_err: unknown, req: FastifyRequest, reply: FastifyReply) => sendError(new PalisadeError('BadRequest', 'The request URL is malformed'), req, reply),
  } as object) as unknown as FastifyInstance;
  installErrorHandling(app);
  installUnrouted(app, deps.surfaces.api ? (h) => services.bearer.authenticate(h) : undefined);
  installRequestObserver(app, metrics);
  guardRoutes(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, formBody(body as string));
  });
  // GET and DELETE with `Content-Type: application/json` and no body (Splunk SOAR sends every one so) have no body
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '' && (req.method === 'GET' || req.method === 'DELETE' || req.method === 'HEAD')) done(null, undefined);
    else json(req, body as string, done);
  });
  app.addHook('onSend', async (req, reply) => {
    void reply.header('request-id', req.id);
  });
  await registerOpenApi(app, deps.version ?? '0.1.0');

  const tables: RouteTable[] = [publicTable(app, {
    metrics, readiness: deps.readiness, downloads: [resultDownloadRoute(services.results)],
    console: deps.surfaces.api ? consoleRoutes({ dir: deps.consoleDir, soleTenantId: async () => (await services.tenants.soleTenant())?.id ?? null }) : [],
  })];
  if (deps.surfaces.api) tables.push(identityTable(services.authorization, services.signIn, services.federation));
  if (deps.surfaces.sensor) tables.push(sensorTable(services.gateway, deps.ingest ? countedIngest(deps.ingest, metrics) : null, services.indicators, { library: services.library, results: services.results }, services.actions));
  if (deps.surfaces.api) {
    tables.push({
      surface: 'api',
      prefixes: ['/api', '/api/v1.0'],
      routes: [
        ...machineRoutes(services.devices, clock),
        ...machineActionRoutes(services.actions, clock),
        ...indicatorRoutes(services.indicators, clock),
        ...alertRoutes(services.alerts, clock),
        ...incidentRoutes(services.incidents, clock),
        ...(services.hunting ? huntingRoutes(services.hunting, metrics) : []),
        ...savedQueryRoutes(services.savedQueries),
        ...(services.investigation ? investigationRoutes(services.investigation, clock) : []),
        ...detectionRuleRoutes(services.detectionRules, clock),
        ...siemRoutes(services.siem),
        ...libraryRoutes(services.library, clock),
        ...resultLinkRoutes(services.results),
        ...settingsRoutes({ ...services.settings, tenants: services.tenants }, clock),
      ],
      documented: true,
    });
    tables.push({ surface: 'graph', prefixes: GRAPH_PREFIXES, routes: graphRoutes({ hunting: services.hunting, siem: services.siem, metrics }), documented: true });
  }
  await registerTables(app, tables, {
    bearer: (h, resource) => services.bearer.authenticate(h, resource),
    device: (h) => services.gateway.authenticate(h),
    throttle: deps.throttle,
  });
  return Object.assign(app, { services });
}
