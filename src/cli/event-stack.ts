/**
 * The event side of a server: the DuckDB event store, the committed-batch feed over it (published
 * from the store's commit listener, cursors under the data directory), the ingest pipeline bound to
 * it, hunting (KQL compiler + store), and the hourly retention timer.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Logger } from 'pino';
import type { IngestBatch } from '../api/routes/sensor/routes.ts';
import type { EventWriter, Queue } from '../domain/ports.ts';
import { createEventWriter } from '../ingest/event-writer.ts';
import { createFileCursorStore, createMemoryCursorStore } from '../queue/memory/cursor-store.ts';
import { openMemoryQueue } from '../queue/memory/memory-queue.ts';
import { commitFaultHook, startTestConsumers } from './feed-test-hooks.ts';
import { createIngestPipeline } from '../ingest/pipeline.ts';
import { compileKqlDiscovering, preloadKql } from '../kql/index.ts';
import { formatResult } from '../kql/result-format.ts';
import { createExternalDataFetcher } from '../services/external-data.ts';
import { createMemoryCounters } from '../store/counters/memory-counters.ts';
import { openGeoIpDatabase } from '../store/geoip/maxmind-database.ts';
import { DEFAULT_HUNTING_LIMITS, HuntingService, type HuntingLimits } from '../services/hunting.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../store/events/duckdb/event-store.ts';

/** What serve wires into the app. */
export interface EventStack {
  store: DuckDbEventStore;
  ingest: IngestBatch;
  /** Rows the server writes itself (heartbeat device state), through the pipeline's write path. */
  eventWriter: EventWriter;
  /** The committed-batch feed: every batch the store commits is published here. */
  feed: Queue;
  hunting: HuntingService;
  /** Resolves once the event store answers a trivial query (readiness). */
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

/** Opens the embedded event stack on the DuckDB file at `path` (':memory:' for tests). */
export async function openEventStack(path: string, opts: {
  retentionDays: number;
  checkpointMib?: number;
  /** DuckDB's threads (default: one per core) and memory limit (default: 40% of the machine's memory). */
  duckdb?: { threads?: number; memoryLimit?: string };
  /** Directory of the feed's consumer cursors; in memory when absent (tests). */
  feedDir?: string;
  /** Bytes of committed batches the feed holds in memory for lagging consumers (see queue/memory). */
  feedBacklogMib?: number;
  log?: Logger;
  hunting?: Partial<HuntingLimits>;
  geoIpDb?: string;
}): Promise<EventStack> {
  const geoIp = opts.geoIpDb ? await openGeoIpDatabase(opts.geoIpDb) : null;
  const checkpointBytes = opts.checkpointMib === undefined ? undefined : opts.checkpointMib * 1024 * 1024;
  const limits = { ...DEFAULT_HUNTING_LIMITS, ...opts.hunting, geoIp: geoIp !== null };
  const store = await openDuckDbEventStore({
    path, retentionDays: opts.retentionDays, checkpointBytes, engine: { geoIp },
    // bounded, so that a query's working set fails the query, not the machine; and one read
    // connection per hunting query that may run at once, so hunting never waits inside the store
    threads: opts.duckdb?.threads ?? availableParallelism(),
    memoryLimit: opts.duckdb?.memoryLimit ?? `${Math.max(256, Math.floor((totalmem() * 0.4) / 1024 / 1024))}MB`,
    readConnections: limits.concurrency.total,
  });
  const feed = await openMemoryQueue({
    log: store,
    cursors: opts.feedDir ? createFileCursorStore(opts.feedDir) : createMemoryCursorStore(),
    backlogBytes: opts.feedBacklogMib === undefined ? undefined : opts.feedBacklogMib * 1024 * 1024,
  });
  const fault = commitFaultHook();
  store.onCommit((batches) => {
    fault?.();
    for (const b of batches) feed.publish(b);
  });
  await startTestConsumers(feed);
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
  const hunting = new HuntingService({ compile: compileKqlDiscovering, events: store, format: formatResult, counters: createMemoryCounters(), limits, fetchExternalData: limits.allowExternalData ? createExternalDataFetcher() : undefined });
  return {
    store,
    ingest: (req) => pipeline.ingest(req),
    eventWriter: createEventWriter({
      eventStore: store,
      onRejected: (w, rejected) => opts.log?.warn({ deviceId: w.deviceId, batchId: w.batchId, rejected }, 'server-written event rows rejected'),
    }),
    feed,
    hunting,
    ping: async () => {
      await store.query({ sql: 'select 1 as ok', params: [], columns: [{ name: 'ok', type: 'long' }] }, { timeoutMs: 5_000, maxRows: 1 });
    },
    close: async () => {
      stopRetention();
      await feed.close();
      await store.close();
    },
  };
}
