/**
 * An ingest worker thread: runs decode and the line steps over a request body and encodes the valid
 * lines column by column (process-body.ts), so that the event loop only moves the batch into the
 * event store. Messages: {@link WorkerJob} in, {@link WorkerReply} out; typed arrays are moved.
 */
import { parentPort } from 'node:worker_threads';
import { PalisadeError } from '../domain/errors.ts';
import { transferables } from './encode-table.ts';
import { processBodySync, type ProcessedBatch, type ProcessOptions } from './process-body.ts';

/** One body to process. */
export interface WorkerJob {
  id: number;
  body: Uint8Array;
  gzip: boolean;
  options: ProcessOptions;
}

/** The worker's answer to a job: the processed batch, or why the body was refused. */
export type WorkerReply = ({ id: number; ok: true } & ProcessedBatch) | { id: number; ok: false; code: string | null; message: string };

/** Handles one job (exported for tests; the thread calls it for every message). */
export function handleJob(job: WorkerJob): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const p = processBodySync(body, job.gzip, job.options);
    return { reply: { id: job.id, ok: true, ...p }, transfer: transferables(p.tables) };
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
