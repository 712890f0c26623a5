/**
 * `palisade serve`: the whole platform in one process on its embedded defaults (SQLite state,
 * DuckDB events, HTTPS with a private CA), or PostgreSQL state with `--state postgres://…`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pino from 'pino';
import { buildApp } from '../api/app.ts';
import { ServerMetrics } from '../api/metrics.ts';
import { registerQueueMetrics } from '../queue/queue-metrics.ts';
import { ensureTlsMaterial, loadTlsFiles } from '../api/tls/certificates.ts';
import { newSigningKey } from '../auth/token-service.ts';
import { systemCtx } from '../domain/context.ts';
import { TenantService } from '../services/tenants.ts';
import { openStateStore } from '../store/state/open.ts';
import { openEventStack } from './event-stack.ts';
import { ensureDataDir, stateUrlFor, writeServerRecord } from './data-dir.ts';

export interface ServeOptions {
  data: string;
  host: string;
  port: number;
  state?: string;
  tlsCert?: string;
  tlsKey?: string;
  retentionDays: number;
  /** WAL size in MiB after which the event store checkpoints (see store/events/duckdb/event-store.ts). */
  checkpointMib?: number;
  /** DuckDB's threads and memory limit (see event-stack.ts for the defaults). */
  duckdbThreads?: number;
  duckdbMemory?: string;
  /** MiB of committed batches the feed holds in memory for lagging consumers (see queue/memory/memory-queue.ts). */
  feedBacklogMib?: number;
  logLevel: string;
  throttle: boolean;
  /** Let hunting queries fetch URLs with externaldata (off by default: see services/external-data.ts). */
  allowExternalData?: boolean;
  /** A GeoIP database in the MaxMind DB format, for geo_info_from_ip_address (see store/geoip/maxmind-database.ts). */
  geoipDb?: string;
}

/** Starts the server; resolves with a stop function once it listens. */
export async function serve(o: ServeOptions): Promise<{ url: string; tenantId: string; stop: () => Promise<void> }> {
  const paths = ensureDataDir(o.data);
  const log = pino({ level: o.logLevel });
  const stateUrl = stateUrlFor(o.data, o.state);
  const state = await openStateStore(stateUrl);
  const tenants = new TenantService(state, (t) => newSigningKey(t));
  let tenant = (await tenants.listTenants())[0];
  const firstStart = !tenant;
  if (!tenant) tenant = await tenants.createTenant(systemCtx(randomUUID()), 'Default');
  const tls = o.tlsCert && o.tlsKey ? loadTlsFiles(o.tlsCert, o.tlsKey) : await ensureTlsMaterial(paths.root, [o.host, hostname()]);
  const events = await openEventStack(paths.events, { retentionDays: o.retentionDays, checkpointMib: o.checkpointMib, duckdb: { threads: o.duckdbThreads, memoryLimit: o.duckdbMemory }, feedDir: paths.feed, feedBacklogMib: o.feedBacklogMib, log, hunting: { allowExternalData: !!o.allowExternalData }, geoIpDb: o.geoipDb });
  const metrics = new ServerMetrics({ processMetrics: true });
  registerQueueMetrics(metrics.registry, () => events.feed.stats());
  const app = await buildApp({
    state,
    metrics,
    readiness: [{ name: 'events', check: events.ping }],
    ingest: events.ingest,
    eventWriter: events.eventWriter,
    hunting: events.hunting,
    https: { cert: tls.cert, key: tls.key },
    logger: log,
    throttle: o.throttle,
  });
  const address = await app.listen({ host: o.host, port: o.port });
  const port = Number(new URL(address).port) || o.port;
  const shownHost = o.host === '0.0.0.0' || o.host === '::' ? hostname() : o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `https://${shownHost}:${port}`;
  writeServerRecord(o.data, { stateUrl, url, pid: process.pid });
  const how = `npx palisade admin app create --data ${o.data} --name my-app --permissions Machine.Read.All,AdvancedQuery.Read.All --json`;
  process.stdout.write(
    `Palisade ${firstStart ? 'started for the first time' : 'started'}: ${url}  tenant ${tenant.id}  (trust ${tls.caPath}). Create an app: ${how}\n`,
  );
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await events.close();
      await state.close();
    })());
  return { url, tenantId: tenant.id, stop };
}
