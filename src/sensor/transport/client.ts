/**
 * The sensor protocol v1 client (DESIGN.md §6): enrollment, heartbeats and event batches over
 * HTTPS with the tenant's CA, on one keep-alive connection pool; the work long-poll, action progress,
 * result uploads, library downloads and the indicator list. Used by the fleet simulator and the
 * reference sensor.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { OnboardingPackage } from './onboarding-package.ts';
import type {
  DeviceCredentials, EnrollInfo, EnrollResult, EventsResult, Heartbeat, HeartbeatResult, IndicatorListResult, ProgressReport, ProgressResult,
  WireEvent, WorkResult,
} from './protocol.ts';

const gzipAsync = promisify(gzip);

/** TLS verification failures: retrying cannot help, so they are never retried. */
const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A failed protocol call. `status` is the HTTP status (0 when no response came); `code` and
 * `message` come from the server's `{"error":{"code","message"}}` when it sent one.
 */
export class SensorClientError extends Error {
  readonly status: number;
  readonly code: string;
  /** Whether the call may succeed if repeated (network trouble, 5xx, 429). */
  readonly retryable: boolean;
  constructor(message: string, opts: { status: number; code: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SensorClientError';
    this.status = opts.status;
    this.code = opts.code;
    this.retryable = opts.retryable;
  }
}

/** Retry policy for idempotent calls (event batches, heartbeats). */
export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  /** Delay before the first retry; doubles each time, with ±25% jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Options of {@link SensorClient}. */
export interface SensorClientOptions {
  /** Base URL of the server (`https://host:port`). */
  serverUrl: string;
  /** PEM of the CA to trust for the server; required for https. */
  caCertificate?: string;
  /** Credentials of an enrolled device; set automatically by a successful {@link SensorClient.enroll}. */
  credentials?: DeviceCredentials;
  /** Per-request timeout (no response within it → network error). Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Most sockets kept open to the server. Default 4. */
  maxSockets?: number;
  userAgent?: string;
  /** A shared connection pool (e.g. one for a whole simulated fleet); overrides `maxSockets`/`caCertificate` pooling. */
  agent?: http.Agent;
  /** Sleeps between retries; replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/** A client of one Palisade server for one device. Call {@link SensorClient.close} when done. */
export class SensorClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private creds: DeviceCredentials | undefined;

  constructor(opts: SensorClientOptions) {
    this.base = new URL(opts.serverUrl.replace(/\/+$/, '') + '/');
    if (this.base.protocol === 'https:') {
      this.transport = https;
      this.agent = opts.agent ?? new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 4, ca: opts.caCertificate });
    } else if (this.base.protocol === 'http:') {
      this.transport = http;
      this.agent = opts.agent ?? new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 4 });
    } else {
      throw new TypeError(`serverUrl must be http(s), got ${opts.serverUrl}`);
    }
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.userAgent = opts.userAgent ?? 'palisade-sensor/1';
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.creds = opts.credentials;
  }

  /** A client for the server and CA named in an onboarding package. */
  static fromOnboardingPackage(pkg: OnboardingPackage, opts: Omit<SensorClientOptions, 'serverUrl' | 'caCertificate'> = {}): SensorClient {
    return new SensorClient({ ...opts, serverUrl: pkg.serverUrl, caCertificate: pkg.caCertificate });
  }

  /** The credentials in use (after enrollment), if any. */
  get credentials(): DeviceCredentials | undefined {
    return this.creds;
  }

  /**
   * Enrolls the device with the package's token: POST /sensor/v1/enroll → 201. Not retried (a
   * one-use token must not enroll twice). Remembers the returned credentials for later calls.
   */
  async enroll(pkg: OnboardingPackage, info: EnrollInfo): Promise<EnrollResult> {
    if (Date.parse(pkg.expiresAt) <= Date.now()) {
      throw new SensorClientError(`The onboarding package expired at ${pkg.expiresAt}; download a new one`, { status: 0, code: 'PackageExpired', retryable: false });
    }
    const body = Buffer.from(JSON.stringify({ enrollmentToken: pkg.enrollmentToken, ...info }));
    const res = await this.request('POST', 'sensor/v1/enroll', { 'Content-Type': 'application/json' }, body);
    const out = this.json<EnrollResult>(res, [200, 201]);
    if (typeof out.deviceId !== 'string' || typeof out.deviceCredential !== 'string') {
      throw new SensorClientError('The enrollment response lacks deviceId or deviceCredential', { status: res.status, code: 'InvalidResponse', retryable: false });
    }
    if (out.tenantId && out.tenantId !== pkg.tenantId) {
      throw new SensorClientError(`The server enrolled the device in tenant ${out.tenantId}, but the package is for ${pkg.tenantId}`, { status: res.status, code: 'TenantMismatch', retryable: false });
    }
    this.creds = { deviceId: out.deviceId, deviceCredential: out.deviceCredential };
    return out;
  }

  /** Sends a heartbeat: POST /sensor/v1/heartbeat → 200. Retried on network errors and 5xx. */
  async heartbeat(h: Heartbeat): Promise<HeartbeatResult> {
    const body = Buffer.from(JSON.stringify(h));
    const res = await this.withRetry(() => this.request('POST', 'sensor/v1/heartbeat', { 'Content-Type': 'application/json', Authorization: this.authorization() }, body));
    return this.json<HeartbeatResult>(res, [200]);
  }

  /**
   * Posts an event batch as gzip NDJSON (one `{"table","row"}` per line): POST /sensor/v1/events
   * with `X-Batch-Id`. On network errors, 5xx and 429 it retries with the SAME batch id and body
   * (exponential backoff, honouring Retry-After), so the server can drop duplicates: at-least-once.
   */
  async sendEvents(batchId: string, events: readonly WireEvent[]): Promise<EventsResult> {
    const ndjson = events.map((e) => JSON.stringify({ table: e.table, row: e.row })).join('\n') + (events.length > 0 ? '\n' : '');
    const body = await gzipAsync(Buffer.from(ndjson));
    const headers = {
      'Content-Type': 'application/x-ndjson',
      'Content-Encoding': 'gzip',
      'X-Batch-Id': batchId,
      Authorization: this.authorization(),
    };
    const res = await this.withRetry(() => this.request('POST', 'sensor/v1/events', headers, body));
    return this.json<EventsResult>(res, [200]);
  }

  /**
   * Long-polls for work: GET /sensor/v1/work?wait=S&indicatorVersion=V. The server answers at once
   * when the device has unacknowledged actions or a newer indicator list, else within `waitSeconds`.
   * Not retried (the caller polls again); `signal` abandons the request.
   */
  async work(waitSeconds: number, indicatorVersion: number, signal?: AbortSignal): Promise<WorkResult> {
    const path = `sensor/v1/work?wait=${waitSeconds}&indicatorVersion=${indicatorVersion}`;
    const res = await this.request('GET', path, { Authorization: this.authorization() }, Buffer.alloc(0), { timeoutMs: waitSeconds * 1000 + this.timeoutMs, signal });
    return this.json<WorkResult>(res, [200]);
  }

  /** Reports an action's progress: POST /sensor/v1/actions/{id}/progress → the action's status after it. Retried. */
  async reportProgress(actionId: string, report: ProgressReport): Promise<ProgressResult> {
    const body = Buffer.from(JSON.stringify(report));
    const path = `sensor/v1/actions/${encodeURIComponent(actionId)}/progress`;
    const res = await this.withRetry(() => this.request('POST', path, { 'Content-Type': 'application/json', Authorization: this.authorization() }, body));
    return this.json<ProgressResult>(res, [200]);
  }

  /**
   * Uploads an action's result: PUT /sensor/v1/actions/{id}/results/{index} as a raw stream (204).
   * A file (`{ path }`) is re-read on a retry; a stream is sent once.
   */
  async uploadResult(actionId: string, index: number, body: Readable | { path: string }): Promise<void> {
    const path = `sensor/v1/actions/${encodeURIComponent(actionId)}/results/${index}`;
    const headers = { 'Content-Type': 'application/octet-stream', Authorization: this.authorization() };
    const send = () => this.request('PUT', path, headers, 'path' in body ? createReadStream(body.path) : body, { timeoutMs: Math.max(this.timeoutMs, 600_000) });
    const res = 'path' in body ? await this.withRetry(send) : await send();
    if (res.status !== 204 && res.status !== 200) this.json(res, [204]);
  }

  /** Downloads a live response library file (GET /sensor/v1/library/{fileName}) into `destination`. */
  async fetchLibraryFile(fileName: string, destination: string): Promise<void> {
    const url = new URL(`sensor/v1/library/${encodeURIComponent(fileName)}`, this.base);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = this.transport.request(url, { method: 'GET', agent: this.agent, headers: { Authorization: this.authorization(), 'User-Agent': this.userAgent }, timeout: this.timeoutMs }, resolve);
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no response within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(networkError(e, url)));
      req.end();
    });
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      this.json({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }, [200]);
    }
    await pipeline(res, createWriteStream(destination, { mode: 0o600 }));
  }

  /** The indicator list: GET /sensor/v1/indicators?since=V (the changes since V; the whole list when V is 0). Retried. */
  async indicators(since: number): Promise<IndicatorListResult> {
    const res = await this.withRetry(() => this.request('GET', `sensor/v1/indicators?since=${since}`, { Authorization: this.authorization() }, Buffer.alloc(0)));
    return this.json<IndicatorListResult>(res, [200]);
  }

  /** Closes kept-alive sockets. The client must not be used afterwards. */
  close(): void {
    this.agent.destroy();
  }

  private authorization(): string {
    if (!this.creds) throw new SensorClientError('The device is not enrolled: no credentials', { status: 0, code: 'NotEnrolled', retryable: false });
    return `Device ${this.creds.deviceId}:${this.creds.deviceCredential}`;
  }

  /** Runs a call, retrying retryable failures (thrown network errors, 5xx, 429) with backoff. */
  private async withRetry(call: () => Promise<RawResponse>): Promise<RawResponse> {
    let delay = this.retry.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
      let res: RawResponse | undefined;
      let failure: SensorClientError | undefined;
      try {
        res = await call();
      } catch (e) {
        if (!(e instanceof SensorClientError) || !e.retryable) throw e;
        failure = e;
      }
      const retryableStatus = res !== undefined && (res.status >= 500 || res.status === 429);
      if (res !== undefined && !retryableStatus) return res;
      if (attempt >= this.retry.attempts) {
        if (res !== undefined) return res;
        throw failure!;
      }
      const retryAfter = res ? retryAfterMs(res.headers['retry-after']) : undefined;
      const jittered = delay * (0.75 + Math.random() * 0.5);
      await this.sleep(Math.min(this.retry.maxDelayMs, retryAfter ?? jittered));
      delay = Math.min(this.retry.maxDelayMs, delay * 2);
    }
  }

  private request(method: string, path: string, headers: Record<string, string>, body: Buffer | Readable, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RawResponse> {
    const url = new URL(path, this.base);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<RawResponse>((resolve, reject) => {
      const length: Record<string, string> = Buffer.isBuffer(body) ? { 'Content-Length': String(body.length) } : {};
      const req = this.transport.request(
        url,
        {
          method,
          agent: this.agent,
          headers: { ...headers, Accept: 'application/json', 'User-Agent': this.userAgent, ...length },
          timeout: timeoutMs,
          signal: opts.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (e) => reject(networkError(e, url)));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(networkError(e, url)));
      if (Buffer.isBuffer(body)) req.end(body);
      else pipeline(body, req).catch((e: unknown) => req.destroy(e as Error));
    });
  }

  /** Parses a JSON success body, or throws the server's error (code and message) as SensorClientError. */
  private json<T>(res: RawResponse, ok: number[]): T {
    const text = res.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (ok.includes(res.status)) {
      if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
        throw new SensorClientError(`The server answered ${res.status} without a JSON body`, { status: res.status, code: 'InvalidResponse', retryable: false });
      }
      return parsed as T;
    }
    const err = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof err?.code === 'string' ? err.code : `Http${res.status}`;
    const message = typeof err?.message === 'string' ? err.message : text.slice(0, 300) || `HTTP ${res.status}`;
    throw new SensorClientError(`${code}: ${message}`, { status: res.status, code, retryable: res.status >= 500 || res.status === 429 });
  }
}

function networkError(e: unknown, url: URL): SensorClientError {
  const code = (e as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : 'NetworkError';
  const tls = TLS_ERRORS.has(c);
  const what = tls ? `TLS verification of ${url.host} failed (is the onboarding package's CA the server's?)` : `cannot reach ${url.origin}`;
  return new SensorClientError(`${what}: ${(e as Error).message}`, { status: 0, code: c, retryable: !tls, cause: e });
}

function retryAfterMs(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const secs = Number(s);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
