/**
 * Isolation end to end in network namespaces this test creates (root): `palisade serve` in one, the
 * reference sensor (`palisade sensor`) in another, and a third host. Before isolation the sensor's
 * host reaches the third host; after `POST /api/machines/{id}/isolate` it does not, but still talks
 * to the server, which records the action Succeeded; after unisolate it reaches the third host
 * again; offboarding lifts isolation and stops the sensor. The API is called from inside the
 * server's namespace. Every namespace, process and
 * directory is removed afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, inNamespace, Topology } from './support/netns.ts';
import { BIN, ROOT } from '../support/server-process.ts';

const run = promisify(execFile);
const HTTPS_CALL = resolve(import.meta.dirname, 'support/https-call.ts');
const PORT = 8443;
const OTHER_PORT = 8080;

/** A child process started in a namespace, with its output kept; resolves once `ready` shows in stdout. */
async function startIn(ns: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string; line: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out = (out + String(d)).slice(-200_000); });
  child.stderr!.on('data', (d) => { out = (out + String(d)).slice(-200_000); });
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${args[0]} did not start in 60 s: ${out}`)), 60_000);
    const check = () => {
      const m = ready.exec(out);
      if (m) { clearTimeout(timer); child.stdout!.off('data', check); res(m[0]); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`${args[0]} exited with ${code}: ${out}`)); });
  });
  return { child, out: () => out, line };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

describe('isolation of a real sensor through the API, in network namespaces', () => {
  const topo = new Topology();
  const dataDir = mkdtempSync(join(tmpdir(), 'pal-e2e-srv-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'pal-e2e-sensor-'));
  let server: Awaited<ReturnType<typeof startIn>> | undefined;
  let sensor: Awaited<ReturnType<typeof startIn>> | undefined;
  let sensorNs = '';
  let serverNs = '';
  let serverIp = '';
  let thirdIp = '';
  let ca = '';
  let creds: { tenantId: string; clientId: string; clientSecret: string };
  let deviceId = '';

  const cli = async (args: string[]) => (await run(process.execPath, [BIN, ...args, '--data', dataDir], { cwd: ROOT })).stdout;
  /** One API call, made from inside the server's namespace. */
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const spec = JSON.stringify({ method, url: `https://${serverIp}:${PORT}${path}`, ca, headers, body });
    const r = await inNamespace(serverNs, process.execPath, ['--import', 'tsx', HTTPS_CALL, spec], 60_000);
    if (r.code !== 0) throw new Error(`${method} ${path} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { status: number; body: string };
  };
  const token = async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString();
    const r = await call('POST', `/${creds.tenantId}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form);
    return (JSON.parse(r.body) as { access_token: string }).access_token;
  };
  /** POSTs an action and waits for its final status (at most 60 s). */
  const act = async (route: string, body: Record<string, string>) => {
    const auth = { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' };
    const created = await call('POST', `/api/machines/${deviceId}/${route}`, auth, JSON.stringify(body));
    expect(created.status, created.body).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    const end = Date.now() + 60_000;
    for (;;) {
      const got = JSON.parse((await call('GET', `/api/machineactions/${id}`, auth)).body) as { status: string; [key: string]: unknown };
      if (!['Pending', 'InProgress'].includes(got.status) || Date.now() > end) return got;
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  beforeAll(async () => {
    sensorNs = topo.namespace('sen');
    serverNs = topo.namespace('srv');
    const thirdNs = topo.namespace('oth');
    serverIp = topo.link(sensorNs, serverNs).b;
    thirdIp = topo.link(sensorNs, thirdNs).b;
    await topo.listener(thirdNs, thirdIp, OTHER_PORT);
    server = await startIn(serverNs, ['serve', '--data', dataDir, '--host', serverIp, '--port', String(PORT), '--no-throttle'], /^Palisade .*$/m);
    ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
    creds = JSON.parse(await cli(['admin', 'app', 'create', '--name', 'netns-e2e', '--permissions', 'Machine.Read.All,Machine.Isolate,Machine.Offboard', '--json']));
    const pkg = join(dataDir, 'onboarding.json');
    await cli(['admin', 'onboarding-package', '--out', pkg, '--expires', '1h', '--url', `https://${serverIp}:${PORT}`]);
    sensor = await startIn(sensorNs, ['sensor', '--state', stateDir, '--onboarding', pkg, '--no-process'], /^Palisade sensor running: .*$/m);
    deviceId = /device ([0-9a-f]+)/.exec(sensor.line)![1]!;
  }, 180_000);

  afterAll(async () => {
    await stop(sensor?.child);
    await stop(server?.child);
    topo.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('isolate cuts the sensor host off from the third host but not from the server; unisolate restores it', async () => {
    expect(await canConnect(sensorNs, thirdIp, OTHER_PORT)).toBe(true);

    const isolated = await act('isolate', { Comment: 'netns e2e', IsolationType: 'Full' });
    const took = Date.parse(isolated.lastUpdateDateTimeUtc as string) - Date.parse(isolated.creationDateTimeUtc as string);
    console.log(`isolate: created → Succeeded (delivered, applied, checked against the server, reported) in ${took} ms by the action's own timestamps`);
    expect(isolated.status, sensor!.out()).toBe('Succeeded');
    expect(await canConnect(sensorNs, thirdIp, OTHER_PORT)).toBe(false);
    expect(await canConnect(sensorNs, serverIp, PORT)).toBe(true);
    expect((await inNamespace(sensorNs, 'nft', ['list', 'table', 'inet', 'palisade_isolation'])).code).toBe(0);

    // the isolated sensor still takes actions from the server: the unisolate reaches it
    const lifted = await act('unisolate', { Comment: 'netns e2e done' });
    expect(lifted.status, sensor!.out()).toBe('Succeeded');
    expect(await canConnect(sensorNs, thirdIp, OTHER_PORT)).toBe(true);
    expect((await inNamespace(sensorNs, 'nft', ['list', 'table', 'inet', 'palisade_isolation'])).code).not.toBe(0);
  }, 180_000);

  it('offboarding an isolated sensor lifts isolation, stops the sensor and drops its credential', async () => {
    expect((await act('isolate', { Comment: 'before offboarding', IsolationType: 'Selective' })).status).toBe('Succeeded');
    expect(await canConnect(sensorNs, thirdIp, OTHER_PORT)).toBe(false);
    const exited = new Promise<number | null>((r) => sensor!.child.once('exit', (code) => r(code)));
    const off = await act('offboard', { Comment: 'netns e2e offboard' });
    expect(off.status, sensor!.out()).toBe('Succeeded');
    expect(await exited).toBe(0);
    expect(sensor!.out()).toMatch(/Palisade sensor stopped: offboarded/);
    expect(existsSync(join(stateDir, 'credential.json'))).toBe(false);
    expect(await canConnect(sensorNs, thirdIp, OTHER_PORT)).toBe(true);
    expect((await inNamespace(sensorNs, 'nft', ['list', 'table', 'inet', 'palisade_isolation'])).code).not.toBe(0);
  }, 180_000);
});
