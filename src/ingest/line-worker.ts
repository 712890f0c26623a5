/**
 * An ingest worker thread: runs the line steps (process-body.ts) over a request body and encodes the
 * valid lines column by column (encode-table.ts), so that the event loop only moves the result into
 * the event store. Messages: {@link WorkerJob} in, {@link WorkerReply} out; typed arrays are moved.
 */
import { parentPort } from 'node:worker_threads';
import { PalisadeError } from '../domain/errors.ts';
import type { EncodedTable } from '../domain/ports.ts';
import { encodeLines, transferables } from './encode-table.ts';
import { processBodySync, type ProcessOptions } from './process-body.ts';
import type { StepName } from './step.ts';

/** One body to process. */
export interface WorkerJob {
  id: number;
  body: Uint8Array;
  gzip: boolean;
  options: ProcessOptions;
}

/** A failed line as the worker reports it. */
export interface WorkerFailure {
  line: number;
  step: StepName;
  kind: 'drop' | 'dead-letter';
  reason: string;
  /** The line as received, cut to `maxText` characters. */
  text: string;
}

/** The worker's answer to a job. */
export type WorkerReply =
  | { id: number; ok: true; lines: number; accepted: number; failures: WorkerFailure[]; stepMs: Record<StepName, number>; tables: EncodedTable[] }
  | { id: number; ok: false; code: string | null; message: string };

/** Longest dead-letter text sent back. */
export const MAX_FAILURE_TEXT = 4096;

/** Handles one job (exported for tests; the thread calls it for every message). */
export function handleJob(job: WorkerJob): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const p = processBodySync(body, job.gzip, job.options);
    const t = performance.now();
    const tables = encodeLines(p.valid);
    // Encoding is the tail of the write step: the rest of it happens in the event store.
    p.stepMs.write += performance.now() - t;
    const failures = p.failures.map((f) => ({
      line: f.line.line,
      step: f.step,
      kind: f.kind,
      reason: f.reason,
      text: f.line.text.length > MAX_FAILURE_TEXT ? f.line.text.slice(0, MAX_FAILURE_TEXT) : f.line.text,
    }));
    return { reply: { id: job.id, ok: true, lines: p.lines, accepted: p.valid.length, failures, stepMs: p.stepMs, tables }, transfer: transferables(tables) };
  } catch (e) {
    const code = e instanceof PalisadeError ? e.code : null;
    return { reply: { id: job.id, ok: false, code, message: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: WorkerJob) => {
    const { reply, transfer } = handleJob(job);
    port.postMessage(reply, transfer);
  });
}
