import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTlsMaterial, type TlsMaterial } from '../../api/tls/certificates.ts';
import { SensorClient, SensorClientError } from './client.ts';
import { OnboardingPackageError, readOnboardingPackage, type OnboardingPackage } from './onboarding-package.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  socketId: number;
}

let dir: string;
let tls: TlsMaterial;
let otherCa: TlsMaterial;
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
/** What the fake server answers next; default handlers below. */
let script: ((req: Seen, res: ServerResponse) => void)[] = [];
let sockets = 0;

const DEVICE_ID = 'a'.repeat(40);
const CREDENTIAL = 'cred_0123456789abcdefXYZ';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function defaultHandler(req: Seen, res: ServerResponse): void {
  if (req.url === '/sensor/v1/enroll') return send(res, 201, { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL, tenantId: 'tenant-1', heartbeatIntervalSeconds: 60 });
  if (req.url === '/sensor/v1/heartbeat') return send(res, 200, { heartbeatIntervalSeconds: 30 });
  if (req.url === '/sensor/v1/events') {
    const lines = gunzipSync(req.body).toString('utf8').split('\n').filter(Boolean);
    return send(res, 200, { batchId: req.headers['x-batch-id'], accepted: lines.length, rejected: [], duplicate: false });
  }
  send(res, 404, { error: { code: 'NotFound', message: 'no such route' } });
}

function pkg(overrides: Partial<OnboardingPackage> = {}): OnboardingPackage {
  return { version: 1, serverUrl: baseUrl, tenantId: 'tenant-1', caCertificate: tls.ca, enrollmentToken: 'pe1.token', expiresAt: new Date(Date.now() + 3600_000).toISOString(), ...overrides };
}

function client(extra: Partial<ConstructorParameters<typeof SensorClient>[0]> = {}): SensorClient {
  return new SensorClient({ serverUrl: baseUrl, caCertificate: tls.ca, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, ...extra });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-sensor-client-'));
  tls = await ensureTlsMaterial(join(dir, 'a'));
  otherCa = await ensureTlsMaterial(join(dir, 'b'));
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), socketId: (req.socket as unknown as { __id: number }).__id };
      seen.push(s);
      const handler = script.shift() ?? defaultHandler;
      handler(s, res);
    });
  });
  server.on('secureConnection', (socket) => {
    (socket as unknown as { __id: number }).__id = ++sockets;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  script = [];
});

describe('SensorClient', () => {
  it('enrolls with the package token and remembers the credentials', async () => {
    const c = client();
    try {
      const out = await c.enroll(pkg(), {
        computerDnsName: 'desktop-7h2k9qa',
        osPlatform: 'Windows11',
        osBuild: 22631,
        version: '23H2',
        ipAddresses: [{ ipAddress: '10.1.2.3', macAddress: '000C29AABBCC', type: 'Ethernet', operationalStatus: 'Up' }],
        machineTags: ['Finance'],
      });
      expect(out).toEqual({ deviceId: DEVICE_ID, deviceCredential: CREDENTIAL, tenantId: 'tenant-1', heartbeatIntervalSeconds: 60 });
      expect(c.credentials).toEqual({ deviceId: DEVICE_ID, deviceCredential: CREDENTIAL });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.method).toBe('POST');
      expect(seen[0]!.headers['content-type']).toBe('application/json');
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(JSON.parse(seen[0]!.body.toString())).toEqual({
        enrollmentToken: 'pe1.token',
        computerDnsName: 'desktop-7h2k9qa',
        osPlatform: 'Windows11',
        osBuild: 22631,
        version: '23H2',
        ipAddresses: [{ ipAddress: '10.1.2.3', macAddress: '000C29AABBCC', type: 'Ethernet', operationalStatus: 'Up' }],
        machineTags: ['Finance'],
      });
    } finally {
      c.close();
    }
  });

  it('sends heartbeats with the device credential over one kept-alive connection', async () => {
    const c = client({ credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL } });
    try {
      for (let i = 0; i < 3; i++) expect(await c.heartbeat({ sensorHealth: 'Active', loggedOnUsers: [{ UserName: 'jlee', DomainName: 'CONTOSO' }] })).toEqual({ heartbeatIntervalSeconds: 30 });
      expect(seen.map((s) => s.url)).toEqual(['/sensor/v1/heartbeat', '/sensor/v1/heartbeat', '/sensor/v1/heartbeat']);
      expect(seen[0]!.headers.authorization).toBe(`Device ${DEVICE_ID}:${CREDENTIAL}`);
      expect(JSON.parse(seen[0]!.body.toString())).toEqual({ sensorHealth: 'Active', loggedOnUsers: [{ UserName: 'jlee', DomainName: 'CONTOSO' }] });
      expect(new Set(seen.map((s) => s.socketId)).size).toBe(1);
    } finally {
      c.close();
    }
  });

  it('posts events as gzip NDJSON with the batch id', async () => {
    const c = client({ credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL } });
    try {
      const events = [
        { table: 'DeviceProcessEvents', row: { Timestamp: '2024-06-01T10:00:00.000Z', FileName: 'cmd.exe', ProcessId: 4242 } },
        { table: 'DeviceNetworkEvents', row: { Timestamp: '2024-06-01T10:00:01.000Z', RemoteIP: '140.82.121.4', RemotePort: 443 } },
      ];
      const out = await c.sendEvents('3f1c2b7e-0000-4000-8000-000000000001', events);
      expect(out).toEqual({ batchId: '3f1c2b7e-0000-4000-8000-000000000001', accepted: 2, rejected: [], duplicate: false });
      const req = seen[0]!;
      expect(req.headers['content-type']).toBe('application/x-ndjson');
      expect(req.headers['content-encoding']).toBe('gzip');
      expect(req.headers['x-batch-id']).toBe('3f1c2b7e-0000-4000-8000-000000000001');
      expect(req.headers.authorization).toBe(`Device ${DEVICE_ID}:${CREDENTIAL}`);
      const lines = gunzipSync(req.body).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(lines).toEqual(events);
    } finally {
      c.close();
    }
  });

  it('retries 5xx and dropped connections with the same batch id and body', async () => {
    const slept: number[] = [];
    const c = client({ credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL }, sleep: async (ms) => void slept.push(ms) });
    try {
      script = [
        (_req, res) => send(res, 503, { error: { code: 'ServiceUnavailable', message: 'busy' } }),
        (_req, res) => res.socket?.destroy(),
        (_req, res) => send(res, 429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'Retry-After': '0' }),
      ];
      const out = await c.sendEvents('batch-1', [{ table: 'DeviceEvents', row: { Timestamp: '2024-06-01T10:00:00.000Z' } }]);
      expect(out.accepted).toBe(1);
      expect(seen).toHaveLength(4);
      expect(new Set(seen.map((s) => s.headers['x-batch-id']))).toEqual(new Set(['batch-1']));
      expect(new Set(seen.map((s) => s.body.toString('base64'))).size).toBe(1);
      expect(slept).toHaveLength(3);
      expect(slept[2]).toBe(0);
    } finally {
      c.close();
    }
  });

  it('gives up after the configured attempts and reports the last server error', async () => {
    const c = client({ credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL } });
    try {
      script = Array.from({ length: 4 }, () => (_req: Seen, res: ServerResponse) => send(res, 500, { error: { code: 'InternalServerError', message: 'boom' } }));
      const err = await c.sendEvents('batch-2', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SensorClientError);
      expect(err).toMatchObject({ status: 500, code: 'InternalServerError', retryable: true, message: 'InternalServerError: boom' });
      expect(seen).toHaveLength(4);
    } finally {
      c.close();
    }
  });

  it('surfaces client errors from the server without retrying', async () => {
    const c = client({ credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL } });
    try {
      script = [(_req, res) => send(res, 401, { error: { code: 'Unauthorized', message: 'The device credential is not valid' } })];
      const err = await c.heartbeat({ sensorHealth: 'Active' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'SensorClientError', status: 401, code: 'Unauthorized', retryable: false, message: 'Unauthorized: The device credential is not valid' });
      expect(seen).toHaveLength(1);
      script = [(_req, res) => send(res, 400, { error: { code: 'InvalidRequestBody', message: "'computerDnsName' must be a host name" } })];
      await expect(c.enroll(pkg(), { computerDnsName: 'bad name', osPlatform: 'Linux' })).rejects.toThrow("InvalidRequestBody: 'computerDnsName' must be a host name");
    } finally {
      c.close();
    }
  });

  it('refuses a server whose certificate is not signed by the package CA, without retrying', async () => {
    const c = new SensorClient({ serverUrl: baseUrl, caCertificate: otherCa.ca, credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL }, retry: { attempts: 3, baseDelayMs: 1 } });
    try {
      const err = await c.heartbeat({ sensorHealth: 'Active' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SensorClientError);
      expect((err as SensorClientError).retryable).toBe(false);
      expect((err as SensorClientError).message).toMatch(/TLS verification of 127\.0\.0\.1:\d+ failed/);
      expect(seen).toHaveLength(0);
    } finally {
      c.close();
    }
  });

  it('refuses to send without credentials or with an expired package', async () => {
    const c = client();
    try {
      await expect(c.heartbeat({ sensorHealth: 'Active' })).rejects.toMatchObject({ code: 'NotEnrolled' });
      await expect(c.enroll(pkg({ expiresAt: '2020-01-01T00:00:00.000Z' }), { computerDnsName: 'x', osPlatform: 'Linux' })).rejects.toMatchObject({ code: 'PackageExpired' });
      expect(seen).toHaveLength(0);
    } finally {
      c.close();
    }
  });

  it('reports an unreachable server as a retryable network error', async () => {
    const c = new SensorClient({ serverUrl: 'https://127.0.0.1:1', caCertificate: tls.ca, credentials: { deviceId: DEVICE_ID, deviceCredential: CREDENTIAL }, retry: { attempts: 2, baseDelayMs: 1 } });
    try {
      const err = await c.heartbeat({ sensorHealth: 'Active' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 0, code: 'ECONNREFUSED', retryable: true });
    } finally {
      c.close();
    }
  });
});

describe('readOnboardingPackage', () => {
  const write = (name: string, value: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
    return p;
  };

  it('reads a valid package and makes a working client from it', async () => {
    const p = await readOnboardingPackage(write('ok.json', { ...pkg(), serverUrl: `${baseUrl}/` }));
    expect(p.serverUrl).toBe(baseUrl);
    expect(p.version).toBe(1);
    const c = SensorClient.fromOnboardingPackage(p);
    try {
      expect((await c.enroll(p, { computerDnsName: 'web-prod-03', osPlatform: 'Linux' })).deviceId).toBe(DEVICE_ID);
    } finally {
      c.close();
    }
  });

  it('names what is wrong with a bad package', async () => {
    const good = pkg();
    const cases: [unknown, RegExp][] = [
      ['{not json', /is not valid JSON/],
      [[], /expected a JSON object/],
      [{ ...good, version: 2 }, /unsupported version 2/],
      [{ ...good, serverUrl: 'ftp://x' }, /'serverUrl' must be an https URL/],
      [{ ...good, serverUrl: 'not a url' }, /'serverUrl' is not a URL/],
      [{ ...good, tenantId: '' }, /'tenantId' must be a non-empty string/],
      [{ ...good, enrollmentToken: 5 }, /'enrollmentToken' must be a non-empty string/],
      [{ ...good, caCertificate: 'hello' }, /'caCertificate' must be a PEM certificate/],
      [{ ...good, caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, /'caCertificate' is not a valid certificate/],
      [{ ...good, expiresAt: 'tomorrow' }, /'expiresAt' must be an ISO-8601 datetime/],
    ];
    for (const [i, [value, re]] of cases.entries()) {
      const err = await readOnboardingPackage(write(`bad-${i}.json`, value)).catch((e: unknown) => e);
      expect(err, String(re)).toBeInstanceOf(OnboardingPackageError);
      expect((err as Error).message).toMatch(re);
    }
    await expect(readOnboardingPackage(join(dir, 'missing.json'))).rejects.toThrow(/cannot read onboarding package/);
  });
});
