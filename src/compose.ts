/**
 * The composition root: the one place that wires Palisade (DESIGN.md §2). Every process — `palisade
 * serve`, the admin commands, the tests, the benchmarks and the developer tools — gets its stores,
 * use cases and HTTP app from here, by role:
 *
 * | role | what it runs |
 * |---|---|
 * | `api` | the MDE API and the identity surface (tokens), advanced hunting |
 * | `gateway` | the sensor protocol surface (enroll, heartbeat, event batches) |
 * | `pipeline` | the ingest pipeline (matching indicators on ingest), the server's own event writer, the committed-batch feed |
 * | `scheduler` | periodic jobs: event retention, custom detection rules (scheduled, and near real time on the feed), the syslog forwarder of alert changes (`syslog`) |
 *
 * All four run by default; `serve --roles api,gateway,…` picks some. The public surface (health,
 * API reference) is served by every process. Until the queue between gateway and pipeline exists
 * (DESIGN.md §1), a gateway hands batches to the pipeline in process, so `gateway` needs `pipeline`.
 * The embedded event store (DuckDB) is one process's file: every role that reads or writes events
 * opens it here.
 *
 * Per-process state that several processes must share — MDE's call quotas, the hunting CPU budget —
 * goes through the Counters port, in process unless the caller passes a shared adapter.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildApp, type AppServices, type PalisadeApp } from './api/app.ts';
import { ServerMetrics } from './api/metrics.ts';
import type { ReadinessCheck } from './api/routes/public/routes.ts';
import type { IngestBatch } from './api/routes/sensor/routes.ts';
import { Throttle } from './api/throttle.ts';
import { AuthorizationServer } from './auth/authorization-server.ts';
import { BearerAuthenticator } from './auth/bearer.ts';
import { SignInFlows } from './auth/sign-in-flows.ts';
import { UserGrants } from './auth/user-grants.ts';
import { newSigningKey, TokenService } from './auth/token-service.ts';
import type { Counters, EventWriter, Queue, StateStore } from './domain/ports.ts';
import type { RoleLookup } from './domain/rbac.ts';
import { createEventWriter } from './ingest/event-writer.ts';
import { createIngestPipeline } from './ingest/pipeline.ts';
import { compileKql, compileKqlDiscovering, preloadKql } from './kql/index.ts';
import { formatResult } from './kql/result-format.ts';
import { createFileCursorStore, createMemoryCursorStore } from './queue/memory/cursor-store.ts';
import { openMemoryQueue } from './queue/memory/memory-queue.ts';
import { registerQueueMetrics } from './queue/queue-metrics.ts';
import { commitFaultHook, startTestConsumers } from './queue/memory/feed-test-hooks.ts';
import { startIndicatorAlerts, type IndicatorAlerts } from './detect/indicator-alerts.ts';
import type { IndicatorSnapshot } from './detect/indicator-snapshot.ts';
import { createIndicatorSnapshots } from './detect/indicator-snapshots.ts';
import { checkRuleQuery } from './detect/rule-query.ts';
import { DetectionRuleRunner, type RuleRunnerOptions } from './detect/rule-runner.ts';
import { createRuleResponder } from './detect/rule-responses.ts';
import { DetectionRuleService } from './services/detection-rules.ts';
import { DeviceGroupService } from './services/device-groups.ts';
import { DeviceService } from './services/devices.ts';
import { IndicatorService } from './services/indicators.ts';
import { DeviceWakeups } from './services/device-wakeups.ts';
import { MachineActionService } from './services/machine-actions.ts';
import { AlertService } from './services/alerts.ts';
import { AlertForwarder } from './services/alert-stream.ts';
import { createSyslogSink } from './stream/syslog/syslog-sink.ts';
import type { SyslogTarget } from './stream/syslog/transport.ts';
import { IncidentService } from './services/incidents.ts';
import { createExternalDataFetcher } from './services/external-data.ts';
import { DEFAULT_HUNTING_LIMITS, HuntingService, type HuntingLimits } from './services/hunting.ts';
import { SavedQueryService } from './services/saved-queries.ts';
import { InvestigationService } from './services/investigation.ts';
import { LibraryService } from './services/library.ts';
import { ActionResultService } from './services/action-results.ts';
import { LinkSigner } from './services/signed-links.ts';
import { loadOrCreateSecretKey } from './store/files/secret-key.ts';
import { createLocalFileStore } from './store/files/local-file-store.ts';
import { SiemService } from './services/siem.ts';
import { SensorGateway } from './services/sensor-gateway.ts';
import { TenantService } from './services/tenants.ts';
import { UserService } from './services/users.ts';
import { ExternalIdpService } from './services/external-idps.ts';
import { FederatedSignIn } from './services/federated-sign-in.ts';
import { OidcRelyingParty } from './auth/oidc-relying-party.ts';
import type { SignInOutcome } from './auth/sign-in-flows.ts';
import { RoleService, storedRoleLookup } from './services/roles.ts';
import { AuditLogService } from './services/audit-log.ts';
import { RbacConfigService } from './services/rbac-config.ts';
import { createMemoryCounters } from './store/counters/memory-counters.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from './store/events/duckdb/event-store.ts';
import { openGeoIpDatabase } from './store/geoip/maxmind-database.ts';
import { openStateStore, secretsKeyPathFor, stateSecretsKeyPath } from './store/state/open.ts';
import { secretKeyRingFile } from './store/state/secret-key-ring-file.ts';
import { StateSecretsService } from './services/state-secrets.ts';

/** The roles a process can play. */
export const ROLES = ['api', 'gateway', 'pipeline', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

/** Parses a comma-separated role list (`api,gateway`); an unknown or missing role is an Error naming the valid ones. */
export function parseRoles(text: string): Role[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (!names.length) throw new Error(`Name at least one role: ${ROLES.join(', ')}`);
  for (const n of names) {
    if (!(ROLES as readonly string[]).includes(n)) throw new Error(`Unknown role '${n}'; the roles are ${ROLES.join(', ')}`);
  }
  return [...new Set(names)] as Role[];
}

/** The event side's options. */
export interface EventOptions {
  /** The DuckDB file (':memory:' for tests and tools). */
  path: string;
  retentionDays: number;
  /** WAL size in MiB after which the event store checkpoints (see store/events/duckdb/event-store.ts). */
  checkpointMib?: number;
  /** DuckDB's threads (default: one per core) and memory limit (default: 40% of the machine's memory). */
  duckdb?: { threads?: number; memoryLimit?: string };
  /** Directory of the feed's consumer cursors; in memory when absent (tests). */
  feedDir?: string;
  /** MiB of committed batches the feed holds in memory for lagging consumers (see queue/memory). */
  feedBacklogMib?: number;
  /** A GeoIP database in the MaxMind DB format, for geo_info_from_ip_address. */
  geoIpDb?: string;
  hunting?: Partial<HuntingLimits>;
}

/** The event side of a process; a part is null when no role of the process runs it. */
export interface EventSide {
  store: DuckDbEventStore;
  /** The ingest pipeline (pipeline role). */
  ingest: IngestBatch | null;
  /** Rows the server writes itself (heartbeat device state), through the pipeline's write path (pipeline role). */
  eventWriter: EventWriter | null;
  /** The committed-batch feed: every batch the store commits is published here (pipeline role). */
  feed: Queue | null;
  /** Advanced hunting (api role), and the custom detection rules' queries (scheduler role). */
  hunting: HuntingService | null;
  /** Resolves once the event store answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The event side with every part present (all roles). */
export type EventStack = { [K in keyof EventSide]: NonNullable<EventSide[K]> };

/** What the ingest pipeline's match step reads: the tenant's active indicators. */
interface MatchWiring {
  indicators: (tenantId: string) => Promise<IndicatorSnapshot | null>;
}

/** Opens the event side the roles need: the store always, the rest by role. */
async function openEventSide(roles: ReadonlySet<Role>, o: EventOptions, counters: Counters, log?: Logger, match?: MatchWiring): Promise<EventSide> {
  const geoIp = o.geoIpDb ? await openGeoIpDatabase(o.geoIpDb) : null;
  const checkpointBytes = o.checkpointMib === undefined ? undefined : o.checkpointMib * 1024 * 1024;
  const limits = { ...DEFAULT_HUNTING_LIMITS, ...o.hunting, geoIp: geoIp !== null };
  const store = await openDuckDbEventStore({
    path: o.path, retentionDays: o.retentionDays, checkpointBytes, engine: { geoIp },
    // bounded, so that a query's working set fails the query, not the machine; and one read
    // connection per hunting query that may run at once, so hunting never waits inside the store
    threads: o.duckdb?.threads ?? availableParallelism(),
    memoryLimit: o.duckdb?.memoryLimit ?? `${Math.max(256, Math.floor((totalmem() * 0.4) / 1024 / 1024))}MB`,
    readConnections: limits.concurrency.total,
  });
  const stops: (() => Promise<void> | void)[] = [];
  let ingest: IngestBatch | null = null;
  let eventWriter: EventWriter | null = null;
  let feed: Queue | null = null;
  let hunting: HuntingService | null = null;
  try {
    if (roles.has('pipeline')) {
      const queue = await openMemoryQueue({
        log: store,
        cursors: o.feedDir ? createFileCursorStore(o.feedDir) : createMemoryCursorStore(),
        backlogBytes: o.feedBacklogMib === undefined ? undefined : o.feedBacklogMib * 1024 * 1024,
      });
      feed = queue;
      stops.push(() => queue.close());
      const fault = commitFaultHook();
      store.onCommit((batches) => {
        fault?.();
        for (const b of batches) queue.publish(b);
      });
      await startTestConsumers(queue);
      const pipeline = createIngestPipeline({
        eventStore: store,
        indicators: match?.indicators,
        onMetrics: (m) => {
          if (m.alertsDropped > 0) log?.warn({ batchId: m.batchId, alerts: m.alerts, dropped: m.alertsDropped }, 'a batch matched indicators more often than one batch raises alerts for; the rest were not raised');
        },
        onDeadLetter: (d) => log?.debug({ deviceId: d.deviceId, batchId: d.batchId, line: d.line, step: d.step, reason: d.reason }, 'event line rejected'),
      });
      stops.push(() => pipeline.close());
      ingest = (req) => pipeline.ingest(req);
      eventWriter = createEventWriter({
        eventStore: store,
        onRejected: (w, rejected) => log?.warn({ deviceId: w.deviceId, batchId: w.batchId, rejected }, 'server-written event rows rejected'),
      });
    }
    if (roles.has('scheduler')) {
      stops.push(store.startRetentionTimer({
        onRun: (n) => n && log?.info({ deleted: n }, 'retention removed old events'),
        onError: (e) => log?.error({ err: e }, 'retention failed'),
      }));
    }
    if (roles.has('api') || roles.has('scheduler')) {
      // Load Microsoft's KQL parser now, so the first hunting query is not the slow one.
      preloadKql();
      hunting = new HuntingService({
        compile: compileKqlDiscovering, events: store, format: formatResult, counters, limits,
        fetchExternalData: limits.allowExternalData ? createExternalDataFetcher() : undefined,
      });
    }
  } catch (e) {
    for (const stop of stops.reverse()) await stop();
    await store.close();
    throw e;
  }
  return {
    store, ingest, eventWriter, feed, hunting,
    ping: async () => {
      await store.query({ sql: 'select 1 as ok', params: [], columns: [{ name: 'ok', type: 'long' }] }, { timeoutMs: 5_000, maxRows: 1 });
    },
    close: async () => {
      // the timer first, the feed before the store it reads
      for (const stop of stops.reverse()) await stop();
      await store.close();
    },
  };
}

/** Opens the whole event side (every role's part) on the DuckDB file at `path`: for tests, tools and benchmarks. */
export async function openEventStack(path: string, o: Omit<EventOptions, 'path'> & { log?: Logger }): Promise<EventStack> {
  const side = await openEventSide(new Set(ROLES), { ...o, path }, createMemoryCounters(), o.log);
  return side as EventStack;
}

/** The HTTP app's options. */
export interface HttpOptions {
  logger?: boolean | object;
  https?: { cert: string; key: string } | null;
  /** MDE's per-tenant call quotas; on unless turned off (benchmarks, tests). */
  throttle?: boolean;
  version?: string;
  /** Replaces the lookup of users' stored roles (tests that hand users roles directly). */
  userRoles?: RoleLookup;
  /** Replaces the pipeline's ingest behind the sensor surface (tests that bring their own event store). */
  ingest?: IngestBatch;
  /** Add the process's own metrics (CPU, memory, event loop) to `/metrics`: one server per process. */
  processMetrics?: boolean;
  /** More checks for `/readyz`; one named like a built-in check (`state`, `events`) replaces it. */
  readiness?: readonly ReadinessCheck[];
  /** The folder of the built web console; web/dist when absent. */
  consoleDir?: string;
}

/** The built-in readiness checks with `extra` added, an extra check replacing a built-in one of its name. */
function withChecks(builtIn: readonly ReadinessCheck[], extra: readonly ReadinessCheck[]): ReadinessCheck[] {
  return [...builtIn.filter((c) => !extra.some((x) => x.name === c.name)), ...extra];
}

/** What to compose. */
export interface ComposeOptions {
  /** The roles this process plays; all four when absent. */
  roles?: readonly Role[];
  /** The state store: its URL (a path for SQLite, `postgres://…`), or one already open (it is closed with the program). */
  state: string | StateStore;
  events: EventOptions;
  /** Where usage counters are kept; in process when absent. */
  counters?: Counters;
  clock?: () => Date;
  /** The process log (pino); the HTTP app logs through it unless `http.logger` says otherwise. */
  log?: Logger;
  http?: HttpOptions;
  /** Forward new and updated alerts as CEF over syslog (scheduler role; see stream/syslog/). */
  syslog?: SyslogTarget;
  /** The syslog forwarder's pause between rounds and how old a change must be before it goes (defaults 1 s and 2 s; tests shorten them). */
  syslogTiming?: { pollMs?: number; settleMs?: number };
  /** The custom detection rule runner's knobs (scheduler role; see detect/rule-runner.ts). */
  detection?: Partial<RuleRunnerOptions>;
  /**
   * The directory of the files kept outside the databases (live response library, action results:
   * `<data>/files`); a temporary directory removed at close when absent (tests, tools).
   */
  files?: string;
  /**
   * The key ring file sealing the state store's secrets (see store/state/open.ts); default
   * `<files>/keys/state-secrets.key` when `files` is given, else openStateStore's default.
   */
  secretsKey?: string;
  /** Machine actions: how long one waits for its device before TimeOut (default 72 h), and how often the scheduler's sweeper looks (default 30 s, or a quarter of a shorter expiry). */
  actions?: { expiryHours?: number; sweepMs?: number };
}

/** A composed program. */
export interface Palisade {
  roles: ReadonlySet<Role>;
  state: StateStore;
  events: EventSide;
  counters: Counters;
  tenants: TenantService;
  /** Alerts and incidents; detections raise alerts through `alerts.raise(systemCtx(tenant), draft)`. */
  alerts: AlertService;
  /** The feed consumer raising the alerts of indicator matches (pipeline role; `idle()` resolves once all committed so far are). */
  indicatorAlerts: IndicatorAlerts | null;
  /** The syslog forwarder of alert changes, when configured (scheduler role). */
  syslog: AlertForwarder | null;
  /** The custom detection rule runner (scheduler role). */
  detection: DetectionRuleRunner | null;
  /** Machine actions (the API's and the sensors' side; its expiry sweeper runs in the scheduler role). */
  actions: MachineActionService;
  /** Users, roles and device groups (a change through them reaches signed-in users' next request). */
  settings: SettingsServices;
  /** The HTTP app (not listening): public always, api and identity with `api`, sensor with `gateway`. */
  app: PalisadeApp;
  /** Stops everything, in order: the app, the event side's jobs and feed, the stores. Idempotent. */
  close(): Promise<void>;
}

/** The use cases of a tenant's people and device groups. */
export interface SettingsServices {
  users: UserService;
  roles: RoleService;
  deviceGroups: DeviceGroupService;
  /** External sign-in providers (the settings API's and the sign-in page's). */
  externalIdps: ExternalIdpService;
}

/** Wires the program for its roles. */
export async function compose(o: ComposeOptions): Promise<Palisade> {
  const roles = new Set<Role>(o.roles ?? ROLES);
  if (roles.size === 0) throw new Error(`Name at least one role: ${ROLES.join(', ')}`);
  if (roles.has('gateway') && !roles.has('pipeline') && !o.http?.ingest) {
    throw new Error("The gateway role needs the pipeline role in the same process (the queue between them is not built yet): use --roles gateway,pipeline");
  }
  const clock = o.clock ?? (() => new Date());
  const counters = o.counters ?? createMemoryCounters();
  const secretsKey = o.secretsKey ?? (o.files ? stateSecretsKeyPath(o.files) : undefined);
  const state = typeof o.state === 'string' ? await openStateStore(o.state, { secretsKey }) : o.state;
  const filesDir = o.files ?? mkdtempSync(join(tmpdir(), 'palisade-files-'));
  const removeFiles = () => {
    if (!o.files) rmSync(filesDir, { recursive: true, force: true });
  };
  const files = createLocalFileStore(filesDir);
  // indicators are matched in the ingest pipeline, their alerts raised from the feed (below)
  const indicators = new IndicatorService(state, clock);
  const snapshots = createIndicatorSnapshots(indicators);
  indicators.onChange((tenantId) => snapshots.invalidate(tenantId));
  let events: EventSide;
  try {
    events = await openEventSide(roles, o.events, counters, o.log, { indicators: (tenantId) => snapshots.get(tenantId) });
  } catch (e) {
    await state.close();
    removeFiles();
    throw e;
  }
  const tokens = new TokenService(state.tenants, clock);
  // a signed-in user's roles, from the stored users and roles (cached briefly: see storedRoleLookup);
  // a change through this process's settings use cases applies at the next request
  const roleLookup = storedRoleLookup(state);
  const settings: SettingsServices = {
    users: new UserService(state, clock), roles: new RoleService(state, clock), deviceGroups: new DeviceGroupService(state, clock), externalIdps: new ExternalIdpService(state, clock),
  };
  // a federated sign-in sets the user's roles from the provider's claims: the token it leads to must see them
  for (const s of [settings.users, settings.roles, settings.deviceGroups, settings.externalIdps]) s.onChange((tenantId) => roleLookup.invalidate(tenantId));
  const userRoles: RoleLookup = o.http?.userRoles ?? roleLookup.lookup;
  const signIn = new SignInFlows(state, settings.users, clock);
  const gateway = new SensorGateway(state, events.eventWriter, clock);
  const alerts = new AlertService({
    store: state, events: events.eventWriter, clock, lookup: { compile: compileKqlDiscovering, store: events.store },
    onEventWriteError: (alertId, err) => o.log?.error({ err, alertId }, 'the hunting rows of an alert were not written'),
  });
  // the matches of committed batches become alerts where the feed is (pipeline role), before any batch arrives
  let indicatorAlerts: IndicatorAlerts | null = null;
  try {
    indicatorAlerts = events.feed
      ? await startIndicatorAlerts(events.feed, alerts, (rejected) => {
        for (const r of rejected) o.log?.warn({ dedupeKey: r.draft.dedupeKey, reason: r.reason }, 'an indicator alert was refused');
      })
      : null;
  } catch (e) {
    await events.close();
    await state.close();
    removeFiles();
    throw e;
  }
  const metrics = new ServerMetrics({ processMetrics: o.http?.processMetrics ?? false });
  const feed = events.feed;
  if (feed) registerQueueMetrics(metrics.registry, () => feed.stats());
  const rules = new DetectionRuleService(state, checkRuleQuery, clock);
  // sensors' long-polls wake in this process when an action is created here or the indicators change;
  // a process without both the api and scheduler roles (which create actions) re-reads its polls every second
  const wakeups = new DeviceWakeups();
  indicators.onChange((tenantId) => wakeups.wakeTenant(tenantId));
  const actions = new MachineActionService({
    store: state, wakeups, clock,
    expiryMs: o.actions?.expiryHours === undefined ? undefined : o.actions.expiryHours * 3_600_000,
    recheckMs: roles.has('api') && roles.has('scheduler') ? 0 : 1_000,
  });
  const tenants = new TenantService(state, (t) => newSigningKey(t));
  const services: AppServices = {
    metrics,
    tenants,
    tokens,
    devices: new DeviceService(state, clock),
    alerts,
    indicators,
    detectionRules: rules,
    incidents: new IncidentService(state, clock),
    gateway,
    actions,
    hunting: events.hunting,
    savedQueries: new SavedQueryService(state, clock),
    siem: new SiemService(state, clock),
    library: new LibraryService(state, files, clock),
    results: new ActionResultService(state, files, new LinkSigner(loadOrCreateSecretKey(join(filesDir, 'keys', 'download-links.key')), clock), clock),
    investigation: roles.has('api') ? new InvestigationService({ compile: compileKql, events: events.store, state, clock }) : null,
    authorization: new AuthorizationServer(state.tenants, state.apps, tokens, new UserGrants(state, tokens, userRoles, settings.users, clock)),
    signIn,
    federation: federatedSignIn(state, signIn, clock, settings.externalIdps),
    bearer: new BearerAuthenticator(tokens, state.apps, userRoles, async (tenantId, grantId) => (await state.signIns.getGrant(tenantId, grantId))?.revokedAt != null),
    settings: { ...settings, auditLog: new AuditLogService(state) },
  };
  let app: PalisadeApp;
  try {
    app = await buildApp({
      services,
      surfaces: { api: roles.has('api'), sensor: roles.has('gateway') },
      ingest: o.http?.ingest ?? events.ingest,
      throttle: new Throttle(counters, o.http?.throttle ?? true),
      readiness: withChecks([{ name: 'state', check: () => state.ping() }, { name: 'events', check: () => events.ping() }], o.http?.readiness ?? []),
      clock,
      logger: o.http?.logger ?? o.log ?? false,
      https: o.http?.https ?? null,
      version: o.http?.version,
      consoleDir: o.http?.consoleDir,
    });
  } catch (e) {
    await indicatorAlerts?.stop();
    await events.close();
    await state.close();
    removeFiles();
    throw e;
  }
  const syslog = o.syslog && roles.has('scheduler')
    ? new AlertForwarder({
      output: 'syslog', sink: createSyslogSink(o.syslog), store: state, alerts, clock, ...o.syslogTiming,
      onError: (err) => o.log?.warn({ err }, 'alerts were not forwarded to syslog; retrying'),
    })
    : null;
  syslog?.start();
  // custom detection rules run where the scheduler runs; each process leases the rules it runs
  const detection = roles.has('scheduler') && events.hunting
    ? new DetectionRuleRunner({
      state, hunting: events.hunting, alerts, feed: events.feed, clock, log: o.log, options: o.detection,
      responder: createRuleResponder({ actions, indicators, log: o.log }),
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    })
    : null;
  if (detection) rules.onChange((tenantId) => detection.invalidate(tenantId));
  const stopSweeper = roles.has('scheduler')
    ? actions.startSweeper(o.actions?.sweepMs ?? Math.max(1_000, Math.min(30_000, actions.expiryMs / 4)), (err) => o.log?.error({ err }, 'timing out expired machine actions failed'))
    : null;
  try {
    await detection?.start();
  } catch (e) {
    await stopSweeper?.();
    wakeups.close();
    await syslog?.stop();
    await app.close();
    await indicatorAlerts?.stop();
    await events.close();
    await state.close();
    removeFiles();
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    roles,
    state,
    events,
    counters,
    tenants,
    alerts,
    indicatorAlerts,
    syslog,
    detection,
    actions,
    settings,
    app,
    close: () =>
      (closing ??= (async () => {
        await detection?.stop();
        await stopSweeper?.();
        await syslog?.stop();
        // long-polls answer now rather than hold the app's close
        wakeups.close();
        await app.close();
        await indicatorAlerts?.stop();
        await events.close();
        await state.close();
        removeFiles();
      })()),
  };
}

/**
 * Sign-in through the tenants' external OpenID Connect providers, wired to the sign-in pages: their
 * `Sign in with <name>` buttons, the browser binding of their pending requests, and `completeSignIn`;
 * `rolesChanged` hears of each sign-in that set a user's roles (the role lookup's cache drops the tenant).
 */
function federatedSignIn(state: StateStore, signIn: SignInFlows, clock: () => Date, idps: ExternalIdpService): FederatedSignIn<SignInOutcome> {
  const federation = new FederatedSignIn<SignInOutcome>(idps, new OidcRelyingParty(state.federationRequests, clock), {
    browserHashOf: async (tenantId, requestId) => {
      const p = await state.signIns.getRequest(tenantId, requestId);
      return p && p.expiresAt > clock().toISOString() ? p.browserHash : null;
    },
    completeSignIn: (tenantId, requestId, userId, via, browser) => signIn.completeSignIn(tenantId, requestId, userId, via, browser),
  });
  signIn.registerProvider((tenantId) => federation.providers(tenantId));
  return federation;
}

/** What the admin commands work with: the state store and its use cases, no event side, no HTTP. */
export interface Administration {
  state: StateStore;
  tenants: TenantService;
  devices: DeviceService;
  deviceGroups: DeviceGroupService;
  roles: RoleService;
  /** Applies RBAC configuration files (`admin rbac apply`). */
  rbac: RbacConfigService;
  gateway: SensorGateway;
  users: UserService;
  externalIdps: ExternalIdpService;
  /** The key sealing the store's secrets (null for a store in memory, which has no key file). */
  secrets: StateSecretsService | null;
  close(): Promise<void>;
}

/** Wires the administration of the state store at `stateUrl` (the admin commands, while a server may run). */
export async function composeAdministration(stateUrl: string, o: { secretsKey?: string; keyLost?: boolean } = {}): Promise<Administration> {
  const state = await openStateStore(stateUrl, o);
  const keyPath = secretsKeyPathFor(stateUrl, o);
  return {
    state,
    tenants: new TenantService(state, (t) => newSigningKey(t)),
    devices: new DeviceService(state),
    deviceGroups: new DeviceGroupService(state),
    roles: new RoleService(state),
    rbac: new RbacConfigService({ users: new UserService(state), roles: new RoleService(state), deviceGroups: new DeviceGroupService(state) }),
    gateway: new SensorGateway(state, null),
    users: new UserService(state),
    externalIdps: new ExternalIdpService(state),
    secrets: keyPath === null ? null : new StateSecretsService(state, secretKeyRingFile(keyPath), (t) => newSigningKey(t)),
    close: () => state.close(),
  };
}
