/**
 * The first ingest step: turns the request body (gzip or plain NDJSON) into text lines, enforcing the
 * size limit on the decompressed bytes. Whole-body failures throw PalisadeError: a malformed gzip
 * stream is BadRequest, a body over the limit is PayloadTooLarge, too many lines is
 * MaximumBatchSizeExceeded.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { PalisadeError } from '../domain/errors.ts';

const gunzipAsync = promisify(gunzip);

/** One non-blank line of the body with its 1-based line number. */
export interface BodyLine {
  line: number;
  text: string;
}

/** Limits of one body. */
export interface BodyLimits {
  /** Largest decompressed body in bytes. */
  maxBytes: number;
  /** Most lines (events) in one batch. */
  maxLines: number;
}

const MIN_CHUNK = 64 * 1024;

/**
 * Output buffer size for one gunzip: the size the gzip trailer announces (ISIZE, the last four bytes),
 * within [64 KiB, maxBytes]. zlib's async API inflates one output buffer per thread-pool task and
 * comes back to the event loop between buffers; with its 16 KiB default a 2 MB batch needs over a
 * hundred event-loop turns, so on a busy server decompression stalled behind every other callback.
 * One right-sized buffer makes it a single task.
 */
function outputChunkSize(body: Buffer, maxBytes: number): number {
  const announced = body.length >= 18 ? body.readUInt32LE(body.length - 4) : 0;
  return Math.min(Math.max(announced + 1, MIN_CHUNK), Math.max(MIN_CHUNK, maxBytes));
}

/** Decompresses (when `gzip`) and checks the size of a body; returns its text. */
export async function decodeBody(body: Buffer, gzip: boolean, limits: BodyLimits): Promise<string> {
  let raw: Buffer;
  if (gzip) {
    if (body.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Compressed body exceeds ${limits.maxBytes} bytes`);
    try {
      raw = await gunzipAsync(body, { maxOutputLength: limits.maxBytes, chunkSize: outputChunkSize(body, limits.maxBytes) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new PalisadeError('PayloadTooLarge', `Decompressed body exceeds ${limits.maxBytes} bytes`);
      }
      throw new PalisadeError('BadRequest', 'Body is not a valid gzip stream', { cause: e });
    }
  } else {
    raw = body;
  }
  if (raw.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Body exceeds ${limits.maxBytes} bytes`);
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** Splits NDJSON text into its non-blank lines, numbered from 1 as they appear (blank lines count). */
export function splitLines(text: string, maxLines: number): BodyLine[] {
  const out: BodyLine[] = [];
  let start = 0;
  let n = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n += 1;
    let s = text.slice(start, end);
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim() !== '') {
      if (out.length >= maxLines) throw new PalisadeError('MaximumBatchSizeExceeded', `A batch may hold at most ${maxLines} events`);
      out.push({ line: n, text: s });
    }
    start = end + 1;
  }
  return out;
}
