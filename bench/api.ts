/**
 * Benchmark `api`: a real `palisade serve` process with 10,000 devices.
 * - GET /api/machines?$filter=healthStatus eq 'Active'&$top=100: requests/s and p50/p99 latency,
 * - the same run's requests/s of a bare Fastify HTTPS route returning a constant (the baseline),
 * - the time to page through all 10,000 devices with $top/$skip.
 * Options: --devices N (10000) --seconds S (10) --connections C (10).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSigningKey } from '../src/auth/token-service.ts';
import { operatorCtx } from '../src/domain/context.ts';
import { TenantService } from '../src/services/tenants.ts';
import { openStateStore } from '../src/store/state/open.ts';
import { dataPaths } from '../src/cli/data-dir.ts';
import { deviceRecord } from '../test/support/harness.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { load } from './support/autocannon.ts';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', ca, headers: opts.headers, agent: keepAlive }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: d }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
const keepAlive = new https.Agent({ keepAlive: true });

/** Seeds N devices with a realistic health mix into a fresh data directory. */
async function seed(dir: string, n: number): Promise<{ clientId: string; clientSecret: string; tenantId: string }> {
  const state = await openStateStore(dataPaths(dir).sqlite);
  const tenants = new TenantService(state, (t) => newSigningKey(t));
  const t = await tenants.createTenant(operatorCtx(randomUUID(), 'bench'), 'Default');
  const creds = await tenants.createApp(operatorCtx(t.id, 'bench'), 'bench', ['Machine.Read.All']);
  const now = Date.now();
  await state.tx(async (r) => {
    for (let i = 0; i < n; i++) {
      const silent = i % 10 === 9;
      const seen = new Date(now - (silent ? 9 * 86400_000 : (i % 3600) * 1000)).toISOString();
      const d = deviceRecord(t.id, {
        computerDnsName: `host-${String(i).padStart(5, '0')}`,
        osPlatform: i % 5 === 0 ? 'Linux' : 'Windows11',
        sensorHealth: i % 10 === 8 ? 'ImpairedCommunication' : 'Active',
        lastSeen: seen,
        machineTags: i % 4 === 0 ? ['prod'] : [],
      });
      d.id = (i.toString(16).padStart(8, '0') + 'b'.repeat(32)).slice(0, 40);
      await r.devices.insert(d);
    }
  });
  await state.close();
  return { ...creds, tenantId: t.id };
}

export async function main(args: string[]): Promise<void> {
  const n = arg(args, 'devices', 10_000), seconds = arg(args, 'seconds', 10), connections = arg(args, 'connections', 10);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-api-'));
  const t0 = performance.now();
  const creds = await seed(dir, n);
  console.log(`seeded ${n} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const srv = await startServerProcess({ dataDir: dir, args: ['--no-throttle', '--log-level', 'error'] });
  const bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/bare-server.ts'), join(dir, 'tls/server.pem'), join(dir, 'tls/server-key.pem')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const barePort = await new Promise<number>((res, rej) => {
      bare.stdout!.on('data', (d) => { const m = /listening (\d+)/.exec(String(d)); if (m) res(Number(m[1])); });
      bare.once('exit', (c) => rej(new Error(`baseline server exited ${c}`)));
    });
    const tok = await request(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
    });
    const token = JSON.parse(tok.body).access_token as string;
    const auth = { authorization: `Bearer ${token}` };
    const filterUrl = `${srv.url}/api/machines?$filter=${encodeURIComponent("healthStatus eq 'Active'")}&$top=100`;
    const check = await request(filterUrl, srv.ca, { headers: auth });
    if (check.status !== 200 || JSON.parse(check.body).value.length !== 100) throw new Error(`unexpected response ${check.status} ${check.body.slice(0, 200)}`);

    // Warm up both, then measure one after the other (2 cores: never both at once).
    await load(filterUrl, { headers: auth, seconds: 2, connections, ca: srv.ca });
    const api = await load(filterUrl, { headers: auth, seconds, connections, ca: srv.ca });
    const bareUrl = `https://localhost:${barePort}/constant`;
    await load(bareUrl, { seconds: 2, connections, ca: srv.ca });
    const base = await load(bareUrl, { seconds, connections, ca: srv.ca });

    const pageAll = async (top: number) => {
      const started = performance.now();
      const ids = new Set<string>();
      for (let skip = 0; ; skip += top) {
        const r = await request(`${srv.url}/api/machines?$top=${top}&$skip=${skip}`, srv.ca, { headers: auth });
        if (r.status !== 200) throw new Error(`page failed: ${r.status} ${r.body.slice(0, 200)}`);
        const v = JSON.parse(r.body).value as { id: string }[];
        v.forEach((m) => ids.add(m.id));
        if (v.length < top) break;
      }
      if (ids.size !== n) throw new Error(`paging returned ${ids.size} devices, expected ${n}`);
      return (performance.now() - started) / 1000;
    };
    const page100 = await pageAll(100);
    const page1000 = await pageAll(1000);
    const one = await pageAll(10_000);

    console.log(`\nbench api — ${n} devices, ${connections} connections, ${seconds} s per load, HTTPS on 127.0.0.1`);
    console.log(`GET /api/machines?$filter=healthStatus eq 'Active'&$top=100: ${api.requestsPerSec.toFixed(0)} req/s, p50 ${api.p50ms} ms, p99 ${api.p99ms} ms (errors ${api.errors}, non-2xx ${api.non2xx})`);
    console.log(`baseline bare fastify constant route:               ${base.requestsPerSec.toFixed(0)} req/s, p50 ${base.p50ms} ms, p99 ${base.p99ms} ms`);
    console.log(`ratio palisade/baseline: ${(api.requestsPerSec / base.requestsPerSec).toFixed(3)}`);
    console.log(`page through all ${n} devices: $top=100 ${page100.toFixed(2)} s, $top=1000 ${page1000.toFixed(2)} s, $top=10000 ${one.toFixed(2)} s`);
  } finally {
    bare.kill('SIGTERM');
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
