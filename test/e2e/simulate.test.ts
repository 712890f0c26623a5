/**
 * `palisade simulate --devices 5000` against one real server process: every device enrolls and
 * heartbeats, and `GET /api/machines?$top=10000` returns them all. Then a short run with telemetry
 * that hunting can see, through `palisade hunt`.
 */
import { execFile } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, startServerProcess, type ServerProcess } from '../support/server-process.ts';

const run = promisify(execFile);
let srv: ServerProcess;
let creds: { tenantId: string; clientId: string; clientSecret: string };

function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', ca, headers: opts.headers }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: d }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  srv = await startServerProcess();
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'sim-e2e', '--permissions', 'Machine.Read.All,AdvancedQuery.Read.All', '--json']));
  await srv.cli(['admin', 'onboarding-package', '--out', join(srv.dataDir, 'onboarding.json'), '--expires', '1h']);
}, 120_000);
afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

async function token(): Promise<string> {
  const res = await request(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
  });
  return JSON.parse(res.body).access_token;
}

describe('palisade simulate', () => {
  it('enrolls and heartbeats 5,000 devices; the machines API returns them all', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'simulate', '--onboarding', join(srv.dataDir, 'onboarding.json'), '--devices', '5000', '--duration', '0', '--json', '--quiet'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const totals = JSON.parse(stdout);
    expect(totals).toMatchObject({ enrolled: 5000, enrollFailed: 0, heartbeats: 5000, heartbeatFailed: 0 });
    const res = await request(`${srv.url}/api/machines?$top=10000&$count=true`, srv.ca, { headers: { authorization: `Bearer ${await token()}` } });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body['@odata.count']).toBe(5000);
    expect(body.value).toHaveLength(5000);
    expect(new Set(body.value.map((m: { computerDnsName: string }) => m.computerDnsName)).size).toBe(5000);
    const platforms = new Set(body.value.map((m: { osPlatform: string }) => m.osPlatform));
    expect([...platforms].some((p) => String(p).startsWith('Windows'))).toBe(true);
    expect(platforms.has('Linux') || [...platforms].some((p) => /Linux|Ubuntu|Debian|RedHat/.test(String(p)))).toBe(true);
    expect(body.value.every((m: { healthStatus: string }) => m.healthStatus === 'Active')).toBe(true);
  }, 300_000);

  it('sends telemetry that palisade hunt can query', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'simulate', '--onboarding', join(srv.dataDir, 'onboarding.json'), '--devices', '20', '--duration', '4', '--events-per-sec', '500', '--seed', '7', '--json', '--quiet'], { cwd: ROOT });
    const totals = JSON.parse(stdout);
    expect(totals.eventsSent).toBeGreaterThan(500);
    expect(totals.eventsRejected).toBe(0);
    const env = { PALISADE_URL: srv.url, PALISADE_TENANT: creds.tenantId, PALISADE_CLIENT_ID: creds.clientId, PALISADE_CLIENT_SECRET: creds.clientSecret, PALISADE_CA: join(srv.dataDir, 'tls/ca.pem') };
    const out = await run(process.execPath, [BIN, 'hunt', 'union withsource=Type DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents | summarize n = count() by Type | order by Type asc', '--format', 'json'], { cwd: ROOT, env: { ...process.env, ...env } });
    const res = JSON.parse(out.stdout);
    expect(res.Schema.map((c: { Name: string }) => c.Name)).toEqual(['Type', 'n']);
    const total = res.Results.reduce((a: number, r: { n: number }) => a + r.n, 0);
    expect(total).toBeGreaterThan(100);
    const table = await run(process.execPath, [BIN, 'hunt', 'DeviceProcessEvents | summarize count() by FileName | top 3 by count_', '--format', 'table'], { cwd: ROOT, env: { ...process.env, ...env } });
    expect(table.stdout).toMatch(/FileName\s+count_/);
    expect(table.stdout).toMatch(/\(3 rows\)/);
  }, 120_000);

  it('reports ready and counts what it did in /metrics (the feed, ingest, requests, the process)', async () => {
    const ready = await request(`${srv.url}/readyz`, srv.ca);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { state: 'ok', events: 'ok' } });
    const metrics = await request(`${srv.url}/metrics`, srv.ca);
    expect(metrics.status).toBe(200);
    const stored = Number(/^palisade_ingest_batches_total\{outcome="stored"\} (\d+)$/m.exec(metrics.body)?.[1] ?? 0);
    expect(stored).toBeGreaterThan(0);
    expect(metrics.body).toMatch(/^palisade_http_requests_total\{method="POST",route="\/sensor\/v1\/events",status="200"\} \d+$/m);
    expect(metrics.body).toMatch(/^palisade_feed_head_seq \d+$/m);
    expect(metrics.body).toMatch(/^palisade_process_cpu_seconds_total \S+$/m);
  }, 60_000);
});
