/** A small wrapper around autocannon for HTTPS loads on 127.0.0.1. */
import autocannon from 'autocannon';

/** Figures of one load run. */
export interface LoadResult {
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Runs `connections` concurrent keep-alive connections against `url` for `seconds`. */
export async function load(url: string, opts: { headers?: Record<string, string>; seconds: number; connections: number; ca?: string }): Promise<LoadResult> {
  const r = await autocannon({
    url,
    headers: opts.headers,
    duration: opts.seconds,
    connections: opts.connections,
    pipelining: 1,
    tlsOptions: opts.ca ? { ca: opts.ca } : undefined,
  } as autocannon.Options);
  return {
    requestsPerSec: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    total: r.requests.total,
  };
}
