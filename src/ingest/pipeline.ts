/**
 * The ingest pipeline for sensor event batches (DESIGN.md §1, §8), as named steps:
 * decode (gunzip, size limit) → parse (NDJSON line) → validate (table, columns, types, Timestamp) →
 * stamp (tenant, DeviceId, DeviceName from the credential) → enrich (hashes, IP types) →
 * age (drop events older than retention) → write (EventStore.appendBatch, idempotent by batch id).
 * Each line step returns ok, drop or dead-letter; bad lines are reported with their 1-based line
 * number and the rest of the batch is stored. Only whole-body problems (PalisadeError) and store
 * failures (retryable) throw. Every step is timed.
 */
import { PalisadeError } from '../domain/errors.ts';
import type { EventBatch, EventRow, EventStore } from '../domain/ports.ts';
import { dateToMicros } from '../schema/datetime.ts';
import { decodeBody, splitLines, type BodyLine } from './decode-body.ts';
import { enrichLine } from './enrich.ts';
import { stampLine } from './stamp.ts';
import type { DeviceIdentity } from './stamp.ts';
import { STEP_NAMES, drop, ok } from './step.ts';
import type { StepName, StepResult } from './step.ts';
import { parseLine, validateLine } from './validate-line.ts';
import type { RawLine, ValidLine } from './validate-line.ts';

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

function zeroTimings(): Record<StepName, number> {
  return Object.fromEntries(STEP_NAMES.map((s) => [s, 0])) as Record<StepName, number>;
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
  } = opts;
  const retentionMicros = BigInt(retentionDays) * 86_400_000_000n;

  function checkAge(line: ValidLine, nowMicros: bigint): StepResult<ValidLine> {
    if (nowMicros - line.ts > retentionMicros) return drop(`Timestamp is older than the ${retentionDays}-day retention`);
    return ok(line);
  }

  return {
    async ingest(req) {
      if (!req.tenantId || !req.deviceId) throw new PalisadeError('BadRequest', 'Missing tenant or device identity');
      if (typeof req.batchId !== 'string' || !BATCH_ID.test(req.batchId)) {
        throw new PalisadeError('BadRequest', 'Batch id must be 1-128 characters of letters, digits and . _ : @ { } -');
      }
      const stepMs = zeroTimings();
      const rejected: IngestResult['rejected'] = [];
      let dropped = 0;
      let deadLettered = 0;
      const clock = now();
      const nowMicros = dateToMicros(clock);

      const t = performance.now();
      const raw = await decodeBody(req.body, req.gzip, { maxBytes: maxBodyBytes, maxLines });
      const lines = splitLines(raw, maxLines);
      stepMs.decode += performance.now() - t;

      // Each step runs over every line still in play and is timed once per batch (timing each line
      // costs more than some of the steps). Failures are reported in line order.
      const failures: { line: BodyLine; step: StepName; result: StepResult<never> }[] = [];
      let live: BodyLine[] = [];
      let values: unknown[] = [];
      const pass = <I, O>(step: StepName, run: (v: I) => StepResult<O>) => {
        const started = performance.now();
        const nextLive: BodyLine[] = [];
        const nextValues: O[] = [];
        for (let i = 0; i < values.length; i++) {
          const r = run(values[i] as I);
          if (r.kind === 'ok') {
            nextLive.push(live[i]);
            nextValues.push(r.value);
          } else {
            failures.push({ line: live[i], step, result: r });
          }
        }
        live = nextLive;
        values = nextValues;
        stepMs[step] += performance.now() - started;
      };
      live = lines;
      values = lines.map((l) => l.text);
      pass<string, RawLine>('parse', parseLine);
      pass<RawLine, ValidLine>('validate', (raw) => validateLine(raw, nowMicros));
      pass<ValidLine, ValidLine>('stamp', (v) => stampLine(v, req));
      pass<ValidLine, ValidLine>('enrich', enrichLine);
      pass<ValidLine, ValidLine>('age', (v) => checkAge(v, nowMicros));
      const rows: { table: string; row: EventRow }[] = (values as ValidLine[]).map((v) => ({ table: v.table.name, row: v.row }));

      failures.sort((a, b) => a.line.line - b.line.line);
      for (const { line: l, step, result } of failures) {
        if (result.kind === 'ok') continue;
        rejected.push({ line: l.line, reason: result.reason });
        if (result.kind === 'drop') {
          dropped += 1;
        } else {
          deadLettered += 1;
          onDeadLetter?.({
            tenantId: req.tenantId,
            deviceId: req.deviceId,
            batchId: req.batchId,
            line: l.line,
            step,
            reason: result.reason,
            text: l.text.length > MAX_DEAD_LETTER_TEXT ? l.text.slice(0, MAX_DEAD_LETTER_TEXT) : l.text,
          });
        }
      }

      const batch: EventBatch = { tenantId: req.tenantId, deviceId: req.deviceId, batchId: req.batchId, rbacGroupId: req.rbacGroupId, rows };
      const writeStarted = performance.now();
      const stored = await eventStore.appendBatch(batch);
      stepMs.write += performance.now() - writeStarted;

      const result: IngestResult = { batchId: req.batchId, accepted: rows.length, rejected, duplicate: stored.duplicate };
      onMetrics?.({ batchId: req.batchId, lines: lines.length, accepted: rows.length, dropped, deadLettered, duplicate: stored.duplicate, stepMs });
      return result;
    },
  };
}
