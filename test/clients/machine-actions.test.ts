/**
 * The machine-action sequences of the MDE clients in clients.md, replayed against a real
 * `palisade serve` (HTTPS on 127.0.0.1, stopped by PID at the end) with devices attached, each
 * request as the client's HTTP library puts it on the wire (path and query encoding, headers, body
 * bytes), and every field each client reads checked:
 *
 * - Kibana's Microsoft Defender for Endpoint connector (axios: `params` encoded with `$`, `'`, `(`,
 *   `,` kept and spaces as `+`; compact JSON bodies): the connector test on a made-up machine id
 *   (only `ResourceNotFound` counts as success), GET machine, isolate / unisolate, runliveresponse
 *   RunScript with `--noargs`, the status poll `$filter=id in (…)&$top=1000` (status, requestor,
 *   cancellationComment, commands[0].errors), the library list, the result link streamed, cancel,
 *   and `ActiveRequestAlreadyExists`.
 * - Cortex XSOAR (Python requests: `params` urlencoded with quote_plus, `json=` bodies with `", "` and
 *   `": "` separators): every action route it calls, each action's id and status, getPackageUri and
 *   GetLiveResponseResultDownloadLink(index=N) values.
 * - Splunk SOAR (Python requests with the query written into the URL; `Content-Type:
 *   application/json` on every request, GET included, with no body): `StopAndQuarantineFile` with a
 *   capital S, waiting on actions with GET /machineactions/{id}, getPackageUri, and the live response
 *   result link downloaded without an Authorization header and parsed as JSON.
 *
 * The devices are real `palisade sensor` processes carrying the actions out (root): the server and
 * the sensors run inside a network namespace this test creates, so isolation's nftables table exists
 * only there; the test reaches the server through a relay (test/support/server-process.ts).
 * Restricted execution is confined to a tmpfs the test mounts (`--restrict-path`), the files stopped
 * and quarantined are copies of /bin/sleep the test started, and GetFile reads a file the test
 * wrote. Namespace, mount, processes and folders are removed at the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '../sensor/support/netns.ts';
import { multipartBody } from '../support/multipart.ts';
import { startSensorProcess, type SensorProcess } from '../support/sensor-process.ts';
import { httpsPost, startServerProcess, type DeviceCredentials, type ServerProcess } from '../support/server-process.ts';

const topo = new Topology();
const work = mkdtempSync(join(tmpdir(), 'palisade-client-actions-'));
/** The tmpfs RestrictCodeExecution guards (mounted by this test). */
const guarded = join(work, 'guarded');
let srv: ServerProcess;
let token: string;
let online: DeviceCredentials;
let offline: DeviceCredentials;
const sensors: SensorProcess[] = [];
const started: ChildProcess[] = [];
let mounted = false;

/** A device that carries out its actions: a real sensor enrolled through an onboarding package, in the test's namespace. */
async function attachSensor(ns: string, name: string): Promise<DeviceCredentials> {
  const stateDir = join(work, `state-${name}`);
  const pkg = join(work, `onboarding-${name}.json`);
  await srv.cli(['admin', 'onboarding-package', '--out', pkg, '--expires', '1h', '--url', srv.innerUrl]);
  const sensor = await startSensorProcess({
    netns: ns, stateDir, onboarding: pkg,
    args: ['--no-process', '--restrict-path', guarded, '--quick-scan-path', join(work, 'drop'), '--log-level', 'warn'],
  });
  sensors.push(sensor);
  const stored = JSON.parse(readFileSync(join(stateDir, 'credential.json'), 'utf8')) as DeviceCredentials;
  return { deviceId: stored.deviceId, deviceCredential: stored.deviceCredential };
}

/** Starts a uniquely hashed copy of /bin/sleep (a process this test owns); returns its SHA1. */
function startTestBinary(name: string): { sha1: string; child: ChildProcess } {
  const path = join(work, name);
  copyFileSync('/bin/sleep', path);
  appendFileSync(path, `\n${randomUUID()}\n`);
  const child = spawn(path, ['600'], { stdio: 'ignore' });
  started.push(child);
  return { sha1: createHash('sha1').update(readFileSync(path)).digest('hex'), child };
}

let ns = '';
beforeAll(async () => {
  ns = topo.namespace('rpl');
  execFileSync('mkdir', ['-p', guarded, join(work, 'drop')]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'palisade-test', guarded]);
  mounted = true;
  writeFileSync(join(work, 'log.txt'), 'a log line the GetFile command uploads\n');
  srv = await startServerProcess({ netns: ns, args: ['--no-throttle', '--log-level', 'error'] });
  const app = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'clients', '--json', '--permissions',
    'Machine.Read.All,Machine.ReadWrite.All,Machine.Isolate,Machine.RestrictExecution,Machine.Scan,Machine.CollectForensics,Machine.StopAndQuarantine,Machine.LiveResponse,Machine.Offboard,Library.Manage'])) as { tenantId: string; clientId: string; clientSecret: string };
  const tok = await httpsPost(`${srv.url}/${app.tenantId}/oauth2/v2.0/token`, srv.ca,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' });
  token = JSON.parse(tok.body).access_token;
  online = await attachSensor(ns, 'client-online');
  offline = await srv.enrollDevice('client-offline');
  // the script Kibana's and XSOAR's RunScript name, in the library
  const form = multipartBody([{ name: 'Description', value: 'Collects logs' }, { name: 'File', fileName: 'collect.sh', content: '#!/bin/sh\necho collected "$@"\n' }]);
  const up = await send('POST', '/api/libraryfiles', { 'Content-Type': form.contentType }, form.body);
  expect(up.status, up.text).toBe(200);
}, 180_000);

afterAll(async () => {
  try {
    for (const s of sensors) await s.stop();
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await srv?.stop();
  } finally {
    srv?.cleanup();
    topo.destroy();
    if (mounted) execFileSync('umount', [guarded]);
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);

/** One request exactly as given (method, path with its query, headers, body bytes); the bearer token unless `auth` is false. */
function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer, auth = true): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${srv.url}${path}`, {
      method, ca: srv.ca, agent: false,
      headers: { ...(auth ? { Authorization: `Bearer ${token}` } : {}), ...headers, ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const json = (r: { text: string }) => JSON.parse(r.text);
/** Follows a link as a client does: the URL as given, no Authorization header. */
const download = (link: string, headers: Record<string, string> = {}) => {
  const u = new URL(link);
  expect(`${u.protocol}//${u.host}`).toBe(srv.url);
  return send('GET', `${u.pathname}${u.search}`, headers, undefined, false);
};

/** Polls GET /api/machineactions/{id} (Splunk SOAR waits so, 5 s apart; here 100 ms) until the status is final. */
async function waitFinal(id: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1200; i++) {
    const r = await send('GET', `/api/machineactions/${id}`, headers);
    expect(r.status, r.text).toBe(200);
    const a = json(r);
    if (['Succeeded', 'Failed', 'TimeOut', 'Cancelled'].includes(a.status)) return a;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`action ${id} did not finish`);
}

describe("Kibana's Microsoft Defender for Endpoint connector", () => {
  const axios = { Accept: 'application/json, text/plain, */*', 'User-Agent': 'axios/1.7.9' };
  const post = (path: string, body: object) => send('POST', path, { ...axios, 'Content-Type': 'application/json' }, JSON.stringify(body));

  it("passes the connector test: every action route on a made-up machine answers ResourceNotFound", async () => {
    const madeUp = 'elastic-connector-test-1234567890';
    for (const [path, body] of [
      ['isolate', { Comment: 'connector test', IsolationType: 'Full' }],
      ['unisolate', { Comment: 'connector test' }],
      ['runliveresponse', { Comment: 'connector test', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'test.sh' }] }] }],
    ] as const) {
      const r = await post(`/api/machines/${madeUp}/${path}`, body);
      expect(r.status).toBe(404);
      expect(json(r).error.code).toBe('ResourceNotFound');
      expect(r.text).toContain('ResourceNotFound');
    }
  });

  it('isolates and releases a machine, polling the actions by id', async () => {
    const machine = await send('GET', `/api/machines/${online.deviceId}`, axios);
    expect(json(machine).computerDnsName).toBe(hostname());
    const isolate = await post(`/api/machines/${online.deviceId}/isolate`, { Comment: 'Isolated by Elastic Security', IsolationType: 'Full' });
    expect(isolate.status, isolate.text).toBe(201);
    const id = json(isolate).id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFinal(id, axios);
    const polled = await send('GET', `/api/machineactions?$filter=id+in+('${id}')&$top=1000`, axios);
    expect(polled.status, polled.text).toBe(200);
    const [a] = json(polled).value;
    expect(a).toMatchObject({ id, status: 'Succeeded', requestor: expect.any(String), cancellationComment: null });
    expect(a.requestor).not.toBe('');

    const release = await post(`/api/machines/${online.deviceId}/unisolate`, { Comment: 'Released by Elastic Security' });
    expect(release.status, release.text).toBe(201);
    expect(json(release).id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await waitFinal(json(release).id, axios)).status).toBe('Succeeded');
  });

  it('runs a library script with --noargs and streams its result through the link', async () => {
    const library = await send('GET', '/api/libraryfiles', axios);
    expect(library.status).toBe(200);
    expect(json(library).value.map((f: { fileName: string; description: string }) => [f.fileName, f.description])).toEqual([['collect.sh', 'Collects logs']]);
    const run = await post(`/api/machines/${online.deviceId}/runliveresponse`, {
      Comment: 'Run script collect.sh', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }, { key: 'Args', value: '--noargs' }] }],
    });
    expect(run.status, run.text).toBe(201);
    const id = json(run).id as string;
    await waitFinal(id, axios);
    const polled = json(await send('GET', `/api/machineactions?$filter=id+in+('${id}')&$top=1000`, axios)).value[0];
    expect(polled.status).toBe('Succeeded');
    expect(polled.commands[0].errors).toEqual([]);
    const link = await send('GET', `/api/machineactions/${id}/GetLiveResponseResultDownloadLink(index=0)`, axios);
    expect(link.status, link.text).toBe(200);
    const result = await download(json(link).value, { Accept: 'application/json, text/plain, */*' });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ script_name: 'collect.sh', exit_code: 0, script_output: expect.stringContaining('--noargs'), script_errors: '' });
  });

  it('cancels a pending action, and says ActiveRequestAlreadyExists to a second request while one is pending', async () => {
    const first = await post(`/api/machines/${offline.deviceId}/isolate`, { Comment: 'first', IsolationType: 'Full' });
    expect(first.status).toBe(201);
    const second = await post(`/api/machines/${offline.deviceId}/isolate`, { Comment: 'second', IsolationType: 'Full' });
    expect(second.status).toBe(400);
    expect(json(second).error.code).toBe('ActiveRequestAlreadyExists');
    const lr1 = await post(`/api/machines/${offline.deviceId}/runliveresponse`, { Comment: 'one', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }] }] });
    const lr2 = await post(`/api/machines/${offline.deviceId}/runliveresponse`, { Comment: 'two', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }] }] });
    expect([lr1.status, lr2.status, json(lr2).error.code]).toEqual([201, 400, 'ActiveRequestAlreadyExists']);

    const cancel = await post(`/api/machineactions/${json(first).id}/cancel`, { Comment: 'Action cancelled by Elastic' });
    expect(cancel.status, cancel.text).toBe(200);
    const polled = json(await send('GET', `/api/machineactions?$filter=id+in+('${json(first).id}','${json(lr1).id}')&$top=1000`, axios)).value;
    const byId = new Map(polled.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(json(first).id)).toMatchObject({ status: 'Cancelled', cancellationComment: 'Action cancelled by Elastic' });
    expect(byId.get(json(lr1).id)).toMatchObject({ status: 'Pending', cancellationComment: null });
    expect((byId.get(json(lr1).id) as { commands: { errors: unknown[] }[] }).commands[0].errors).toEqual([]);
  });
});

describe('Cortex XSOAR (MicrosoftDefenderAdvancedThreatProtection)', () => {
  const requests = { 'User-Agent': 'python-requests/2.31.0', 'Accept-Encoding': 'gzip, deflate', Accept: 'application/json', Connection: 'keep-alive' };
  /** Python's json.dumps with its default separators, as `requests` sends `json=`. */
  const dumps = (o: unknown): string => JSON.stringify(o, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');
  const post = (path: string, body: object) => send('POST', path, { ...requests, 'Content-Type': 'application/json' }, dumps(body));

  it('runs every action it offers, reading each action id and status', async () => {
    expect(dumps({ Comment: 'a', IsolationType: 'Full' })).toBe('{"Comment": "a", "IsolationType": "Full"}');
    const { sha1, child } = startTestBinary('xsoar-target');
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const sequence: [string, object][] = [
      ['isolate', { Comment: 'XSOAR isolate', IsolationType: 'Selective' }],
      ['unisolate', { Comment: 'XSOAR unisolate' }],
      ['runAntiVirusScan', { Comment: 'XSOAR scan', ScanType: 'Quick' }],
      ['restrictCodeExecution', { Comment: 'XSOAR restrict' }],
      ['unrestrictCodeExecution', { Comment: 'XSOAR unrestrict' }],
      ['stopAndQuarantineFile', { Comment: 'XSOAR quarantine', Sha1: sha1 }],
    ];
    for (const [path, body] of sequence) {
      const r = await post(`/api/machines/${online.deviceId}/${path}`, body);
      expect(r.status, `${path}: ${r.text}`).toBe(201);
      const a = json(r);
      expect(a.status).toBe('Pending');
      expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await waitFinal(a.id, requests)).status, path).toBe('Succeeded');
    }
    // the sensor stopped the process and moved its file away
    await exited;
    expect(existsSync(join(work, 'xsoar-target'))).toBe(false);
  }, 300_000);

  it('collects an investigation package and gets its link; runs live response and gets each result link', async () => {
    const collect = await post(`/api/machines/${online.deviceId}/collectInvestigationPackage`, { Comment: 'XSOAR collect' });
    expect(collect.status, collect.text).toBe(201);
    const collectId = json(collect).id;
    await waitFinal(collectId, requests);
    const uri = await send('GET', `/api/machineactions/${collectId}/getPackageUri`, requests);
    expect(uri.status, uri.text).toBe(200);
    expect(json(uri)['@odata.context']).toMatch(/\/api\/\$metadata#Edm\.String$/);
    const pkg = await download(json(uri).value);
    expect(pkg.status).toBe(200);
    expect(pkg.bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    const lr = await post(`/api/machines/${online.deviceId}/runliveresponse`, {
      Comment: 'XSOAR live response', Commands: [
        { type: 'PutFile', params: [{ key: 'FileName', value: 'collect.sh' }] },
        { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }, { key: 'Args', value: '-v' }] },
        { type: 'GetFile', params: [{ key: 'Path', value: join(work, 'log.txt') }] },
      ],
    });
    expect(lr.status, lr.text).toBe(201);
    const lrId = json(lr).id;
    const done = await waitFinal(lrId, requests);
    expect((done.commands as { commandStatus: string }[]).map((c) => c.commandStatus)).toEqual(['Completed', 'Completed', 'Completed']);
    for (const index of [1, 2]) {
      const link = await send('GET', `/api/machineactions/${lrId}/GetLiveResponseResultDownloadLink(index=${index})`, requests);
      expect(link.status, link.text).toBe(200);
      const got = await download(json(link).value);
      expect(got.status).toBe(200);
      if (index === 1) expect(JSON.parse(got.text)).toMatchObject({ script_name: 'collect.sh', exit_code: 0, script_output: 'collected -v\n' });
      else expect(got.text).toBe('a log line the GetFile command uploads\n');
    }
  }, 300_000);

  it('offboards last: the device reports Succeeded and its credential stops working', async () => {
    const off = await post(`/api/machines/${online.deviceId}/offboard`, { Comment: 'XSOAR offboard' });
    expect(off.status, off.text).toBe(201);
    expect((await waitFinal(json(off).id, requests)).status).toBe('Succeeded');
    const after = await send('POST', '/sensor/v1/heartbeat', { 'Content-Type': 'application/json', Authorization: `Device ${online.deviceId}:${online.deviceCredential}` }, '{}', false);
    expect(after.status).toBe(401);
  });
});

describe('Splunk SOAR (windowsdefenderatp)', () => {
  // Splunk sends Content-Type: application/json on every request, GET included, with no body
  const splunk = { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'python-requests/2.31.0' };
  let device: DeviceCredentials;

  beforeAll(async () => {
    device = await attachSensor(ns, 'splunk-host');
  }, 120_000);

  it('quarantines with StopAndQuarantineFile (capital S), waiting on the action', async () => {
    const { sha1 } = startTestBinary('splunk-target');
    const r = await send('POST', `/api/machines/${device.deviceId}/StopAndQuarantineFile`, splunk, JSON.stringify({ Comment: 'Splunk quarantine', Sha1: sha1 }));
    expect(r.status, r.text).toBe(201);
    const a = await waitFinal(json(r).id, splunk);
    expect(a).toMatchObject({ type: 'StopAndQuarantineFile', status: 'Succeeded', relatedFileInfo: { fileIdentifier: sha1, fileIdentifierType: 'Sha1' } });
  }, 120_000);

  it('gets the package URI, and downloads a live response result without authorization, parsing its JSON', async () => {
    const collect = await send('POST', `/api/machines/${device.deviceId}/collectInvestigationPackage`, splunk, JSON.stringify({ Comment: 'Splunk collect' }));
    const collectId = json(collect).id;
    await waitFinal(collectId, splunk);
    const uri = await send('GET', `/api/machineactions/${collectId}/getPackageUri`, splunk);
    expect(uri.status, uri.text).toBe(200);
    expect(typeof json(uri).value).toBe('string');

    const lr = await send('POST', `/api/machines/${device.deviceId}/runliveresponse`, splunk, JSON.stringify({
      Comment: 'Splunk live response', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }] }],
    }));
    expect(lr.status, lr.text).toBe(201);
    await waitFinal(json(lr).id, splunk);
    const link = await send('GET', `/api/machineactions/${json(lr).id}/GetLiveResponseResultDownloadLink(index=0)`, splunk);
    expect(link.status, link.text).toBe(200);
    const result = await download(json(link).value, { 'User-Agent': 'python-requests/2.31.0' });
    expect(result.status).toBe(200);
    const parsed = JSON.parse(result.text);
    expect(Object.keys(parsed)).toEqual(['script_name', 'exit_code', 'script_output', 'script_errors']);
    expect(parsed).toMatchObject({ script_name: 'collect.sh', exit_code: 0, script_output: 'collected\n' });
  }, 300_000);
});
