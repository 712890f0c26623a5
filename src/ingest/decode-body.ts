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

/** Decompresses (when `gzip`) and checks the size of a body; returns its text. */
export async function decodeBody(body: Buffer, gzip: boolean, limits: BodyLimits): Promise<string> {
  let raw: Buffer;
  if (gzip) {
    if (body.length > limits.maxBytes) throw new PalisadeError('PayloadTooLarge', `Compressed body exceeds ${limits.maxBytes} bytes`);
    try {
      raw = await gunzipAsync(body, { maxOutputLength: limits.maxBytes });
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
