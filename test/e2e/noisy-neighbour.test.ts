/**
 * Noisy neighbour: tenant A starts four runaway hunting queries and walks away (its client closes the
 * connections). Meanwhile tenant B's `DeviceInfo | take 1`, a token request and a sensor batch each
 * answer within 2 s; a gzip bomb in a query is refused with a clear error and the server stays up.
 * Runs a real server process on 127.0.0.1 (stopped by PID at the end).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import { httpsPost, startServerProcess, type HttpsAnswer, type ServerProcess } from '../support/server-process.ts';

/** The bound the issue sets for tenant B's calls while tenant A's queries run away. */
const BOUND_MS = 2000;
const RUNAWAY = 'range i from 1 to 1000000000000 step 1 | count';

let srv: ServerProcess;
let appA: { tenantId: string; clientId: string; clientSecret: string };
let appB: { tenantId: string; clientId: string; clientSecret: string };
let device: { deviceId: string; deviceCredential: string };

/** One POST to this test's server on a fresh connection; `signal` abandons it (the socket is destroyed). */
function send(path: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpsAnswer> {
  return httpsPost(`${srv.url}${path}`, srv.ca, body, headers, signal);
}

function tokenRequest(app: typeof appA): Promise<HttpsAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' });
  return send(`/${app.tenantId}/oauth2/v2.0/token`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
}

async function token(app: typeof appA): Promise<string> {
  const r = await tokenRequest(app);
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body).access_token as string;
}

function hunt(tok: string, query: string, signal?: AbortSignal): Promise<HttpsAnswer> {
  return send('/api/advancedqueries/run', JSON.stringify({ Query: query }), { 'content-type': 'application/json', authorization: `Bearer ${tok}` }, signal);
}

beforeAll(async () => {
  srv = await startServerProcess();
  appB = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'tenant-b', '--permissions', 'AdvancedQuery.Read.All', '--json']));
  const tenantA = JSON.parse(await srv.cli(['admin', 'tenant', 'create', '--name', 'Tenant A', '--json'])) as { tenantId: string };
  appA = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'tenant-a', '--tenant', tenantA.tenantId, '--permissions', 'AdvancedQuery.Read.All', '--json']));
  device = await srv.enrollDevice('quiet-host', appB.tenantId);
}, 120_000);

afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

describe('one tenant cannot stall another', () => {
  it('answers tenant B within 2 s while tenant A runs four runaway queries and walks away', async () => {
    const tokA = await token(appA);
    const tokB = await token(appB);
    const walkAway = new AbortController();
    const runaways = Array.from({ length: 4 }, () => hunt(tokA, RUNAWAY, walkAway.signal).catch((e: Error) => e));
    // the queries start; tenant B is served meanwhile (two of A's run, two wait for A's own slots)
    await new Promise((r) => setTimeout(r, 1000));
    const during = await hunt(tokB, 'DeviceInfo | take 1');
    // then tenant A's client goes away
    walkAway.abort();
    await Promise.all(runaways);
    await new Promise((r) => setTimeout(r, 200));

    const sensor = new SensorClient({ serverUrl: srv.url, caCertificate: srv.ca, credentials: device, retry: { attempts: 1 }, timeoutMs: 30_000 });
    const timed = async <T>(f: () => Promise<T>) => {
      const t = performance.now();
      const v = await f();
      return { v, ms: performance.now() - t };
    };
    const [take, tok, batch, again] = await Promise.all([
      // each call is timed by itself (a failed bound still reports how long it took)
      hunt(tokB, 'DeviceInfo | take 1'),
      tokenRequest(appB),
      timed(() => sensor.sendEvents('quiet-batch-1', [{ table: 'DeviceProcessEvents', row: { Timestamp: new Date().toISOString(), ActionType: 'ProcessCreated', FileName: 'quiet.exe' } }])),
      // A's abandoned queries were interrupted: A's own slots are free again at once
      hunt(tokA, 'print x = 1'),
    ]);
    sensor.close();
    const figures = { duringMs: Math.round(during.ms), takeMs: Math.round(take.ms), tokenMs: Math.round(tok.ms), batchMs: Math.round(batch.ms), tenantAAgainMs: Math.round(again.ms) };
    process.stdout.write(`noisy neighbour: ${JSON.stringify(figures)}\n`);
    expect(during.status, during.body).toBe(200);
    expect(take.status, take.body).toBe(200);
    expect(again.status, again.body).toBe(200);
    expect(tok.status, tok.body).toBe(200);
    expect(batch.v.accepted).toBe(1);
    expect(figures.duringMs).toBeLessThan(BOUND_MS);
    expect(figures.takeMs).toBeLessThan(BOUND_MS);
    expect(figures.tenantAAgainMs).toBeLessThan(BOUND_MS);
    expect(figures.tokenMs).toBeLessThan(BOUND_MS);
    expect(figures.batchMs).toBeLessThan(BOUND_MS);
  }, 120_000);

  it('refuses a gzip bomb in a query with a clear error and stays up', async () => {
    const tokB = await token(appB);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61), { level: 9 }).toString('base64');
    const r = await hunt(tokB, `print x = gzip_decompress_from_base64_string('${bomb}')`);
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body).error.message).toMatch(/decompressed text exceeds/);
    const after = await hunt(tokB, 'print x = 1');
    expect(after.status, after.body).toBe(200);
    expect(srv.child.exitCode).toBeNull();
  }, 120_000);
});
