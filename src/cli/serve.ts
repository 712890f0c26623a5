/**
 * `palisade serve`: the platform in one process on its embedded defaults (SQLite state, DuckDB
 * events, HTTPS with a private CA), or PostgreSQL state with `--state postgres://…`; every role
 * unless `--roles` picks some (the wiring is src/compose.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseSyslogTarget } from '../stream/syslog/transport.ts';
import pino from 'pino';
import { ensureTlsMaterial, loadTlsFiles } from '../api/tls/certificates.ts';
import { compose, type Role } from '../compose.ts';
import { systemCtx } from '../domain/context.ts';
import { ensureDataDir, stateUrlFor, writeServerRecord } from './data-dir.ts';

export interface ServeOptions {
  data: string;
  host: string;
  port: number;
  state?: string;
  /** The key file sealing the state store's secrets (default: `files/keys/state-secrets.key` in the data directory). */
  secretsKey?: string;
  /** The roles this process plays (all when absent). */
  roles?: Role[];
  tlsCert?: string;
  tlsKey?: string;
  retentionDays: number;
  /** WAL size in MiB after which the event store checkpoints (see store/events/duckdb/event-store.ts). */
  checkpointMib?: number;
  /** DuckDB's threads and memory limit (see compose.ts for the defaults). */
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
  /** Forward new and updated alerts as CEF over syslog: udp://, tcp:// or tls://host:port (stream/syslog/). */
  syslog?: string;
  /** PEM CA file a tls:// syslog server's certificate must chain to (default: the system's CAs). */
  syslogCa?: string;
  /** How long a machine action waits for its device before it times out (default 72 h). */
  actionExpiryHours?: number;
}

/** Starts the server; resolves with a stop function once it listens. */
export async function serve(o: ServeOptions): Promise<{ url: string; tenantId: string; stop: () => Promise<void> }> {
  const paths = ensureDataDir(o.data);
  const log = pino({ level: o.logLevel });
  const stateUrl = stateUrlFor(o.data, o.state);
  const tls = o.tlsCert && o.tlsKey ? loadTlsFiles(o.tlsCert, o.tlsKey) : await ensureTlsMaterial(paths.root, [o.host, hostname()]);
  const palisade = await compose({
    roles: o.roles,
    state: stateUrl,
    events: {
      path: paths.events, retentionDays: o.retentionDays, checkpointMib: o.checkpointMib, duckdb: { threads: o.duckdbThreads, memoryLimit: o.duckdbMemory },
      feedDir: paths.feed, feedBacklogMib: o.feedBacklogMib,
      hunting: { allowExternalData: !!o.allowExternalData }, geoIpDb: o.geoipDb,
    },
    files: paths.files,
    secretsKey: o.secretsKey ? resolve(o.secretsKey) : undefined,
    actions: { expiryHours: o.actionExpiryHours },
    log,
    syslog: o.syslog ? parseSyslogTarget(o.syslog, o.syslogCa ? readFileSync(o.syslogCa, 'utf8') : undefined) : undefined,
    http: { https: { cert: tls.cert, key: tls.key }, throttle: o.throttle, processMetrics: true },
  });
  const { app, tenants } = palisade;
  let tenant = (await tenants.listTenants())[0];
  const firstStart = !tenant;
  if (!tenant) tenant = await tenants.createTenant(systemCtx(randomUUID()), 'Default');
  const address = await app.listen({ host: o.host, port: o.port });
  const port = Number(new URL(address).port) || o.port;
  const shownHost = o.host === '0.0.0.0' || o.host === '::' ? hostname() : o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `https://${shownHost}:${port}`;
  writeServerRecord(o.data, { stateUrl, url, pid: process.pid, ...(o.secretsKey ? { secretsKey: resolve(o.secretsKey) } : {}) });
  const how = `npx palisade admin app create --data ${o.data} --name my-app --permissions Machine.Read.All,AdvancedQuery.Read.All --json`;
  process.stdout.write(
    `Palisade ${firstStart ? 'started for the first time' : 'started'}: ${url}  tenant ${tenant.id}  roles ${[...palisade.roles].join(',')}  (trust ${tls.caPath}). Create an app: ${how}\n`,
  );
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await palisade.close();
    })());
  return { url, tenantId: tenant.id, stop };
}
