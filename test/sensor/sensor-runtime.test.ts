/**
 * The reference sensor against a real server, both as child processes on 127.0.0.1 (run as root:
 * the process collector subscribes to the kernel's process connector). The sensor enrolls once
 * (credential 0600 in its state directory), heartbeats with its inventory (visible through
 * GET /api/machines), catches at least 99% of 1,000 short-lived processes with their command line
 * and SHA1, and keeps events in its disk spool while the server is down: after the server returns
 * they all arrive, none twice.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsPost, httpsRequest, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { startSensorProcess, type SensorProcess } from '../support/sensor-process.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

let srv: ServerProcess;
let sensor: SensorProcess | undefined;
let creds: { tenantId: string; clientId: string; clientSecret: string };
let stateDir: string;
let dataDir: string;
let port: number;
let pkgPath: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function token(): Promise<string> {
  const res = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  return JSON.parse(res.body).access_token;
}

async function hunt<T>(query: string): Promise<T[]> {
  const res = await httpsPost(`${srv.url}/api/advancedqueries/run`, srv.ca, JSON.stringify({ Query: query }), { 'content-type': 'application/json', authorization: `Bearer ${await token()}` });
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body).Results as T[];
}

/** Polls `fn` every second until `done` says its value is enough or `ms` pass; returns the last value. */
async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Starts `count` short-lived processes, one after another, each `/bin/true <marker>-<i>`. */
async function shortLivedProcesses(marker: string, count: number): Promise<void> {
  await run('/bin/sh', ['-c', `i=0; while [ $i -lt ${count} ]; do /bin/true ${marker}-$i; i=$((i+1)); done`]);
}

beforeAll(async () => {
  if (!isRoot) return;
  port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'palisade-sensor-srv-'));
  srv = await startServerProcess({ dataDir, args: ['--port', String(port), '--no-throttle'] });
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'sensor-e2e', '--permissions', 'Machine.Read.All,AdvancedQuery.Read.All', '--json']));
  pkgPath = join(dataDir, 'onboarding.json');
  await srv.cli(['admin', 'onboarding-package', '--out', pkgPath, '--expires', '1h']);
  stateDir = mkdtempSync(join(tmpdir(), 'palisade-sensor-state-'));
  sensor = await startSensorProcess({ stateDir, onboarding: pkgPath });
}, 120_000);

afterAll(async () => {
  await sensor?.stop();
  await srv?.stop();
  srv?.cleanup();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!isRoot)('palisade sensor', () => {
  it('enrolls once, keeps its credential 0600, and its inventory shows in GET /api/machines', async () => {
    expect(sensor!.collectors).toContain('process');
    const st = statSync(join(stateDir, 'credential.json'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const cred = JSON.parse(readFileSync(join(stateDir, 'credential.json'), 'utf8'));
    expect(cred.deviceId).toBe(sensor!.deviceId);
    const machine = await until(async () => {
      const res = await httpsRequest('GET', `${srv.url}/api/machines/${sensor!.deviceId}`, srv.ca, { authorization: `Bearer ${await token()}` });
      expect(res.status, res.body).toBe(200);
      expect(res.body, `GET /api/machines/${sensor!.deviceId}`).not.toBe('');
      return JSON.parse(res.body);
    }, (m) => m.healthStatus === 'Active', 10_000);
    expect(machine.computerDnsName).toBe(hostname().replace(/[^A-Za-z0-9._-]/g, '-'));
    expect(machine.osPlatform).toBe('Linux');
    expect(machine.agentVersion).toBeTruthy();
    const os = Object.fromEntries(readFileSync('/etc/os-release', 'utf8').split('\n').map((l) => l.split('=')).filter((p) => p.length === 2).map(([k, v]) => [k, v.replace(/^"|"$/g, '')]));
    expect(machine.osVersion ?? machine.version).toBeTruthy();
    expect(JSON.stringify(machine)).toContain(os.VERSION_ID);
    // DeviceInfo names the collectors that run and the kernel
    const info = await until(() => hunt<{ AdditionalFields: string; OSPlatform: string }>(`DeviceInfo | where DeviceId == "${sensor!.deviceId}" and isnotempty(AdditionalFields) | project AdditionalFields, OSPlatform`), (r) => r.length > 0, 15_000);
    expect(info.length).toBeGreaterThan(0);
    const extra = JSON.parse(info[0].AdditionalFields);
    expect(extra.Collectors).toContain('process');
    expect(extra.KernelRelease).toBe((await run('uname', ['-r'])).stdout.trim());
  }, 60_000);

  it('catches at least 99% of 1,000 short-lived processes with command line and SHA1', async () => {
    const marker = `pmark${Date.now().toString(36)}`;
    await shortLivedProcesses(marker, 1000);
    const trueSha1 = createHash('sha1').update(readFileSync('/bin/true')).digest('hex');
    const rows = await until(
      () => hunt<{ ProcessCommandLine: string; SHA1: string; FileName: string; InitiatingProcessId: number; AccountName: string }>(
        `DeviceProcessEvents | where DeviceId == "${sensor!.deviceId}" and FileName == "true" and ProcessCommandLine has "${marker}" | project ProcessCommandLine, SHA1, FileName, InitiatingProcessId, AccountName`),
      (r) => r.length >= 1000, 60_000);
    const caught = new Set(rows.filter((r) => r.SHA1 === trueSha1 && new RegExp(`^/bin/true ${marker}-\\d+$`).test(r.ProcessCommandLine)).map((r) => r.ProcessCommandLine));
    console.log(`process collector: caught ${caught.size} of 1000 short-lived processes (${(caught.size / 10).toFixed(1)}%) with command line and SHA1`);
    expect(caught.size).toBeGreaterThanOrEqual(990);
    expect(rows.length).toBe(new Set(rows.map((r) => r.ProcessCommandLine)).size);
    expect(rows.every((r) => r.FileName === 'true' && r.AccountName === 'root' && r.InitiatingProcessId > 0)).toBe(true);
  }, 120_000);

  it('spools events while the server is down and sends them, none twice, when it returns', async () => {
    await srv.stop();
    const marker = `smark${Date.now().toString(36)}`;
    await shortLivedProcesses(marker, 200);
    // let the sensor fail to send at least once
    await new Promise((r) => setTimeout(r, 3000));
    expect(sensor!.output()).toMatch(/sending events failed/);
    srv = await startServerProcess({ dataDir, args: ['--port', String(port), '--no-throttle'] });
    const rows = await until(
      () => hunt<{ ProcessCommandLine: string; n: number }>(`DeviceProcessEvents | where FileName == "true" and ProcessCommandLine has "${marker}" | summarize n = count() by ProcessCommandLine`),
      (r) => r.length >= 200, 60_000);
    const missing = Array.from({ length: 200 }, (_, i) => `/bin/true ${marker}-${i}`).filter((c) => !rows.some((r) => r.ProcessCommandLine === c));
    expect(missing, sensor!.output().split('\n').filter((l) => l.includes('"warn"')).slice(-20).join('\n')).toEqual([]);
    expect(rows.length).toBe(200);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  }, 120_000);
});
