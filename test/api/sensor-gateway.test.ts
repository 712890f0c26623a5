/**
 * Sensor protocol v1 through HTTP: enrollment (valid, expired, revoked tokens), device credentials,
 * heartbeats updating the inventory, and event ingestion that stamps tenant and device from the
 * credential — a sensor cannot write as another device or tenant.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let hunter: string;

beforeAll(async () => {
  h = await startHarness();
  hunter = await h.token(['AdvancedQuery.Read.All', 'Machine.Read.All']);
});
afterAll(async () => h?.close());

const enrollBody = (token: string, name: string) => ({
  enrollmentToken: token, computerDnsName: name, osPlatform: 'Linux', version: 'Ubuntu 22.04', osVersion: '5.15.0-91-generic',
  osArchitecture: '64-bit', agentVersion: '1.0.0', ipAddresses: [{ ipAddress: '10.1.2.3', macAddress: '0050569A1B2C', type: 'Ethernet', operationalStatus: 'Up' }],
  lastExternalIpAddress: '198.51.100.4', machineTags: ['lab'],
});

async function enroll(name: string, tenantId = h.tenantId) {
  const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(tenantId), 3600_000);
  const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: enrollBody(tok.token, name) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { deviceId: string; deviceCredential: string; tenantId: string };
}

const hunt = async (q: string, token = hunter) => {
  const res = await h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` }, payload: { Query: q } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().Results as Record<string, unknown>[];
};

describe('enrollment', () => {
  it('enrolls a device and lists it as a machine', async () => {
    const e = await enroll('lab-host-01');
    expect(e.deviceId).toMatch(/^[0-9a-f]{40}$/);
    expect(e.tenantId).toBe(h.tenantId);
    const m = await h.app.inject({ method: 'GET', url: `/api/machines/${e.deviceId}`, headers: { authorization: `Bearer ${hunter}` } });
    expect(m.json()).toMatchObject({ computerDnsName: 'lab-host-01', osPlatform: 'Linux', healthStatus: 'Active', onboardingStatus: 'Onboarded', lastIpAddress: '10.1.2.3', machineTags: ['lab'] });
  });
  it('refuses expired, revoked and unknown tokens with 401', async () => {
    const expired = await h.app.services.gateway.createEnrollmentToken(h.operator(), 1);
    await new Promise((r) => setTimeout(r, 5));
    const revoked = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    await h.app.services.gateway.revokeEnrollmentToken(h.operator(), revoked.id);
    for (const [name, token] of [['expired', expired.token], ['revoked', revoked.token], ['unknown', 'pe1.nope']]) {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: enrollBody(token, 'x-host') });
      expect(res.statusCode, name).toBe(401);
      expect(res.json().error.message, name).toMatch(name === 'unknown' ? /not valid/ : new RegExp(name));
    }
  });
  it('rejects malformed enrollment bodies with 400', async () => {
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { ...enrollBody(tok.token, 'bad name!'), osBuild: 'x' } });
    expect(res.statusCode).toBe(400);
  });
});

describe('heartbeats', () => {
  it('updates last seen, addresses, versions and health', async () => {
    const e = await enroll('hb-host');
    const auth = { authorization: `Device ${e.deviceId}:${e.deviceCredential}` };
    const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: { sensorHealth: 'ImpairedCommunication', agentVersion: '1.0.1', ipAddresses: [{ ipAddress: '10.9.9.9', macAddress: '0050569A1B2C', type: 'Ethernet', operationalStatus: 'Up' }] } });
    expect(res.statusCode, res.body).toBe(200);
    const m = (await h.app.inject({ method: 'GET', url: `/api/machines/${e.deviceId}`, headers: { authorization: `Bearer ${hunter}` } })).json();
    expect(m).toMatchObject({ healthStatus: 'ImpairedCommunication', agentVersion: '1.0.1', lastIpAddress: '10.9.9.9' });
    const info = await hunt(`DeviceInfo | where DeviceId == '${e.deviceId}' | summarize n = count(), health = make_set(SensorHealthState)`);
    expect(Number(info[0].n)).toBeGreaterThanOrEqual(2);
    expect(info[0].health).toEqual(expect.arrayContaining(['Active', 'ImpairedCommunication']));
  });
  it('names the collectors a heartbeat lists in DeviceInfo, and refuses names that are not collector names', async () => {
    const e = await enroll('hb-collectors');
    const auth = { authorization: `Device ${e.deviceId}:${e.deviceCredential}` };
    const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: { collectors: ['process', 'network', 'file', 'logon'] } });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await hunt(`DeviceInfo | where DeviceId == '${e.deviceId}' and isnotempty(AdditionalFields) | project Collectors = parse_json(AdditionalFields).Collectors`);
    expect(rows.map((r) => r.Collectors)).toEqual([['process', 'network', 'file', 'logon']]);
    const bad = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: { collectors: ['Process; drop'] } });
    expect(bad.statusCode).toBe(400);
  });
  it('refuses a wrong credential and an unknown health value', async () => {
    const e = await enroll('hb-host-2');
    const bad = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: `Device ${e.deviceId}:${'A'.repeat(43)}` }, payload: {} });
    expect(bad.statusCode).toBe(401);
    const none = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', payload: {} });
    expect(none.statusCode).toBe(401);
    const health = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}` }, payload: { sensorHealth: 'Inactive' } });
    expect(health.statusCode).toBe(400);
  });
});

describe('body validation', () => {
  it('validates a heartbeat fully before writing anything: bounded strings and lists, no unknown fields', async () => {
    const e = await enroll('hb-strict');
    const auth = { authorization: `Device ${e.deviceId}:${e.deviceCredential}` };
    const machine = async () => (await h.app.inject({ method: 'GET', url: `/api/machines/${e.deviceId}`, headers: { authorization: `Bearer ${hunter}` } })).json();
    const rows = async () => Number((await hunt(`DeviceInfo | where DeviceId == '${e.deviceId}' | count`))[0].Count);
    const before = { machine: await machine(), rows: await rows() };
    const bad: Record<string, unknown> = {
      'agentVersion too long': { agentVersion: 'x'.repeat(65) },
      'osVersion too long': { osVersion: 'x'.repeat(257) },
      // a valid change next to an invalid user: nothing of it may be written
      'user name too long': { agentVersion: '9.9.9', loggedOnUsers: [{ UserName: 'u'.repeat(257) }] },
      'too many users': { loggedOnUsers: Array.from({ length: 65 }, (_, i) => ({ UserName: `u${i}` })) },
      'user without a name': { agentVersion: '9.9.9', loggedOnUsers: [{ DomainName: 'CONTOSO' }] },
      'too many interfaces': { ipAddresses: Array.from({ length: 65 }, (_, i) => ({ ipAddress: `10.0.0.${i}` })) },
      'interface without an address': { ipAddresses: [{ macAddress: '0050569A1B2C' }] },
      'osBuild not an integer': { osBuild: 1.5 },
      'unknown field': { sensorHealth: 'Active', rootkit: true },
      'not an object': [1, 2, 3],
    };
    for (const [name, payload] of Object.entries(bad)) {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: payload as object });
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.code, name).toMatch(/InvalidRequestBody|BadRequest/);
    }
    expect(await machine()).toEqual(before.machine);
    expect(await rows()).toBe(before.rows);
  });
  it('bounds the strings of an enrollment', async () => {
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    for (const extra of [{ computerDnsName: 'h'.repeat(256) }, { agentVersion: 'v'.repeat(65) }, { machineTags: ['t'.repeat(201)] }, { machineTags: Array.from({ length: 65 }, (_, i) => `t${i}`) }]) {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { ...enrollBody(tok.token, 'bounded-host'), ...extra } });
      expect(res.statusCode, Object.keys(extra)[0]).toBe(400);
    }
  });
  it('refuses an unauthenticated sensor call before reading its body', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', payload: { sensorHealth: 'NotAHealth', junk: 'x'.repeat(1000) } });
    expect(res.statusCode).toBe(401);
  });
});

describe('credential revocation', () => {
  it('refuses a revoked device at once on every sensor route, and audits the revocation', async () => {
    const e = await enroll('to-revoke');
    const auth = { authorization: `Device ${e.deviceId}:${e.deviceCredential}` };
    expect((await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: {} })).statusCode).toBe(200);
    await h.app.services.devices.revokeCredential(h.operator(), 'to-revoke');
    const hb = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: auth, payload: {} });
    expect(hb.statusCode).toBe(401);
    expect(hb.json().error.message).toMatch(/revoked/);
    const ev = await h.app.inject({ method: 'POST', url: '/sensor/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson', 'x-batch-id': 'after-revoke-1' }, payload: '{}\n' });
    expect(ev.statusCode).toBe(401);
    const audit = await h.state.audit.list(h.tenantId, 100);
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actorKind: 'operator', actorId: 'local:test', action: 'device.credential.revoke', target: 'to-revoke', result: 'success' })]));
  });
  it('revokes nothing for a caller without Machine.Offboard, and records the refusal', async () => {
    const e = await enroll('keep-me');
    const ctx = { tenantId: h.tenantId, principal: { kind: 'app' as const, id: 'reader', name: 'reader', permissions: new Set(['Machine.Read.All'] as const), deviceGroups: 'all' as const }, authz: { checked: false } };
    await expect(h.app.services.devices.revokeCredential(ctx, e.deviceId)).rejects.toMatchObject({ code: 'Forbidden' });
    const audit = await h.state.audit.list(h.tenantId, 100);
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actorKind: 'app', actorId: 'reader', action: 'device.credential.revoke', target: e.deviceId, result: 'failure' })]));
    const ok = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}` }, payload: {} });
    expect(ok.statusCode).toBe(200);
  });
});

describe('event ingestion', () => {
  const post = (e: { deviceId: string; deviceCredential: string }, lines: unknown[], batchId: string) =>
    h.app.inject({
      method: 'POST', url: '/sensor/v1/events',
      headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'x-batch-id': batchId },
      payload: gzipSync(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')),
    });

  it('stamps tenant and device from the credential, reports bad lines, stores duplicates once', async () => {
    const e = await enroll('ingest-host');
    const other = await h.newTenant('Victim');
    const ts = new Date().toISOString();
    const lines = [
      { table: 'DeviceProcessEvents', row: { Timestamp: ts, DeviceId: 'f'.repeat(40), DeviceName: 'spoofed', ActionType: 'ProcessCreated', FileName: 'cmd.exe', ProcessId: 42 } },
      'not json',
      { table: 'NoSuchTable', row: { Timestamp: ts } },
      { table: 'DeviceProcessEvents', row: { Timestamp: ts, NoSuchColumn: 1 } },
      { table: 'DeviceProcessEvents', row: { Timestamp: ts, ProcessId: 'abc' } },
      { table: 'DeviceNetworkEvents', row: { Timestamp: ts, ActionType: 'ConnectionSuccess', RemoteIP: '8.8.8.8', RemotePort: '443' } },
      { table: 'DeviceProcessEvents', row: { Timestamp: ts, FileName: 'x.exe', __TenantId: other.id } },
    ];
    const res = await post(e, lines, 'batch-0001');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { line: number }) => r.line)).toEqual([2, 3, 4, 5, 7]);
    for (const r of body.rejected) expect(r.reason.length).toBeGreaterThan(5);
    const again = await post(e, lines, 'batch-0001');
    expect(again.json().duplicate).toBe(true);
    const rows = await hunt(`union DeviceProcessEvents, DeviceNetworkEvents | where DeviceName == 'ingest-host' | project DeviceId, DeviceName, RemotePort, RemoteIPType`);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatchObject({ DeviceId: e.deviceId, DeviceName: 'ingest-host' });
    expect(rows.find((r) => r.RemotePort !== null)).toMatchObject({ RemotePort: 443, RemoteIPType: 'Public' });
    expect(await hunt(`DeviceProcessEvents | where DeviceName == 'spoofed' or DeviceId == '${'f'.repeat(40)}'`)).toEqual([]);
    const victim = await h.token(['AdvancedQuery.Read.All'], other.id);
    expect(await hunt('DeviceProcessEvents | count', victim)).toEqual([{ Count: 0 }]);
  });
  it('rejects a batch without an id, a corrupt gzip body, and an unknown device', async () => {
    const e = await enroll('ingest-host-2');
    const noId = await h.app.inject({ method: 'POST', url: '/sensor/v1/events', headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}`, 'content-type': 'application/x-ndjson' }, payload: '{}' });
    expect(noId.statusCode).toBe(400);
    const corrupt = await h.app.inject({ method: 'POST', url: '/sensor/v1/events', headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'x-batch-id': 'batch-corrupt' }, payload: Buffer.from('not gzip') });
    expect(corrupt.statusCode).toBe(400);
    const ghost = await post({ deviceId: 'a'.repeat(40), deviceCredential: 'B'.repeat(43) }, [], 'batch-ghost1');
    expect(ghost.statusCode).toBe(401);
  });
});
