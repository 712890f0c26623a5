/**
 * Fetching for KQL's externaldata, when the operator allows it (`palisade serve
 * --allow-external-data`): http and https only, a time limit and a size limit per URL (checked while
 * reading, so an oversized body is not held), gzip bodies unpacked (within the same limit), and
 * every failure reported as a 400 that names the URL. Off by default: a query that can make the
 * server fetch URLs can reach whatever the server's network reaches.
 */
import { gunzipSync } from 'node:zlib';
import { errors, PalisadeError } from '../domain/errors.ts';

/** Limits of the externaldata fetcher. */
export interface ExternalDataLimits {
  /** Largest body per URL, after decompression. Default 64 MiB. */
  maxBytes: number;
  /** Time limit per URL. Default 30 s. */
  timeoutMs: number;
}

export const DEFAULT_EXTERNAL_DATA_LIMITS: ExternalDataLimits = { maxBytes: 64 * 1024 * 1024, timeoutMs: 30_000 };

/** Fetches the text at a URL for externaldata. */
export type ExternalDataFetcher = (url: string) => Promise<string>;

/** Creates a fetcher with the given limits. */
export function createExternalDataFetcher(limits: ExternalDataLimits = DEFAULT_EXTERNAL_DATA_LIMITS): ExternalDataFetcher {
  return async (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw errors.badRequest(`externaldata: '${url}' is not a URL`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw errors.badRequest(`externaldata: only http and https URLs are fetched, not '${u.protocol}'`);
    const fail = (why: string) => errors.badRequest(`externaldata: could not read ${url}: ${why}`);
    let res: Response;
    try {
      res = await fetch(u, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
    } catch (e) {
      throw fail((e as Error).name === 'TimeoutError' ? `no answer within ${limits.timeoutMs} ms` : (e as Error).message);
    }
    if (!res.ok) throw fail(`the server answered ${res.status}`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      const reader = res.body?.getReader();
      for (;;) {
        const r = reader ? await reader.read() : { done: true as const, value: undefined };
        if (r.done) break;
        size += r.value.byteLength;
        if (size > limits.maxBytes) {
          await reader!.cancel();
          throw fail(`larger than ${limits.maxBytes} bytes`);
        }
        chunks.push(r.value);
      }
    } catch (e) {
      if (e instanceof PalisadeError) throw e;
      throw fail((e as Error).message);
    }
    let body = Buffer.concat(chunks);
    if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
      try {
        body = gunzipSync(body, { maxOutputLength: limits.maxBytes });
      } catch (e) {
        throw fail(`not a valid gzip body or larger than ${limits.maxBytes} bytes unpacked (${(e as Error).message})`);
      }
    }
    return new TextDecoder('utf-8').decode(body);
  };
}
