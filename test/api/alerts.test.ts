/**
 * The alerts API through HTTP: shape fidelity with real MDE alert payloads, OData filters the
 * clients send, PATCH and batchUpdate rules, CreateAlertByReference, related entities, device-group
 * scope, and the AlertInfo/AlertEvidence rows hunting finds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertDraft } from '../../src/domain/alert.ts';
import { systemCtx } from '../../src/domain/context.ts';
import type { Device } from '../../src/domain/device.ts';
import { shapeProblems } from '../../tools/conformance/api-samples.ts';
import { startHarness, type Harness } from '../support/harness.ts';

type Json = Record<string, unknown>;
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/api-samples/${p}`, import.meta.url));

/** Every alert object of the fixture samples (Swimlane, Cisco, Elastic), with its evidence as a list. */
function sampleAlerts(): Json[] {
  const out: Json[] = [];
  for (const f of ['get_alert', 'get_alerts', 'create_alert']) {
    for (const rec of JSON.parse(readFileSync(fixture(`swimlane/${f}.output.json`), 'utf8')) as { json_body?: Json }[]) {
      const b = rec.json_body;
      if (b) out.push(...(Array.isArray(b.value) ? (b.value as Json[]) : [b]));
    }
  }
  out.push(...(JSON.parse(readFileSync(fixture('alerts/cisco-tr05-RAW_RESPONSE_MOCK.json'), 'utf8')) as { value: Json[] }).value);
  for (const line of readFileSync(fixture('alerts/elastic-mde-test-defenderatp.ndjson'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const a = JSON.parse(line) as Json;
    // Elastic's input splits evidence[] into one alert per item: put the item back in a list
    if (a.id) out.push({ ...a, evidence: a.evidence && !Array.isArray(a.evidence) ? [a.evidence] : a.evidence ?? [] });
  }
  return out.map(({ '@odata.context': _c, ...a }) => a);
}

let h: Harness;
let reader: string;
let writer: string;
let m1: Device;
let m2: Device;
let fileAlert: Alert;
let userAlert: Alert;
let otherAlert: Alert;

const draft = (over: Partial<AlertDraft>): AlertDraft => ({
  dedupeKey: 'k', title: 'Known bad file executed', description: 'A file matching an indicator ran', severity: 'High',
  category: 'Malware', detectionSource: 'CustomerTI', machineId: m1.id, ...over,
});

beforeAll(async () => {
  h = await startHarness();
  reader = await h.token(['Alert.Read.All']);
  writer = await h.token(['Alert.ReadWrite.All']);
  m1 = await h.addDevice({ computerDnsName: 'desktop-alpha' });
  m2 = await h.addDevice({ computerDnsName: 'web-prod-01', rbacGroupId: 7, rbacGroupName: 'Servers' });
  const sys = systemCtx(h.tenantId);
  fileAlert = (await h.palisade.alerts.raise(sys, draft({
    dedupeKey: 'a1', indicatorId: '12', mitreTechniques: ['T1204'],
    evidence: [
      { entityType: 'Process', sha1: 'c'.repeat(40), sha256: 'd'.repeat(64), fileName: 'evil.exe', filePath: 'C:\\Temp', processId: 4242, processCommandLine: 'evil.exe -x' },
      { entityType: 'Url', url: 'https://bad.example.com/payload' },
      { entityType: 'Ip', ipAddress: '203.0.113.9' },
    ],
  }))).alert;
  userAlert = (await h.palisade.alerts.raise(sys, draft({
    dedupeKey: 'a2', title: 'Suspicious PowerShell', severity: 'Medium', category: 'Execution', detectionSource: 'CustomDetection',
    relatedUser: { userName: 'bob', domainName: 'CORP' }, evidence: [{ entityType: 'User', accountName: 'bob', domainName: 'CORP', userSid: 'S-1-5-21-1' }],
  }))).alert;
  otherAlert = (await h.palisade.alerts.raise(sys, draft({ dedupeKey: 'a3', machineId: m2.id, severity: 'Low', title: 'Server alert' }))).alert;
});
afterAll(async () => h?.close());

const get = (url: string, token = reader, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });
const send = (method: 'POST' | 'PATCH', url: string, body: unknown, token = writer) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const ids = (r: { json(): { value: { id: string }[] } }) => r.json().value.map((a) => a.id);

describe('shape fidelity', () => {
  it('has every key of every corpus sample alert and evidence item, in MDE key order, with the same JSON type or null', async () => {
    const samples = sampleAlerts();
    expect(samples.length).toBeGreaterThanOrEqual(10);
    const ours = (await get('/api/alerts?$expand=evidence')).json().value as Json[];
    expect(ours).toHaveLength(3);
    const problems = new Set<string>();
    for (const a of ours) {
      for (const s of samples) {
        for (const p of shapeProblems(a, s)) problems.add(p);
        for (const e of a.evidence as Json[]) for (const se of (s.evidence as Json[] | undefined) ?? []) for (const p of shapeProblems(e, se)) problems.add(`evidence: ${p}`);
      }
    }
    expect([...problems]).toEqual([]);
    const swimlane = samples[0];
    expect(Object.keys(ours[0])).toEqual(Object.keys(swimlane));
    expect(Object.keys((ours.find((a) => a.id === fileAlert.id)!.evidence as Json[])[0])).toEqual(Object.keys((swimlane.evidence as Json[])[0]));
  });

  it('answers a single alert with its evidence, ids as MDE writes them, datetimes trimmed', async () => {
    const r = await get(`/api/alerts/${fileAlert.id}`);
    expect(r.statusCode).toBe(200);
    const a = r.json();
    expect(a['@odata.context']).toMatch(/\/api\/\$metadata#Alerts\/\$entity$/);
    expect(a.id).toMatch(/^da\d{18}_\d+$/);
    expect(a).toMatchObject({ status: 'New', severity: 'High', machineId: m1.id, computerDnsName: 'desktop-alpha', aadTenantId: h.tenantId, mitreTechniques: ['T1204'], domains: [] });
    expect(a.evidence).toHaveLength(3);
    expect(a.alertCreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
    expect(typeof a.incidentId).toBe('number');
  });

  it('leaves evidence empty in lists unless expanded', async () => {
    const plain = (await get('/api/alerts')).json().value as Json[];
    expect(plain.every((a) => Array.isArray(a.evidence) && (a.evidence as unknown[]).length === 0)).toBe(true);
    const bad = await get('/api/alerts?$expand=machine');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('ODataError');
  });
});

describe('OData', () => {
  it('filters the ways clients do: datetimes with 0–9 fractional digits, status, detectionSource, or, parentheses, AND, in', async () => {
    const before = new Date(Date.parse(fileAlert.alertCreationTime) - 1000).toISOString();
    for (const digits of [0, 3, 6, 7, 9]) {
      const t = before.replace(/\.\d{3}Z$/, digits ? `.${'0'.repeat(digits)}Z` : 'Z');
      expect(ids(await get(`/api/alerts?$filter=lastUpdateTime gt ${t}`))).toHaveLength(3);
      expect(ids(await get(`/api/alerts?$filter=alertCreationTime ge ${t}`))).toHaveLength(3);
    }
    const combined = await get(`/api/alerts?$filter=alertCreationTime gt ${before} and ((status eq 'New') or (status eq 'InProgress')) and (detectionSource eq 'CustomerTI')&$orderby=alertCreationTime asc`);
    expect(ids(combined).sort()).toEqual([fileAlert.id, otherAlert.id].sort());
    const upper = await get(`/api/alerts?$filter=severity in ('High','Medium') AND status eq 'New'&$count=true`);
    expect(upper.json()['@odata.count']).toBe(2);
    const future = await get('/api/alerts?$filter=lastUpdateTime gt 2999-01-01T00:00:00.0000000Z');
    expect(future.json().value).toEqual([]);
  });

  it('pages with $top/$skip and nextLink, and caps $top at 10,000', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/api/alerts?$top=2';
    while (url) {
      const r = await get(url);
      seen.push(...ids(r));
      const next: string | undefined = r.json()['@odata.nextLink'];
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(seen.sort()).toEqual([fileAlert.id, userAlert.id, otherAlert.id].sort());
    expect((await get('/api/alerts?$top=10000')).statusCode).toBe(200);
    const over = await get('/api/alerts?$top=10001');
    expect(over.statusCode).toBe(400);
  });

  it('rejects unknown properties and enum values with ODataError', async () => {
    for (const f of ["status eq 'Closed'", "nosuch eq 'x'", "severity eq 'Severe'", 'lastUpdateTime gt yesterday']) {
      const r = await get(`/api/alerts?$filter=${encodeURIComponent(f)}`);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('ODataError');
    }
  });

  it("lists a machine's alerts by id or name, 404 for an unknown machine", async () => {
    expect(ids(await get(`/api/machines/${m2.id}/alerts`))).toEqual([otherAlert.id]);
    expect(ids(await get('/api/machines/desktop-alpha/alerts')).sort()).toEqual([fileAlert.id, userAlert.id].sort());
    const r = await get(`/api/machines/${'f'.repeat(40)}/alerts`);
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('ResourceNotFound');
  });
});

describe('device-group scope', () => {
  it('shows a user only the alerts of machines in the user\'s groups', async () => {
    // a user principal's scope comes from its roles; an app is tenant-wide, so the store is asked directly
    const scoped = await h.palisade.alerts.list({ ...systemCtx(h.tenantId), principal: { kind: 'user', id: 'u', name: 'u', permissions: new Set(['Alert.Read']), deviceGroups: [7] } }, { top: 100, skip: 0, count: false, orderBy: [] });
    expect(scoped.items.map((a) => a.id)).toEqual([otherAlert.id]);
  });
});

describe('PATCH and batchUpdate', () => {
  it('updates with either capitalisation, appends comments, stamps resolvedTime and lastUpdateTime', async () => {
    const r = await send('PATCH', `/api/alerts/${userAlert.id}`, { Status: 'Resolved', Classification: 'InformationalExpectedActivity', Determination: 'ConfirmedUserActivity', Comment: 'expected admin work' });
    expect(r.statusCode).toBe(200);
    const a = r.json();
    expect(a).toMatchObject({ status: 'Resolved', classification: 'InformationalExpectedActivity', determination: 'ConfirmedUserActivity' });
    expect(a.resolvedTime).not.toBeNull();
    expect(Date.parse(a.lastUpdateTime)).toBeGreaterThan(Date.parse(userAlert.lastUpdateTime) - 1);
    expect(a.comments).toEqual([expect.objectContaining({ comment: 'expected admin work' })]);
    const c = await send('PATCH', `/api/alerts/${userAlert.id}`, { comment: 'second' });
    expect(c.json().comments.map((x: { comment: string }) => x.comment)).toEqual(['expected admin work', 'second']);
    const d = await send('PATCH', `/api/alerts/${userAlert.id}`, { determination: 'Clean', classification: 'FalsePositive' });
    expect(d.json().determination).toBe('Clean');
  });

  it('answers an invalid enum with 400 InvalidRequestBody in MDE\'s error shape and changes nothing', async () => {
    for (const body of [{ status: 'Closed' }, { classification: 'Bad' }, { determination: 'Apt' }, {}, { status: 7 }]) {
      const r = await send('PATCH', `/api/alerts/${fileAlert.id}`, body);
      expect(r.statusCode).toBe(400);
      expect(Object.keys(r.json().error)).toEqual(['code', 'message', 'target']);
      expect(r.json().error.code).toBe('InvalidRequestBody');
    }
    expect((await get(`/api/alerts/${fileAlert.id}`)).json().status).toBe('New');
    expect((await send('PATCH', '/api/alerts/da1_1', { status: 'New' })).statusCode).toBe(404);
    expect((await send('PATCH', '/api/alerts/not-an-alert', { status: 'New' })).statusCode).toBe(404);
    expect((await send('PATCH', `/api/alerts/${fileAlert.id}`, { status: 'New' }, reader)).statusCode).toBe(403);
  });

  it('batch-updates all or none', async () => {
    const miss = await send('POST', '/api/alerts/batchUpdate', { alertIds: [fileAlert.id, 'da9_9'], assignedTo: 'soc@contoso.com' });
    expect(miss.statusCode).toBe(404);
    expect((await get(`/api/alerts/${fileAlert.id}`)).json().assignedTo).toBeNull();
    const ok = await send('POST', '/api/alerts/batchUpdate', { alertIds: [fileAlert.id, otherAlert.id], assignedTo: 'soc@contoso.com', status: 'InProgress' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('');
    expect((await get(`/api/alerts/${otherAlert.id}`)).json()).toMatchObject({ assignedTo: 'soc@contoso.com', status: 'InProgress' });
    expect((await send('POST', '/api/alerts/batchUpdate', { status: 'New' })).json().error.code).toBe('MissingRequiredParameter');
  });

  it('audits every change, refusals included', async () => {
    const actions = (await h.state.audit.list(h.tenantId, 200)).map((r) => `${r.action}:${r.result}`);
    expect(actions).toContain('alert.raise:success');
    expect(actions).toContain('alert.update:success');
    expect(actions).toContain('alert.update:failure');
    expect(actions).toContain('alert.batchUpdate:success');
  });
});

describe('related entities', () => {
  it('answers domains, ips, files, machine and user with the permissions of the reference', async () => {
    const url = await h.token(['URL.Read.All']);
    const ip = await h.token(['Ip.Read.All']);
    const file = await h.token(['File.Read.All']);
    const machine = await h.token(['Machine.Read.All']);
    const user = await h.token(['User.Read.All']);
    expect((await get(`/api/alerts/${fileAlert.id}/domains`, url)).json()).toMatchObject({ value: [{ host: 'bad.example.com' }] });
    expect((await get(`/api/alerts/${fileAlert.id}/domains`, reader)).statusCode).toBe(403);
    expect((await get(`/api/alerts/${fileAlert.id}/ips`, ip)).json().value).toEqual([{ id: '203.0.113.9' }]);
    const files = (await get(`/api/alerts/${fileAlert.id}/files`, file)).json();
    expect(files['@odata.context']).toMatch(/#Files$/);
    expect(files.value[0]).toMatchObject({ sha1: 'c'.repeat(40), sha256: 'd'.repeat(64) });
    const m = await get(`/api/alerts/${fileAlert.id}/machine`, machine);
    expect(m.json()).toMatchObject({ id: m1.id, computerDnsName: 'desktop-alpha' });
    const u = await get(`/api/alerts/${userAlert.id}/user`, user);
    expect(u.json()).toMatchObject({ id: 'CORP\\bob', accountName: 'bob', accountDomain: 'CORP' });
    expect(u.json()['@odata.context']).toMatch(/#Users\/\$entity$/);
    const none = await get(`/api/alerts/${fileAlert.id}/user`, user);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('ResourceNotFound');
  });
});

describe('hunting rows', () => {
  it('writes AlertInfo and AlertEvidence rows that advanced hunting finds', async () => {
    const hunter = await h.token(['AdvancedQuery.Read.All']);
    const run = (q: string) => h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${hunter}`, 'content-type': 'application/json' }, payload: JSON.stringify({ Query: q }) });
    const info = await run(`AlertInfo | where AlertId == '${fileAlert.id}' | project AlertId, Title, Severity, DetectionSource, Category`);
    expect(info.statusCode).toBe(200);
    expect(info.json().Results).toEqual([{ AlertId: fileAlert.id, Title: 'Known bad file executed', Severity: 'High', DetectionSource: 'CustomerTI', Category: 'Malware' }]);
    const ev = await run(`AlertEvidence | where AlertId == '${fileAlert.id}' | summarize by EntityType, SHA1, DeviceId | order by EntityType asc`);
    expect(ev.json().Results).toEqual([
      { EntityType: 'Ip', SHA1: '', DeviceId: m1.id },
      { EntityType: 'Machine', SHA1: '', DeviceId: m1.id },
      { EntityType: 'Process', SHA1: 'c'.repeat(40), DeviceId: m1.id },
      { EntityType: 'Url', SHA1: '', DeviceId: m1.id },
    ]);
  });
});

describe('incidents', () => {
  const sampleIncidents = (): Json[] => {
    const out: Json[] = [];
    for (const f of ['get_incident', 'get_incidents_list']) {
      for (const b of JSON.parse(readFileSync(fixture(`swimlane/${f}.output.json`), 'utf8')) as Json[]) out.push(...(Array.isArray(b.value) ? (b.value as Json[]) : [b]));
    }
    return out.map(({ '@odata.context': _c, ...i }) => i);
  };

  it('groups alerts of one machine into one incident, shaped like M365 Defender\'s, key for key', async () => {
    const list = await get('/api/incidents');
    expect(list.statusCode).toBe(200);
    expect(list.json()['@odata.context']).toMatch(/#Incidents$/);
    const all = list.json().value as Json[];
    expect(all).toHaveLength(2);
    const first = all.find((i) => i.incidentId === fileAlert.incidentId)!;
    expect((first.alerts as Json[]).map((a) => a.alertId).sort()).toEqual([fileAlert.id, userAlert.id].sort());
    const problems = new Set<string>();
    for (const s of sampleIncidents()) {
      for (const p of shapeProblems(first, s)) problems.add(p);
      for (const sa of s.alerts as Json[]) for (const p of shapeProblems((first.alerts as Json[])[0], sa)) problems.add(`alert: ${p}`);
    }
    expect([...problems]).toEqual([]);
    expect(Object.keys(first)).toEqual(Object.keys(sampleIncidents()[0]));
  });

  it('resolving an incident resolves its alerts; bad values are refused', async () => {
    const incidentId = fileAlert.incidentId!;
    const bad = await send('PATCH', `/api/incidents/${incidentId}`, { status: 'Closed' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('InvalidRequestBody');
    const r = await send('PATCH', `/api/incidents/${incidentId}`, { status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'soc@contoso.com', tags: ['ransomware'], comment: 'contained' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'soc@contoso.com', tags: ['ransomware'] });
    expect(r.json().comments[0].comment).toBe('contained');
    const a = (await get(`/api/alerts/${fileAlert.id}`)).json();
    expect(a).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware' });
    expect(a.resolvedTime).not.toBeNull();
    expect((await get(`/api/incidents/${incidentId}`)).json().alerts.every((x: Json) => x.status === 'Resolved')).toBe(true);
    expect((await get('/api/incidents/999999')).statusCode).toBe(404);
    expect((await get('/api/incidents/abc')).statusCode).toBe(404);
    const actions = (await h.state.audit.list(h.tenantId, 200)).map((x) => `${x.action}:${x.result}`);
    expect(actions).toEqual(expect.arrayContaining(['incident.update:success', 'incident.update:failure']));
  });

  it('a new alert on a machine whose incident is resolved opens a new incident', async () => {
    const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), draft({ dedupeKey: 'after-resolve' }));
    expect(alert.incidentId).not.toBe(fileAlert.incidentId);
  });
});
