/**
 * The ingest pipeline for sensor event batches (DESIGN.md §1, §8), as named steps:
 * decode (gunzip, size limit) → the line steps of process-body.ts (parse, validate, stamp, enrich,
 * age, match against the tenant's indicators) over a step context → write: the valid lines, encoded column by column (one batch shape,
 * whether a worker thread or the event loop ran the steps), go to EventStore.appendEncoded —
 * idempotent by batch id — which commits them and then announces them to the committed-batch feed.
 * The alerts of the batch's indicator matches are drafted here and committed with its rows, so the
 * feed's consumer raises each of them even across a crash (detect/indicator-alerts.ts).
 * Each line step returns ok, drop or dead-letter; bad lines are reported with their 1-based line
 * number and the rest of the batch is stored. Only whole-body problems (PalisadeError) and store
 * failures (retryable) throw. Every step is timed.
 */
import { draftOf } from '../detect/indicator-alerts.ts';
import type { RowMatch } from '../detect/indicator-matcher.ts';
import type { IndicatorSnapshot } from '../detect/indicator-snapshot.ts';
import type { AlertDraft } from '../domain/alert.ts';
import { PalisadeError, type ErrorCode } from '../domain/errors.ts';
import { MAX_ALERTS_PER_BATCH, type BatchIdentity, type EventStore } from '../domain/ports.ts';
import { dateToMicros } from '../schema/datetime.ts';
import { processBody, type ProcessedBatch, type ProcessOptions } from './process-body.ts';
import type { DeviceIdentity } from './stamp.ts';
import type { StepName } from './step.ts';
import { defaultWorkerCount, leaseSharedWorkerPool } from './worker-pool.ts';

/** One event batch as the sensor gateway received it. */
export interface IngestRequest extends DeviceIdentity {
  /** The sensor's id for this batch; a retry with the same id is stored once. */
  batchId: string;
  /** The request body: NDJSON, one `{"table": "...", "row": {...}}` per line. */
  body: Buffer;
  /** Whether the body is gzip-compressed. */
  gzip: boolean;
}

/** What happened to a batch. */
export interface IngestResult {
  batchId: string;
  /** Lines that passed every step; when `duplicate`, an earlier delivery of this batch stored them. */
  accepted: number;
  /** Lines not stored, with their 1-based line number and why (dead-lettered or dropped). */
  rejected: { line: number; reason: string }[];
  /** True when this batch id was already stored for this device: nothing was written now. */
  duplicate: boolean;
}

/** A line that did not make it, handed to the dead-letter sink. */
export interface DeadLetter {
  tenantId: string;
  deviceId: string;
  batchId: string;
  line: number;
  step: StepName;
  reason: string;
  /** The line as received (truncated to 4 KiB). */
  text: string;
}

/** Per-batch measurements: line counts and milliseconds spent in each step. */
export interface IngestMetrics {
  batchId: string;
  lines: number;
  accepted: number;
  dropped: number;
  deadLettered: number;
  duplicate: boolean;
  /** Alerts drafted from the batch's indicator matches, and those beyond MAX_ALERTS_PER_BATCH left out. */
  alerts: number;
  alertsDropped: number;
  stepMs: Record<StepName, number>;
}

/** Options of the pipeline. */
export interface IngestPipelineOptions {
  eventStore: EventStore;
  /** Server clock. */
  now?: () => Date;
  /** Events older than this many days are dropped. Default: the store's `retentionDays` when it has one, else 30. */
  retentionDays?: number;
  /** Largest decompressed body. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most lines per batch. Default 100,000. */
  maxLines?: number;
  /** Receives every dead-lettered line (e.g. to log or keep it for inspection). */
  onDeadLetter?: (d: DeadLetter) => void;
  /** Receives the metrics of every batch that completed. */
  onMetrics?: (m: IngestMetrics) => void;
  /** The tenant's active indicators for the match step (null or absent: none to match). */
  indicators?: (tenantId: string) => Promise<IndicatorSnapshot | null>;
  /**
   * Worker threads that decode, parse, validate and encode large bodies (the process-wide pool, see
   * worker-pool.ts). Default: one per core beyond the first, at most 4; 0 runs every step on the
   * event loop.
   */
  workers?: number;
}

/** The ingest pipeline. */
export interface IngestPipeline {
  /**
   * Validates, stamps, enriches and stores one batch. Throws PalisadeError for a malformed gzip
   * (BadRequest), a body over the limit (PayloadTooLarge), too many lines (MaximumBatchSizeExceeded)
   * or a malformed request (BadRequest); store errors propagate (the sensor retries the batch id).
   */
  ingest(req: IngestRequest): Promise<IngestResult>;
  /** Lets go of the ingest worker threads (the last pipeline of the process to close stops them); ingest fails afterwards. */
  close(): Promise<void>;
}

const BATCH_ID = /^[A-Za-z0-9._:@{}-]{1,128}$/;
/** Bodies smaller than this (decompressed) are not worth a trip to a worker thread. */
const MIN_WORKER_BYTES = 64 * 1024;

function decodedSize(req: IngestRequest): number {
  return req.gzip && req.body.length >= 18 ? req.body.readUInt32LE(req.body.length - 4) : req.body.length;
}

/** The alerts of a batch's indicator matches, one per (row, indicator), at most MAX_ALERTS_PER_BATCH. */
function alertDrafts(batch: BatchIdentity, matches: readonly RowMatch[]): { alerts: AlertDraft[]; alertsDropped: number } {
  const alerts: AlertDraft[] = [];
  let alertsDropped = 0;
  for (const m of matches) {
    for (const hit of m.hits) {
      if (alerts.length < MAX_ALERTS_PER_BATCH) alerts.push(draftOf(batch, m, hit));
      else alertsDropped += 1;
    }
  }
  return { alerts, alertsDropped };
}

/** Creates the pipeline over an event store. */
export function createIngestPipeline(opts: IngestPipelineOptions): IngestPipeline {
  const {
    eventStore,
    now = () => new Date(),
    retentionDays = (opts.eventStore as { retentionDays?: number }).retentionDays ?? 30,
    maxBodyBytes = 16 * 1024 * 1024,
    maxLines = 100_000,
    onDeadLetter,
    onMetrics,
    indicators,
    workers = defaultWorkerCount(),
  } = opts;
  const lease = workers > 0 ? leaseSharedWorkerPool(workers) : null;
  const pool = lease?.pool ?? null;
  let closed = false;
  // Workers boot now (a few hundred milliseconds each, loading the sources), not under the first batches.
  pool?.start();

  /** decode and the line steps, on a worker for a large body, else on the event loop. */
  async function process(req: IngestRequest, options: ProcessOptions): Promise<ProcessedBatch> {
    if (!pool || decodedSize(req) < MIN_WORKER_BYTES) return processBody(req.body, req.gzip, options);
    const reply = await pool.run({ body: req.body, gzip: req.gzip, options });
    if (!reply.ok) throw reply.code ? new PalisadeError(reply.code as ErrorCode, reply.message) : new Error(`ingest worker failed: ${reply.message}`);
    return reply;
  }

  return {
    async close() {
      closed = true;
      await lease?.release();
    },
    async ingest(req) {
      if (closed) throw new PalisadeError('ServiceUnavailable', 'The ingest pipeline is closed');
      if (!req.tenantId || !req.deviceId) throw new PalisadeError('BadRequest', 'Missing tenant or device identity');
      if (typeof req.batchId !== 'string' || !BATCH_ID.test(req.batchId)) {
        throw new PalisadeError('BadRequest', 'Batch id must be 1-128 characters of letters, digits and . _ : @ { } -');
      }
      const options: ProcessOptions = {
        identity: { tenantId: req.tenantId, deviceId: req.deviceId, deviceName: req.deviceName, rbacGroupId: req.rbacGroupId },
        nowMicros: dateToMicros(now()),
        retentionDays,
        maxBytes: maxBodyBytes,
        maxLines,
        indicators: indicators ? await indicators(req.tenantId) : null,
      };
      const batch = await process(req, options);
      const t = performance.now();
      const identity: BatchIdentity = { tenantId: req.tenantId, deviceId: req.deviceId, batchId: req.batchId, rbacGroupId: req.rbacGroupId };
      const { alerts, alertsDropped } = alertDrafts(identity, batch.matches);
      const stored = await eventStore.appendEncoded({ ...identity, tables: batch.tables, ...(alerts.length ? { alerts } : {}) });
      batch.stepMs.write += performance.now() - t;

      let dropped = 0;
      for (const f of batch.failures) {
        if (f.kind === 'drop') dropped += 1;
        else onDeadLetter?.({ tenantId: req.tenantId, deviceId: req.deviceId, batchId: req.batchId, line: f.line, step: f.step, reason: f.reason, text: f.text });
      }
      const rejected = batch.failures.map((f) => ({ line: f.line, reason: f.reason }));
      onMetrics?.({
        batchId: req.batchId, lines: batch.lines, accepted: batch.accepted, dropped, deadLettered: batch.failures.length - dropped, duplicate: stored.duplicate,
        alerts: alerts.length, alertsDropped, stepMs: batch.stepMs,
      });
      return { batchId: req.batchId, accepted: batch.accepted, rejected, duplicate: stored.duplicate };
    },
  };
}
