/**
 * Machine actions carried out by the reference sensor, end to end: a real `palisade serve` and
 * `palisade sensor` on 127.0.0.1 (root), actions created through the API and followed to their
 * final status, their results downloaded through the signed links (the investigation package, a
 * RunScript's output). Every effect is confined to what the test owns: StopAndQuarantineFile and
 * the Block indicator act on uniquely hashed copies of /bin/sleep the test starts, and the
 * sensor's RestrictCodeExecution guards only a tmpfs the test mounts (`--restrict-path`).
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsPost, httpsRequest, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { startSensorProcess, type SensorProcess } from '../support/sensor-process.ts';
import { multipartBody } from '../support/multipart.ts';
import { ended, startProcess, uniqueCopy } from './support/test-binaries.ts';

const dir = mkdtempSync(join(tmpdir(), 'pal-actions-e2e-'));
const stateDir = join(dir, 'state');
const mnt = join(dir, 'mnt');
const scanDir = join(dir, 'scan');
let mounted = false;
let srv: ServerProcess;
let sensor: SensorProcess | undefined;
let creds: { tenantId: string; clientId: string; clientSecret: string };
const started: ChildProcess[] = [];

async function token(): Promise<string> {
  const res = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${await token()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await httpsRequest(method, `${srv.url}${path}`, srv.ca, headers, body === undefined ? undefined : JSON.stringify(body));
  return { status: r.status, json: r.body ? JSON.parse(r.body) as Record<string, unknown> : {} };
}

/** Downloads a signed result link (no Authorization header, as Splunk SOAR does) into a file; returns its path. */
async function download(link: string, to: string): Promise<string> {
  const r = await fetchBytes(link);
  expect(r.status).toBe(200);
  writeFileSync(to, r.body);
  return to;
}

function fetchBytes(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: srv.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** Creates an action on the sensor's machine and waits (≤ 60 s) for a final status; returns the action. */
async function act(route: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const created = await api('POST', `/api/machines/${sensor!.deviceId}/${route}`, body);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const end = Date.now() + 60_000;
  for (;;) {
    const got = await api('GET', `/api/machineactions/${created.json.id as string}`);
    if (!['Pending', 'InProgress'].includes(got.json.status as string) || Date.now() > end) return got.json;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0755', 'palisade-e2e-test', mnt]);
  mounted = true;
  srv = await startServerProcess({ args: ['--no-throttle'] });
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'actions-e2e', '--permissions',
    'Machine.Read.All,Machine.StopAndQuarantine,Machine.RestrictExecution,Machine.CollectForensics,Machine.LiveResponse,Machine.Scan,Library.Manage,Ti.ReadWrite.All,AdvancedQuery.Read.All,Alert.Read.All', '--json'])) as typeof creds;
  const pkg = join(srv.dataDir, 'onboarding.json');
  await srv.cli(['admin', 'onboarding-package', '--out', pkg, '--expires', '1h']);
  mkdirSync(scanDir);
  sensor = await startSensorProcess({ stateDir, onboarding: pkg, args: ['--restrict-path', mnt, '--quick-scan-path', scanDir] });
}, 180_000);

afterAll(async () => {
  await sensor?.stop();
  await srv?.stop();
  srv?.cleanup();
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('actions carried out by palisade sensor', () => {
  it('StopAndQuarantineFile stops the running test binary and quarantines it; the action Succeeded', async () => {
    const bin = join(dir, 'e2e-stop-me');
    const h = uniqueCopy('/bin/sleep', bin);
    const p = await startProcess(bin, ['300']);
    started.push(p);
    const action = await act('StopAndQuarantineFile', { Comment: 'e2e quarantine', Sha1: h.sha1 });
    expect(action.status, sensor!.output().slice(-2000)).toBe('Succeeded');
    expect(action.type).toBe('StopAndQuarantineFile');
    expect(await ended(p)).toBe('SIGKILL');
    expect(existsSync(bin)).toBe(false);
    const records = readdirSync(join(stateDir, 'quarantine')).filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(stateDir, 'quarantine', f), 'utf8')) as { originalPath: string; sha1: string });
    expect(records).toContainEqual(expect.objectContaining({ originalPath: bin, sha1: h.sha1 }));
  }, 120_000);

  it('RestrictCodeExecution denies a new binary on the guarded tmpfs; UnrestrictCodeExecution lets it run', async () => {
    copyFileSync('/bin/true', join(mnt, 'present'));
    const restricted = await act('restrictCodeExecution', { Comment: 'e2e restrict' });
    expect(restricted.status, sensor!.output().slice(-2000)).toBe('Succeeded');
    expect(spawnSync(join(mnt, 'present')).status).toBe(0);
    copyFileSync('/bin/true', join(mnt, 'newcomer'));
    expect((spawnSync(join(mnt, 'newcomer')).error as NodeJS.ErrnoException | undefined)?.code).toBe('EPERM');
    // the denial reaches the server as a DeviceEvents row
    const end = Date.now() + 30_000;
    let rows: { FolderPath: string }[] = [];
    while (rows.length === 0 && Date.now() < end) {
      const r = await httpsPost(`${srv.url}/api/advancedqueries/run`, srv.ca, JSON.stringify({ Query: `DeviceEvents | where ActionType == "AppControlCodeIntegrityPolicyBlocked" and FolderPath == "${join(mnt, 'newcomer')}" | project FolderPath` }), { 'content-type': 'application/json', authorization: `Bearer ${await token()}` });
      rows = (JSON.parse(r.body) as { Results: { FolderPath: string }[] }).Results ?? [];
      if (rows.length === 0) await new Promise((r2) => setTimeout(r2, 1000));
    }
    expect(rows).toHaveLength(1);
    const lifted = await act('unrestrictCodeExecution', { Comment: 'e2e unrestrict' });
    expect(lifted.status).toBe('Succeeded');
    expect(spawnSync(join(mnt, 'newcomer')).status).toBe(0);
  }, 120_000);

  it('an indicator with Block kills a running process of that hash, and one started after', async () => {
    const bin = join(dir, 'e2e-blocked');
    const h = uniqueCopy('/bin/sleep', bin);
    copyFileSync(bin, join(dir, 'e2e-blocked-src'));
    const before = await startProcess(bin, ['300']);
    started.push(before);
    const created = await api('POST', '/api/indicators', {
      indicatorValue: h.sha256, indicatorType: 'FileSha256', action: 'Block', generateAlert: true, severity: 'High',
      title: 'e2e: blocked test binary', description: 'created by the sensor actions end-to-end test',
    });
    expect(created.status, JSON.stringify(created.json)).toBeLessThan(300);
    // the sensor learns of the new indicator version through its /work long-poll and sweeps running processes
    expect(await ended(before, 30_000)).toBe('SIGKILL');
    // the file is quarantined right after the kill
    await expect.poll(() => existsSync(bin), { timeout: 10_000 }).toBe(false);
    // a new start of the same content is stopped at its start (the process collector's observer)
    const again = join(dir, 'e2e-blocked-again');
    copyFileSync(join(dir, 'e2e-blocked-src'), again);
    const after = await startProcess(again, ['300']);
    started.push(after);
    expect(await ended(after, 30_000)).toBe('SIGKILL');
    await expect.poll(() => existsSync(again), { timeout: 10_000 }).toBe(false);
  }, 120_000);

  it('CollectInvestigationPackage: the package downloaded through getPackageUri lists processes, connections, users, cron, services, logs, packages', async () => {
    const action = await act('collectInvestigationPackage', { Comment: 'e2e package' });
    expect(action.status, sensor!.output().slice(-2000)).toBe('Succeeded');
    const uri = await api('GET', `/api/machineactions/${action.id as string}/getPackageUri`);
    expect(uri.status, JSON.stringify(uri.json)).toBe(200);
    const archive = await download(uri.json.value as string, join(dir, 'package.tar.gz'));
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const item of ['./manifest.json', './processes/processes.json', './network/proc-net-tcp', './users/passwd', './cron/files.txt', './systemd/service-units.txt', './software/packages.txt']) {
      expect(listed).toContain(item);
    }
    const procs = JSON.parse(execFileSync('tar', ['-xzOf', archive, './processes/processes.json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { pid: number }[];
    expect(procs.some((p) => p.pid === sensor!.child.pid)).toBe(true);
  }, 120_000);

  it('LiveResponse RunScript: a library script runs with its arguments and its output is downloaded', async () => {
    const { body, contentType } = multipartBody([
      { name: 'file', fileName: 'e2e-report.sh', content: '#!/bin/sh\necho "host=$(hostname) args=$*"\necho warn >&2\nexit 0\n' },
      { name: 'Description', value: 'e2e script' }, { name: 'HasParameters', value: 'true' }, { name: 'OverrideIfExists', value: 'true' },
    ]);
    const up = await httpsRequest('POST', `${srv.url}/api/libraryfiles`, srv.ca, { authorization: `Bearer ${await token()}`, 'content-type': contentType }, body);
    expect(up.status, up.body).toBeLessThan(300);
    const action = await act('runliveresponse', { Comment: 'e2e live response', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'e2e-report.sh' }, { key: 'Args', value: 'alpha "beta gamma"' }] }] });
    expect(action.status, sensor!.output().slice(-2000)).toBe('Succeeded');
    expect((action.commands as { commandStatus: string }[])[0]!.commandStatus).toBe('Completed');
    const link = await api('GET', `/api/machineactions/${action.id as string}/GetLiveResponseResultDownloadLink(index=0)`);
    expect(link.status, JSON.stringify(link.json)).toBe(200);
    const result = JSON.parse(readFileSync(await download(link.json.value as string, join(dir, 'result.json')), 'utf8')) as Record<string, unknown>;
    expect(result).toEqual({ script_name: 'e2e-report.sh', exit_code: 0, script_output: `host=${execFileSync('hostname', { encoding: 'utf8' }).trim()} args=alpha beta gamma\n`, script_errors: 'warn\n' });
  }, 120_000);

  it('RunAntiVirusScan (Quick): a file matching an indicator becomes an AntivirusDetection event and an alert', async () => {
    const content = `e2e scan target ${Date.now()} ${Math.random()}`;
    writeFileSync(join(scanDir, 'dropped.bin'), content);
    const sha1 = createHash('sha1').update(content).digest('hex');
    const created = await api('POST', '/api/indicators', {
      indicatorValue: sha1, indicatorType: 'FileSha1', action: 'Audit', generateAlert: true, severity: 'Medium',
      title: 'e2e: scanned file', description: 'created by the sensor actions end-to-end test',
    });
    expect(created.status, JSON.stringify(created.json)).toBeLessThan(300);
    // the sensor holds the new indicator (kept in its state directory) once its /work answer names the new version
    await expect.poll(() => readFileSync(join(stateDir, 'indicators.json'), 'utf8').toLowerCase().includes(sha1), { timeout: 30_000 }).toBe(true);
    const action = await act('runAntiVirusScan', { Comment: 'e2e scan', ScanType: 'Quick' });
    expect(action.status, sensor!.output().slice(-2000)).toBe('Succeeded');
    expect(action.scope).toBe('Quick');
    const end = Date.now() + 30_000;
    let alerts: { title: string; evidence?: { sha1?: string }[] }[] = [];
    while (alerts.length === 0 && Date.now() < end) {
      const r = await api('GET', `/api/alerts?$filter=machineId eq '${sensor!.deviceId}'&$expand=evidence`);
      alerts = ((r.json.value ?? []) as typeof alerts).filter((a) => a.evidence?.some((e) => e.sha1 === sha1));
      if (alerts.length === 0) await new Promise((r2) => setTimeout(r2, 1000));
    }
    expect(alerts.length).toBeGreaterThan(0);
  }, 120_000);
});
