/**
 * The event side of a server: the DuckDB event store, the ingest pipeline bound to it, hunting
 * (KQL compiler + store), and the hourly retention timer.
 */
import type { Logger } from 'pino';
import type { IngestBatch } from '../api/routes/sensor/routes.ts';
import { createIngestPipeline } from '../ingest/pipeline.ts';
import { compileKqlDiscovering, preloadKql } from '../kql/index.ts';
import { formatResult } from '../kql/result-format.ts';
import { createExternalDataFetcher } from '../services/external-data.ts';
import { openGeoIpDatabase } from '../store/geoip/maxmind-database.ts';
import { DEFAULT_HUNTING_LIMITS, HuntingService, type HuntingLimits } from '../services/hunting.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../store/events/duckdb/event-store.ts';

/** What serve wires into the app. */
export interface EventStack {
  store: DuckDbEventStore;
  ingest: IngestBatch;
  hunting: HuntingService;
  close: () => Promise<void>;
}

/** Opens the embedded event stack on the DuckDB file at `path` (':memory:' for tests). */
export async function openEventStack(path: string, opts: { retentionDays: number; checkpointMib?: number; log?: Logger; hunting?: Partial<HuntingLimits>; geoIpDb?: string }): Promise<EventStack> {
  const geoIp = opts.geoIpDb ? await openGeoIpDatabase(opts.geoIpDb) : null;
  const checkpointBytes = opts.checkpointMib === undefined ? undefined : opts.checkpointMib * 1024 * 1024;
  const store = await openDuckDbEventStore({ path, retentionDays: opts.retentionDays, checkpointBytes, engine: { geoIp } });
  // Load Microsoft's KQL parser now, so the first hunting query is not the slow one.
  preloadKql();
  const pipeline = createIngestPipeline({
    eventStore: store,
    onDeadLetter: (d) => opts.log?.debug({ deviceId: d.deviceId, batchId: d.batchId, line: d.line, step: d.step, reason: d.reason }, 'event line rejected'),
  });
  const stopRetention = store.startRetentionTimer({
    onRun: (n) => n && opts.log?.info({ deleted: n }, 'retention removed old events'),
    onError: (e) => opts.log?.error({ err: e }, 'retention failed'),
  });
  const limits = { ...DEFAULT_HUNTING_LIMITS, ...opts.hunting, geoIp: geoIp !== null };
  const hunting = new HuntingService(compileKqlDiscovering, store, formatResult, limits, undefined, limits.allowExternalData ? createExternalDataFetcher() : undefined);
  return {
    store,
    ingest: (req) => pipeline.ingest(req),
    hunting,
    close: async () => {
      stopRetention();
      await store.close();
    },
  };
}
