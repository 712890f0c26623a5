/**
 * The first ingest step: turns the request body (gzip or plain NDJSON) into text lines, enforcing the
 * size limit on the decompressed bytes. Whole-body failures throw PalisadeError: a malformed gzip
 * stream is BadRequest, a body over the limit is PayloadTooLarge, too many lines is
 * MaximumBatchSizeExceeded.
 */
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
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

/**
 * Decompresses (when `gzip`) and checks the size of a body; returns its bytes (a UTF-8 byte order
 * mark removed). Lines are decoded one by one (splitLines): a line of plain ASCII then becomes a
 * one-byte string, which JSON.parse reads faster than a slice of a body that holds any non-ASCII
 * character (V8 keeps such a body, and every slice of it, two bytes per character).
 */
export async function decodeBody(body: Buffer, gzip: boolean, limits: BodyLimits): Promise<Buffer> {
  return checked(gzip ? await inflate(body, limits, () => gunzipAsync(body, inflateOptions(body, limits))) : body, limits);
}

/** decodeBody on the calling thread (for worker threads, which share the libuv thread pool). */
export function decodeBodySync(body: Buffer, gzip: boolean, limits: BodyLimits): Buffer {
  if (!gzip) return checked(body, limits);
  if (body.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Compressed body exceeds ${limits.maxBytes} bytes`);
  let raw: Buffer;
  try {
    raw = gunzipSync(body, inflateOptions(body, limits));
  } catch (e) {
    throw inflateError(e, limits);
  }
  return checked(raw, limits);
}

function inflateOptions(body: Buffer, limits: BodyLimits) {
  return { maxOutputLength: limits.maxBytes, chunkSize: outputChunkSize(body, limits.maxBytes) };
}

async function inflate(body: Buffer, limits: BodyLimits, run: () => Promise<Buffer>): Promise<Buffer> {
  if (body.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Compressed body exceeds ${limits.maxBytes} bytes`);
  try {
    return await run();
  } catch (e) {
    throw inflateError(e, limits);
  }
}

function inflateError(e: unknown, limits: BodyLimits): PalisadeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
    return new PalisadeError('PayloadTooLarge', `Decompressed body exceeds ${limits.maxBytes} bytes`);
  }
  return new PalisadeError('BadRequest', 'Body is not a valid gzip stream', { cause: e });
}

function checked(raw: Buffer, limits: BodyLimits): Buffer {
  if (raw.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Body exceeds ${limits.maxBytes} bytes`);
  if (raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return raw.subarray(3);
  return raw;
}

const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

/**
 * Splits an NDJSON body into its non-blank lines, decoded as UTF-8 (invalid sequences become U+FFFD)
 * and numbered from 1 as they appear (blank lines count). A trailing CR is removed from each line.
 */
export function splitLines(body: Buffer, maxLines: number): BodyLine[] {
  const out: BodyLine[] = [];
  let start = 0;
  let n = 0;
  const len = body.length;
  while (start <= len) {
    let end = body.indexOf(LF, start);
    if (end < 0) end = len;
    n += 1;
    let stop = end;
    if (stop > start && body[stop - 1] === CR) stop -= 1;
    if (stop > start) {
      // A line that starts with "{" is not blank; anything else is decoded and checked.
      const s = body.toString('utf8', start, stop);
      if (body[start] === OPEN_BRACE || s.trim() !== '') {
        if (out.length >= maxLines) throw new PalisadeError('MaximumBatchSizeExceeded', `A batch may hold at most ${maxLines} events`);
        out.push({ line: n, text: s });
      }
    }
    start = end + 1;
  }
  return out;
}
