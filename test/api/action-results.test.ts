/**
 * Action results end to end in process: a device uploads its investigation package and live
 * response results (`PUT /sensor/v1/actions/{id}/results/{index}`), callers get signed links
 * (`getPackageUri`, `GetLiveResponseResultDownloadLink(index=N)`, 404 until there is something to
 * fetch), and the links download without an Authorization header until they expire (30 minutes);
 * a tampered or expired link is 403. Bad input answers in MDE's error shape.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let now = Date.now();
let token: string;
let dev: { deviceId: string; deviceCredential: string };
let other: { deviceId: string; deviceCredential: string };

async function enroll(name: string) {
  const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
  const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: name, osPlatform: 'Linux' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { deviceId: string; deviceCredential: string };
}

beforeAll(async () => {
  h = await startHarness({ clock: () => new Date(now) });
  token = await h.token(['Machine.Read.All', 'Machine.CollectForensics', 'Machine.LiveResponse', 'Machine.Isolate']);
  dev = await enroll('results-host');
  other = await enroll('other-host');
});
afterAll(async () => h?.close());

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, host: 'palisade.example:8443' }, payload: payload as object });
const device = (d: typeof dev) => ({ authorization: `Device ${d.deviceId}:${d.deviceCredential}` });
const upload = (d: typeof dev, id: string, index: number | string, body: Buffer | string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'PUT', url: `/sensor/v1/actions/${id}/results/${index}`, headers: { ...device(d), 'content-type': 'application/octet-stream', ...headers }, payload: body });
const progress = (id: string, body: object) => h.app.inject({ method: 'POST', url: `/sensor/v1/actions/${id}/progress`, headers: device(dev), payload: body });
/** Follows a link as Splunk SOAR does: no Authorization header. */
const follow = (link: string) => {
  const u = new URL(link);
  expect(u.origin).toBe('http://palisade.example:8443');
  return h.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` });
};

describe('investigation package', () => {
  let actionId: string;
  const pkg = randomBytes(3 * 1024 * 1024);

  it('is 404 before the collection Succeeded, and takes uploads only from its own device and index', async () => {
    const created = await api('POST', `/api/machines/${dev.deviceId}/collectInvestigationPackage`, { Comment: 'collect' });
    expect(created.statusCode, created.body).toBe(201);
    actionId = created.json().id;
    const early = await api('GET', `/api/machineactions/${actionId}/getPackageUri`);
    expect(early.statusCode).toBe(404);
    expect(early.json().error.code).toBe('ResourceNotFound');

    const foreign = await upload(other, actionId, 0, 'not yours');
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([404, 'ResourceNotFound']);
    const unknown = await upload(dev, randomUUID(), 0, 'x');
    expect(unknown.statusCode).toBe(404);
    const wrongIndex = await upload(dev, actionId, 1, 'x');
    expect([wrongIndex.statusCode, wrongIndex.json().error.code]).toEqual([400, 'BadRequest']);
    const badIndex = await upload(dev, actionId, 'first', 'x');
    expect(badIndex.statusCode).toBe(400);
    const tooBig = await upload(dev, actionId, 0, 'x', { 'content-length': String(600 * 1024 * 1024) });
    expect([tooBig.statusCode, tooBig.json().error.code]).toEqual([413, 'PayloadTooLarge']);

    const ok = await upload(dev, actionId, 0, pkg);
    expect(ok.statusCode, ok.body).toBe(204);
    await progress(actionId, { status: 'InProgress' });
    const still = await api('GET', `/api/machineactions/${actionId}/getPackageUri`);
    expect(still.statusCode).toBe(404);
  });

  it('answers a signed link once Succeeded, which downloads without authorization', async () => {
    expect((await progress(actionId, { status: 'Succeeded' })).json()).toEqual({ status: 'Succeeded' });
    const res = await api('GET', `/api/machineactions/${actionId}/getPackageUri`);
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json())).toEqual(['@odata.context', 'value']);
    expect(res.json()['@odata.context']).toBe('http://palisade.example:8443/api/$metadata#Edm.String');
    const got = await follow(res.json().value);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/gzip');
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="results-host-investigation-package-[0-9a-f-]{36}\.tar\.gz"$/);
    expect(got.rawPayload.equals(pkg)).toBe(true);
  });

  it('refuses a tampered or expired link with 403, and a link to another result', async () => {
    const link = new URL((await api('GET', `/api/machineactions/${actionId}/getPackageUri`)).json().value);
    const sig = link.searchParams.get('signature')!;
    const tampered = new URL(link);
    tampered.searchParams.set('signature', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    const later = new URL(link);
    later.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3600));
    const otherIndex = new URL(link);
    otherIndex.pathname = otherIndex.pathname.replace(/\/0$/, '/1');
    const bare = new URL(link);
    bare.search = '';
    for (const u of [tampered, later, otherIndex, bare]) {
      const res = await follow(u.toString());
      expect(res.statusCode, u.toString()).toBe(403);
      expect(res.json().error.code).toBe('Forbidden');
    }
    now += 29 * 60_000;
    expect((await follow(link.toString())).statusCode).toBe(200);
    now += 2 * 60_000;
    const expired = await follow(link.toString());
    expect([expired.statusCode, expired.json().error.message]).toEqual([403, expect.stringMatching(/expired/)]);
  });

  it('answers bad ids and other kinds of action in MDE\'s shape', async () => {
    const notGuid = await api('GET', '/api/machineactions/556b3952acb0bff29816d267822305781cc183ec/getPackageUri');
    expect(notGuid.statusCode).toBe(400);
    expect(notGuid.json().error).toMatchObject({ code: 'BadRequest', message: "The key value (556b3952acb0bff29816d267822305781cc183ec) from request is not valid. The key value should be format of type 'Edm.Guid'." });
    const isolate = await api('POST', `/api/machines/${other.deviceId}/isolate`, { Comment: 'x', IsolationType: 'Full' });
    const wrongKind = await api('GET', `/api/machineactions/${isolate.json().id}/getPackageUri`);
    expect(wrongKind.json().error).toMatchObject({ code: 'InvalidInput', message: 'Provided Guid is not a valid id for a CollectInvestigationPackage action' });
    const missing = await api('GET', `/api/machineactions/${randomUUID()}/getPackageUri`);
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'ResourceNotFound']);
    const noUpload = await upload(other, isolate.json().id, 0, 'x');
    expect(noUpload.statusCode).toBe(400);
  });
});

describe('live response results', () => {
  let actionId: string;
  const output = { script_name: 'collect.sh', exit_code: 0, script_output: 'collected 42\n', script_errors: '' };

  it('links each command\'s result once it Completed: RunScript\'s JSON, GetFile\'s file', async () => {
    const created = await api('POST', `/api/machines/${dev.deviceId}/runliveresponse`, {
      Comment: 'lr',
      Commands: [
        { type: 'PutFile', params: [{ key: 'FileName', value: 'collect.sh' }] },
        { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.sh' }, { key: 'Args', value: '42' }] },
        { type: 'GetFile', params: [{ key: 'Path', value: '/var/log/app/current.log' }] },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    actionId = created.json().id;
    const link = (index: number) => api('GET', `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=${index})`);
    expect((await link(1)).statusCode).toBe(404);
    expect((await upload(dev, actionId, 0, 'x')).statusCode).toBe(400);

    await progress(actionId, { status: 'InProgress', commandIndex: 0, commandStatus: 'Completed' });
    expect((await upload(dev, actionId, 1, JSON.stringify(output), { 'content-type': 'application/json' })).statusCode).toBe(204);
    await progress(actionId, { status: 'InProgress', commandIndex: 1, commandStatus: 'Completed' });
    const script = await link(1);
    expect(script.statusCode, script.body).toBe(200);
    const got = await follow(script.json().value);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.json()).toEqual(output);

    expect((await link(2)).statusCode).toBe(404);
    expect((await upload(dev, actionId, 2, 'line one\nline two\n')).statusCode).toBe(204);
    await progress(actionId, { status: 'Succeeded', commandIndex: 2, commandStatus: 'Completed' });
    const file = await follow((await link(2)).json().value);
    expect([file.body, file.headers['content-disposition']]).toEqual(['line one\nline two\n', 'attachment; filename="current.log"']);

    const putFile = await link(0);
    expect([putFile.statusCode, putFile.json().error.code]).toEqual([400, 'BadRequest']);
    const noCommand = await link(7);
    expect([noCommand.statusCode, noCommand.json().error.code]).toEqual([400, 'InvalidInput']);
  });

  it('needs a read permission or Machine.LiveResponse, and keeps tenants apart', async () => {
    const isolateOnly = await h.token(['Machine.Isolate']);
    const refused = await h.app.inject({ method: 'GET', url: `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=1)`, headers: { authorization: `Bearer ${isolateOnly}` } });
    expect(refused.statusCode).toBe(403);
    const t2 = await h.newTenant('Elsewhere');
    const foreign = await h.token(['Machine.Read.All'], t2.id);
    const hidden = await h.app.inject({ method: 'GET', url: `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=1)`, headers: { authorization: `Bearer ${foreign}` } });
    expect(hidden.statusCode).toBe(404);
  });

  it('records every upload in the audit trail, refusals included', async () => {
    const records = (await h.state.audit.list(h.tenantId, 500)).filter((r) => r.action === 'action.result.upload');
    expect(records.some((r) => r.actorKind === 'device' && r.actorId === dev.deviceId && r.target === `${actionId}/1` && r.result === 'success')).toBe(true);
    expect(records.some((r) => r.actorId === other.deviceId && r.result === 'failure')).toBe(true);
  });
});

describe('getPackageUri quota', () => {
  it('allows 2 calls a minute per tenant (MDE), then 429 with Retry-After', async () => {
    const q = await startHarness({ throttle: true });
    try {
      const t = await q.token(['Machine.Read.All']);
      const call = () => q.app.inject({ method: 'GET', url: `/api/machineactions/${randomUUID()}/getPackageUri`, headers: { authorization: `Bearer ${t}` } });
      expect((await call()).statusCode).toBe(404);
      expect((await call()).statusCode).toBe(404);
      const third = await call();
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await q.close();
    }
  });
});
