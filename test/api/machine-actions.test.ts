/**
 * The machine actions API and the action protocol through HTTP: every action route (201, Pending,
 * the corpus samples' keys), bad input as the issue lists it, OData on the list, a machine's actions
 * and available actions, cancel, the sensor's long-poll (woken at once by a new action), progress
 * reports and their rules, offboarding revoking the credential, and expiry into TimeOut.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkResult } from '../../src/sensor/transport/protocol.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/api-samples/${name}`, import.meta.url), 'utf8');
/** The keys of a machine action as Elastic's capture of /api/machineactions shows them, in order. */
const SAMPLE_KEYS = Object.keys(JSON.parse(fixture('machineactions/elastic-mde-machine-action.test.ndjson').split('\n')[0]) as object);

let h: Harness;
let token: string;
let reader: string;

beforeAll(async () => {
  h = await startHarness();
  token = await h.token(['Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.StopAndQuarantine', 'Machine.LiveResponse', 'Machine.Offboard', 'Machine.Read.All']);
  reader = await h.token(['Machine.Read.All']);
});
afterAll(async () => h?.close());

const api = (method: 'GET' | 'POST', url: string, payload?: unknown, bearer = token) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

async function enroll(name: string) {
  const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
  const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: name, osPlatform: 'Linux' } });
  expect(res.statusCode, res.body).toBe(201);
  const e = res.json() as { deviceId: string; deviceCredential: string };
  return { id: e.deviceId, auth: `Device ${e.deviceId}:${e.deviceCredential}` };
}

const work = (auth: string, query = 'wait=0') => h.app.inject({ method: 'GET', url: `/sensor/v1/work?${query}`, headers: { authorization: auth } });
const report = (auth: string, id: string, body: object) => h.app.inject({ method: 'POST', url: `/sensor/v1/actions/${id}/progress`, headers: { authorization: auth }, payload: body });

describe('action routes', () => {
  it('create each kind Pending (201) with the samples\' keys in their order', async () => {
    const d = await enroll('kinds-host');
    const cases: [string, object, string, string | null][] = [
      ['isolate', { Comment: 'c', IsolationType: 'Selective' }, 'Isolate', 'Selective'],
      ['unisolate', { Comment: 'c' }, 'Unisolate', null],
      ['restrictCodeExecution', { Comment: 'c' }, 'RestrictCodeExecution', null],
      ['unrestrictCodeExecution', { Comment: 'c' }, 'UnrestrictCodeExecution', null],
      ['runAntiVirusScan', { Comment: 'c', ScanType: 'Quick' }, 'RunAntiVirusScan', 'Quick'],
      ['collectInvestigationPackage', { Comment: 'c' }, 'CollectInvestigationPackage', null],
      ['stopAndQuarantineFile', { Comment: 'c', Sha1: 'AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D' }, 'StopAndQuarantineFile', null],
      ['offboard', { Comment: 'c' }, 'Offboard', null],
      ['runliveresponse', { Comment: 'c', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'x.sh' }, { key: 'Args', value: '--noargs' }] }] }, 'LiveResponse', null],
    ];
    for (const [path, body, type, scope] of cases) {
      const res = await api('POST', `/api/machines/${d.id}/${path}`, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(201);
      const a = res.json();
      const { '@odata.context': ctxUrl, ...rest } = a;
      expect(ctxUrl).toMatch(/\/api\/\$metadata#MachineActions\/\$entity$/);
      expect(Object.keys(rest)).toEqual(SAMPLE_KEYS);
      expect(a).toMatchObject({ type, scope, status: 'Pending', machineId: d.id, computerDnsName: 'kinds-host', requestorComment: 'c', requestSource: 'PublicApi', errorHResult: 0 });
      expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const [sq] = (await api('GET', `/api/machineactions?$filter=type eq 'StopAndQuarantineFile'`)).json().value;
    expect(sq.relatedFileInfo).toEqual({ fileIdentifier: 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d', fileIdentifierType: 'Sha1' });
    const [lr] = (await api('GET', `/api/machineactions?$filter=type eq 'LiveResponse'`)).json().value;
    expect(lr.commands).toEqual([{ index: 0, startTime: null, endTime: null, commandStatus: 'Created', errors: [], command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'x.sh' }, { key: 'Args', value: '--noargs' }] } }]);
    // the sensor receives all nine, oldest first
    const w = (await work(d.auth)).json() as WorkResult;
    expect(w.actions.map((x) => x.type)).toEqual(cases.map((c) => c[2]));
    expect(w.actions.find((x) => x.type === 'StopAndQuarantineFile')?.sha1).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(w.actions.find((x) => x.type === 'LiveResponse')?.commands).toEqual([{ index: 0, type: 'RunScript', params: [{ key: 'ScriptName', value: 'x.sh' }, { key: 'Args', value: '--noargs' }] }]);
  });

  it('refuse bad input as the issue lists it', async () => {
    const d = await h.addDevice({ computerDnsName: 'bad-input-host' });
    const err = (res: { statusCode: number; json: () => { error: { code: string; message: string } } }, status: number, code: string) => {
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(code);
      return res.json().error.message;
    };
    // an unknown machine (Kibana's connector test relies on the code)
    for (const path of ['isolate', 'unisolate', 'runliveresponse']) {
      const body = path === 'runliveresponse' ? { Comment: 'x', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'a.sh' }] }] } : { Comment: 'x', IsolationType: 'Full' };
      expect(err(await api('POST', `/api/machines/${'f'.repeat(40)}/${path}`, body), 404, 'ResourceNotFound')).toMatch(/was not found/);
    }
    expect(err(await api('POST', `/api/machines/${d.id}/isolate`, { IsolationType: 'Full' }), 400, 'MissingRequiredParameter')).toMatch(/Comment/);
    expect(err(await api('POST', `/api/machines/${d.id}/isolate`, { comment: 'wrong case' }), 400, 'MissingRequiredParameter')).toMatch(/Comment/);
    expect(err(await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'x', IsolationType: 'Partial' }), 400, 'InvalidRequestBody')).toMatch(/IsolationType/);
    expect(err(await api('POST', `/api/machines/${d.id}/runAntiVirusScan`, { Comment: 'x' }), 400, 'MissingRequiredParameter')).toMatch(/ScanType/);
    expect(err(await api('POST', `/api/machines/${d.id}/StopAndQuarantineFile`, { Comment: 'x', Sha1: 'nope' }), 400, 'InvalidRequestBody')).toMatch(/Sha1/);
    expect(err(await api('POST', `/api/machines/${d.id}/runliveresponse`, { Comment: 'x', Commands: [{ type: 'Format', params: [] }] }), 400, 'InvalidRequestBody')).toMatch(/type/);
    expect(err(await api('POST', `/api/machines/${d.id}/runliveresponse`, { Comment: 'x', Commands: [{ type: 'GetFile', params: [] }] }), 400, 'InvalidRequestBody')).toMatch(/Path/);
    // a non-GUID action id: the corpus's message, word for word
    const sample = JSON.parse(fixture('swimlane/get_machine_action.output.json'))[0].json_body.error;
    const badId = '556b3952acb0bff29816d267822305781cc183ec';
    expect(err(await api('GET', `/api/machineactions/${badId}`), 400, sample.code)).toBe(sample.message);
    expect(err(await api('POST', `/api/machineactions/${badId}/cancel`, { Comment: 'x' }), 400, 'BadRequest')).toBe(sample.message);
    // a second isolate while one is pending
    expect((await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'x', IsolationType: 'Full' })).statusCode).toBe(201);
    expect(err(await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'again', IsolationType: 'Full' }), 400, 'ActiveRequestAlreadyExists')).toMatch(/already in progress/);
    // GET on an action route: 405 with Allow: POST, as the corpus shows
    const allow = JSON.parse(fixture('swimlane/isolate_machine.output.json'))[0];
    for (const path of ['isolate', 'offboard', 'collectInvestigationPackage', 'restrictCodeExecution']) {
      const res = await api('GET', `/api/machines/${d.id}/${path}`);
      expect(res.statusCode).toBe(allow.status_code);
      expect(res.headers.allow).toBe(allow.response_headers.Allow);
    }
    // nothing half-applied: only the one isolate exists
    expect((await api('GET', `/api/machines/${d.id}/machineactions`)).json().value).toHaveLength(1);
  });

  it('need the kind\'s permission', async () => {
    const d = await h.addDevice({ computerDnsName: 'perm-host' });
    const scanOnly = await h.token(['Machine.Scan']);
    expect((await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'x' }, scanOnly)).statusCode).toBe(403);
    expect((await api('POST', `/api/machines/${d.id}/runAntiVirusScan`, { Comment: 'x', ScanType: 'Full' }, scanOnly)).statusCode).toBe(201);
    expect((await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'x' }, reader)).statusCode).toBe(403);
  });
});

describe('reading actions', () => {
  it('lists with id in (…), lastUpdateDateTimeUtc gt and $orderby; gets one; a machine\'s history as Cisco reads it', async () => {
    const d = await h.addDevice({ computerDnsName: 'history-host' });
    const iso = (await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'a' })).json();
    const scan = (await api('POST', `/api/machines/${d.id}/runAntiVirusScan`, { Comment: 'b', ScanType: 'Full' })).json();
    const list = await api('GET', `/api/machineactions?$filter=id in ('${iso.id}','${scan.id.toUpperCase()}')&$top=1000`, undefined, reader);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().value.map((a: { id: string }) => a.id).sort()).toEqual([iso.id, scan.id].sort());
    const since = await api('GET', `/api/machineactions?$filter=lastUpdateDateTimeUtc gt ${iso.lastUpdateDateTimeUtc.replace('Z', '0000Z').replace(/\.(\d{3})0000Z/, '.$10000Z')}&$orderby=lastUpdateDateTimeUtc asc`, undefined, reader);
    expect(since.statusCode, since.body).toBe(200);
    expect(since.json().value.map((a: { id: string }) => a.id)).not.toContain(iso.id);
    // Elastic's action stream: nine fractional digits, ascending, paged
    const elastic = await api('GET', `/api/machineactions?$filter=lastUpdateDateTimeUtc gt 2000-01-01T00:00:00.123456789Z&$orderby=lastUpdateDateTimeUtc asc&$top=1&$skip=0`, undefined, reader);
    expect(elastic.statusCode, elastic.body).toBe(200);
    expect(elastic.json().value).toHaveLength(1);
    const one = await api('GET', `/api/machineactions/${iso.id}`, undefined, reader);
    expect(one.json()).toMatchObject({ id: iso.id, type: 'Isolate', scope: 'Full', status: 'Pending' });
    expect((await api('GET', '/api/machineactions/00000000-0000-4000-8000-000000000000', undefined, reader)).json().error.code).toBe('ResourceNotFound');
    const history = await api('GET', `/api/machines/${d.id}/machineactions?$filter=type in ('Unisolate','Isolate') and status eq 'Pending'&$top=1`, undefined, reader);
    const sample = JSON.parse(fixture('machineactions/cisco-tr05-HISTORY_MACHINE_ACTIONS_RESPONSE_ISOLATE.json'));
    expect(history.json()['@odata.context']).toMatch(/#Collection\(microsoft\.windowsDefenderATP\.api\.MachineAction\)$/);
    expect(history.json().value).toHaveLength(1);
    for (const k of Object.keys(sample.value[0])) expect(history.json().value[0], k).toHaveProperty(k);
    expect((await api('GET', `/api/machines/${'e'.repeat(40)}/machineactions`, undefined, reader)).statusCode).toBe(404);
    const selected = await api('GET', `/api/machines/${d.id}/machineactions?$select=id,status`, undefined, reader);
    expect(selected.json().value.map((a: object) => Object.keys(a))).toEqual([['id', 'status'], ['id', 'status']]);
  });

  it('answers availableMachineActions in the sample\'s shape', async () => {
    const d = await h.addDevice({ computerDnsName: 'available-host' });
    const res = await api('GET', `/api/machines/${d.id}/availableMachineActions`, undefined, reader);
    const sample = JSON.parse(fixture('machineactions/cisco-tr05-AVAILABLE_MACHINE_ACTIONS_RESPONSE.json'));
    expect(res.json()['@odata.context']).toMatch(/#Collection\(microsoft\.windowsDefenderATP\.api\.ActionAvailabilityStatus\)$/);
    expect(res.json().value.map((a: { action: string }) => a.action)).toEqual(sample.value.map((a: { action: string }) => a.action));
    expect(Object.keys(res.json().value[0])).toEqual(Object.keys(sample.value[0]));
    expect(res.json().value.find((a: { action: string }) => a.action === 'FullIsolation')).toEqual({ action: 'FullIsolation', isAvailable: true, notSupportedReason: null });
  });
});

describe('lifecycle with a sensor', () => {
  it('delivers a new action to a waiting long-poll at once, and moves it forward by the sensor\'s reports', async () => {
    const d = await enroll('poll-host');
    const t0 = Date.now();
    const poll = work(d.auth, 'wait=20&indicatorVersion=0');
    await new Promise((r) => setTimeout(r, 100));
    const created = (await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'now', IsolationType: 'Full' })).json();
    const got = (await poll).json() as WorkResult;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(got.actions).toEqual([{ id: created.id, type: 'Isolate', scope: 'Full', comment: 'now', createdAt: created.creationDateTimeUtc, expiresAt: expect.any(String) }]);
    // returning it changed nothing; acknowledging does
    expect((await api('GET', `/api/machineactions/${created.id}`)).json().status).toBe('Pending');
    expect((await report(d.auth, created.id, { status: 'InProgress' })).json()).toEqual({ status: 'InProgress' });
    expect((await work(d.auth)).json().actions).toEqual([]);
    expect((await report(d.auth, created.id, { status: 'Succeeded', message: 'isolated' })).json()).toEqual({ status: 'Succeeded' });
    // never backwards, and a final action stays final
    expect((await report(d.auth, created.id, { status: 'InProgress' })).json()).toEqual({ status: 'Succeeded' });
    expect((await report(d.auth, created.id, { status: 'Failed' })).json()).toEqual({ status: 'Succeeded' });
    const done = (await api('GET', `/api/machineactions/${created.id}`)).json();
    expect(done).toMatchObject({ status: 'Succeeded', errorHResult: 0 });
    const audit = await h.state.audit.list(h.tenantId, 200);
    expect(audit.filter((r) => r.target === created.id && r.action === 'machineAction.progress').length).toBe(2);
  });

  it('answers a cancelled action\'s report with Cancelled; a report on another device\'s action is 404', async () => {
    const d = await enroll('cancel-host');
    const other = await enroll('other-host');
    const a = (await api('POST', `/api/machines/${d.id}/collectInvestigationPackage`, { Comment: 'collect' })).json();
    expect((await report(other.auth, a.id, { status: 'InProgress' })).statusCode).toBe(404);
    expect((await report(d.auth, '00000000-0000-4000-8000-000000000000', { status: 'InProgress' })).statusCode).toBe(404);
    expect((await report(d.auth, a.id, { status: 'Paused' })).statusCode).toBe(400);
    const cancelled = await api('POST', `/api/machineactions/${a.id}/cancel`, { Comment: 'not needed' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'Cancelled', cancellationComment: 'not needed', cancellationRequestor: expect.any(String), cancellationDateTimeUtc: expect.any(String) });
    expect((await report(d.auth, a.id, { status: 'Succeeded' })).json()).toEqual({ status: 'Cancelled' });
    expect((await work(d.auth)).json().actions).toEqual([]);
    const again = await api('POST', `/api/machineactions/${a.id}/cancel`, { Comment: 'again' });
    expect(again.statusCode).toBe(400);
    // a new collection may be asked once the old one is closed
    expect((await api('POST', `/api/machines/${d.id}/collectInvestigationPackage`, { Comment: 'collect again' })).statusCode).toBe(201);
  });

  it('records a live response command by command', async () => {
    const d = await enroll('live-host');
    const a = (await api('POST', `/api/machines/${d.id}/runliveresponse`, {
      Comment: 'lr', Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: '/etc/hostname' }] }, { type: 'RunScript', params: [{ key: 'ScriptName', value: 'a.sh' }] }],
    })).json();
    await report(d.auth, a.id, { status: 'InProgress', commandIndex: 0 });
    await report(d.auth, a.id, { status: 'InProgress', commandIndex: 0, commandStatus: 'Completed' });
    await report(d.auth, a.id, { status: 'InProgress', commandIndex: 1 });
    expect((await report(d.auth, a.id, { status: 'Failed', commandIndex: 1, commandStatus: 'Failed', errors: ['exit code 3'] })).json()).toEqual({ status: 'Failed' });
    expect((await report(d.auth, a.id, { status: 'InProgress', commandIndex: 7 })).json()).toEqual({ status: 'Failed' });
    const got = (await api('GET', `/api/machineactions?$filter=id in ('${a.id}')`)).json().value[0];
    expect(got.status).toBe('Failed');
    expect(got.errorHResult).not.toBe(0);
    expect(got.commands.map((c: { commandStatus: string }) => c.commandStatus)).toEqual(['Completed', 'Failed']);
    expect(got.commands[1].errors).toEqual(['exit code 3']);
    expect(got.commands[0].startTime).not.toBeNull();
    expect(got.commands[0].endTime).not.toBeNull();
  });

  it('revokes the credential when an offboard is reported Succeeded', async () => {
    const d = await enroll('offboard-host');
    const a = (await api('POST', `/api/machines/${d.id}/offboard`, { Comment: 'bye' })).json();
    expect((await report(d.auth, a.id, { status: 'Succeeded' })).json()).toEqual({ status: 'Succeeded' });
    expect((await work(d.auth)).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: d.auth }, payload: {} })).statusCode).toBe(401);
    expect((await api('POST', `/api/machines/${d.id}/isolate`, { Comment: 'x' })).statusCode).toBe(400);
  });

  it('wakes a poll when the indicator list changes, and answers at once when the sensor is behind', async () => {
    const d = await enroll('indicator-host');
    const before = (await work(d.auth)).json() as WorkResult;
    const poll = work(d.auth, `wait=20&indicatorVersion=${before.indicatorVersion}`);
    await new Promise((r) => setTimeout(r, 100));
    await h.app.services.indicators.submit(h.operator(), { indicatorValue: 'b'.repeat(40), indicatorType: 'FileSha1', action: 'Audit', title: 'x', description: 'x' });
    const got = (await poll).json() as WorkResult;
    expect(got.indicatorVersion).toBeGreaterThan(before.indicatorVersion);
    const behind = Date.now();
    expect((await work(d.auth, `wait=20&indicatorVersion=${before.indicatorVersion}`)).json().indicatorVersion).toBe(got.indicatorVersion);
    expect(Date.now() - behind).toBeLessThan(5_000);
  });

  it('times out an action its device never took, after the expiry (72 h by default)', async () => {
    let now = Date.now();
    const t = await startHarness({ clock: () => new Date(now) });
    try {
      const d = await t.addDevice({ computerDnsName: 'offline-host' });
      const a = await t.palisade.actions.request(t.operator(), d.id, 'RunAntiVirusScan', { Comment: 'scan', ScanType: 'Quick' });
      expect(Date.parse(a.expiresAt) - Date.parse(a.creationDateTimeUtc)).toBe(72 * 3_600_000);
      now += 71 * 3_600_000;
      expect(await t.palisade.actions.sweepExpired()).toBe(0);
      now += 2 * 3_600_000;
      expect(await t.palisade.actions.sweepExpired()).toBe(1);
      expect(await t.state.actions.get(t.tenantId, a.id, 'all')).toMatchObject({ status: 'TimeOut', errorHResult: -2145844840 });
      expect((await t.state.audit.list(t.tenantId, 50)).some((r) => r.action === 'machineAction.timeOut' && r.target === a.id)).toBe(true);
    } finally {
      await t.close();
    }
  });
});
