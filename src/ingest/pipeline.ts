/**
 * The ingest pipeline for sensor event batches (DESIGN.md §1, §8), as named steps:
 * decode (gunzip, size limit) → parse (NDJSON line) → validate (table, columns, types, Timestamp) →
 * stamp (tenant, DeviceId, DeviceName from the credential) → enrich (hashes, IP types) →
 * age (drop events older than retention) → write (EventStore.appendBatch, idempotent by batch id).
 * Each line step returns ok, drop or dead-letter; bad lines are reported with their 1-based line
 * number and the rest of the batch is stored. Only whole-body problems (PalisadeError) and store
 * failures (retryable) throw. Every step is timed.
 */
import { PalisadeError, type ErrorCode } from '../domain/errors.ts';
import type { EventBatch, EventStore } from '../domain/ports.ts';
import { dateToMicros } from '../schema/datetime.ts';
import { processBody, type ProcessOptions } from './process-body.ts';
import type { DeviceIdentity } from './stamp.ts';
import type { StepName } from './step.ts';
import { defaultWorkerCount, sharedWorkerPool } from './worker-pool.ts';

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
  /**
   * Worker threads that decode, parse, validate and encode large bodies (the process-wide pool, see
   * worker-pool.ts), when the event store takes column-wise batches (appendEncoded). Default: one
   * per core beyond the first, at most 4; 0 runs every step on the event loop.
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
}

const BATCH_ID = /^[A-Za-z0-9._:@{}-]{1,128}$/;
const MAX_DEAD_LETTER_TEXT = 4096;
/** Bodies smaller than this (decompressed) are not worth a trip to a worker thread. */
const MIN_WORKER_BYTES = 64 * 1024;

function decodedSize(req: IngestRequest): number {
  return req.gzip && req.body.length >= 18 ? req.body.readUInt32LE(req.body.length - 4) : req.body.length;
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
    workers = defaultWorkerCount(),
  } = opts;
  const pool = workers > 0 && typeof eventStore.appendEncoded === 'function' ? sharedWorkerPool(workers) : null;
  // Workers boot now (a few hundred milliseconds each, loading the sources), not under the first batches.
  pool?.start();

  return {
    async ingest(req) {
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
      };
      const identity = { tenantId: req.tenantId, deviceId: req.deviceId, batchId: req.batchId, rbacGroupId: req.rbacGroupId };
      let lines: number;
      let accepted: number;
      let failures: { line: number; step: StepName; kind: 'drop' | 'dead-letter'; reason: string; text: string }[];
      let stepMs: Record<StepName, number>;
      let stored: { duplicate: boolean };
      if (pool && decodedSize(req) >= MIN_WORKER_BYTES) {
        const reply = await pool.run({ body: req.body, gzip: req.gzip, options });
        if (!reply.ok) throw reply.code ? new PalisadeError(reply.code as ErrorCode, reply.message) : new Error(`ingest worker failed: ${reply.message}`);
        ({ lines, accepted, failures, stepMs } = reply);
        const t = performance.now();
        stored = await eventStore.appendEncoded!({ ...identity, tables: reply.tables });
        stepMs.write += performance.now() - t;
      } else {
        const p = await processBody(req.body, req.gzip, options);
        ({ lines } = p);
        stepMs = p.stepMs;
        accepted = p.valid.length;
        failures = p.failures.map((f) => ({ line: f.line.line, step: f.step, kind: f.kind, reason: f.reason, text: f.line.text }));
        const batch: EventBatch = { ...identity, rows: p.valid.map((v) => ({ table: v.table.name, row: v.row })) };
        const t = performance.now();
        stored = await eventStore.appendBatch(batch);
        stepMs.write += performance.now() - t;
      }

      const rejected: IngestResult['rejected'] = [];
      let dropped = 0;
      let deadLettered = 0;
      for (const f of failures) {
        rejected.push({ line: f.line, reason: f.reason });
        if (f.kind === 'drop') {
          dropped += 1;
        } else {
          deadLettered += 1;
          onDeadLetter?.({
            tenantId: req.tenantId,
            deviceId: req.deviceId,
            batchId: req.batchId,
            line: f.line,
            step: f.step,
            reason: f.reason,
            text: f.text.length > MAX_DEAD_LETTER_TEXT ? f.text.slice(0, MAX_DEAD_LETTER_TEXT) : f.text,
          });
        }
      }
      const result: IngestResult = { batchId: req.batchId, accepted, rejected, duplicate: stored.duplicate };
      onMetrics?.({ batchId: req.batchId, lines, accepted, dropped, deadLettered, duplicate: stored.duplicate, stepMs });
      return result;
    },
  };
}
