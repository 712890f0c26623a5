/**
 * What SIEMs pull: MDE's legacy detections API (GET /api/siem/alerts: the window, ago, limit,
 * machinegroups, the flat fields of reference §8) and Graph's alerts_v2 and incidents lists
 * (filters, order, paging, `value` on an empty page, severity/status never null, typed evidence).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/domain/context.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const GRAPH = 'https://graph.microsoft.com/.default';
const DETECTION_FIELDS = [
  'AlertTime', 'ComputerDnsName', 'AlertTitle', 'Category', 'Severity', 'AlertId', 'Actor', 'LinkToWDATP', 'IocName', 'IocValue',
  'CreatorIocName', 'CreatorIocValue', 'Sha1', 'FileName', 'FilePath', 'IpAddress', 'Url', 'IoaDefinitionId', 'UserName', 'AlertPart',
  'FullId', 'LastProcessedTimeUtc', 'ThreatCategory', 'ThreatFamily', 'ThreatName', 'RemediationAction', 'RemediationIsSuccess', 'Source',
  'Md5', 'Sha256', 'WasExecutingWhileDetected', 'UserDomain', 'LogOnUsers', 'MachineDomain', 'MachineName', 'InternalIPv4List',
  'InternalIPv6List', 'FileHash', 'DeviceID', 'MachineGroup', 'Description', 'DeviceCreatedMachineTags', 'CloudCreatedMachineTags',
  'CommandLine', 'IncidentLinkToWDATP', 'ReportID', 'LinkToMTP', 'IncidentLinkToMTP', 'ExternalId', 'IocUniqueId',
];

let h: Harness;
let mde: string;
let graph: string;
const ids: string[] = [];
let n = 0;

async function raise(machineId: string, title: string, severity: 'High' | 'Low' = 'High') {
  const r = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
    dedupeKey: `siem-test:${++n}`, title, description: `about ${title}`, severity, category: 'Malware', detectionSource: 'CustomerTI', machineId,
    relatedUser: { userName: 'chris', domainName: 'corp' },
    evidence: [
      { entityType: 'File', sha1: 'ab'.repeat(20), sha256: 'cd'.repeat(32), fileName: 'evil.exe', filePath: 'C:\\t' },
      { entityType: 'Process', sha1: 'ab'.repeat(20), fileName: 'evil.exe', processId: 42, processCommandLine: 'evil.exe -x' },
      { entityType: 'Ip', ipAddress: '203.0.113.9' },
    ],
  });
  ids.push(r.alert.id);
  return r.alert;
}

beforeAll(async () => {
  h = await startHarness();
  mde = await h.token(['Alert.Read.All']);
  graph = await h.token(['SecurityAlert.Read.All', 'SecurityIncident.Read.All'], undefined, GRAPH);
  const web = await h.addDevice({ computerDnsName: 'web-1', rbacGroupId: 3, rbacGroupName: 'Servers', machineTags: ['dmz'] });
  const desk = await h.addDevice({ computerDnsName: 'desk-1' });
  await raise(web.id, 'first');
  await new Promise((r) => setTimeout(r, 5));
  await raise(desk.id, 'second', 'Low');
  await new Promise((r) => setTimeout(r, 5));
  await raise(web.id, 'third');
});
afterAll(async () => h?.close());

const get = (url: string, token = mde, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

describe('GET /api/siem/alerts', () => {
  it('returns the last 2 hours as a bare array of flat detections, oldest first, every §8 field', async () => {
    const res = await get('/api/siem/alerts');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((d: { AlertTitle: string }) => d.AlertTitle)).toEqual(['first', 'second', 'third']);
    expect(Object.keys(body[0])).toEqual(DETECTION_FIELDS);
    expect(body[0]).toMatchObject({
      ComputerDnsName: 'web-1', Severity: 'High', Category: 'Malware', Sha1: 'ab'.repeat(20), Sha256: 'cd'.repeat(32), FileName: 'evil.exe',
      IpAddress: '203.0.113.9', UserName: 'chris', UserDomain: 'corp', Source: 'CustomerTI', MachineGroup: 'Servers', CommandLine: 'evil.exe -x',
      CloudCreatedMachineTags: 'dmz', InternalIPv4List: '10.0.0.5', Actor: '', Md5: '', AlertPart: 0,
    });
    expect(body[0].FullId).toBe(`${body[0].AlertId}:${body[0].IocUniqueId}`);
  });
  it('narrows by limit (the most recent), machinegroups, tags and the window; bad values are 400', async () => {
    expect((await get('/api/siem/alerts?limit=1')).json().map((d: { AlertTitle: string }) => d.AlertTitle)).toEqual(['third']);
    expect((await get('/api/siem/alerts?machinegroups=Servers&machinegroups=Other')).json()).toHaveLength(2);
    expect((await get('/api/siem/alerts?CloudCreatedMachineTags=dmz')).json()).toHaveLength(2);
    expect((await get('/api/siem/alerts?ago=PT10M')).json()).toHaveLength(3);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await get(`/api/siem/alerts?sinceTimeUtc=${future}`)).json()).toEqual([]);
    expect((await get(`/api/siem/alerts?sinceTimeUtc=2020-01-01T00:00:00Z&untilTimeUtc=2020-01-02T00:00:00Z`)).json()).toEqual([]);
    for (const bad of ['ago=10m', 'limit=-1', 'limit=x', 'sinceTimeUtc=yesterday']) {
      const res = await get(`/api/siem/alerts?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('BadRequest');
    }
  });
});

describe('GET /v1.0/security/alerts_v2', () => {
  it('lists alerts in Graph\'s shape: lower-case enums, serviceSource, typed evidence', async () => {
    const res = await get('/v1.0/security/alerts_v2?$orderby=createdDateTime asc', graph);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#security\/alerts_v2$/);
    expect(body.value).toHaveLength(3);
    const a = body.value[0];
    expect(a).toMatchObject({
      id: ids[0], providerAlertId: ids[0], status: 'new', severity: 'high', classification: null, determination: null,
      serviceSource: 'microsoftDefenderForEndpoint', detectionSource: 'customTi', title: 'first', tenantId: h.tenantId,
    });
    expect(typeof a.incidentId).toBe('string');
    for (const k of ['createdDateTime', 'lastUpdateDateTime', 'firstActivityDateTime', 'lastActivityDateTime']) expect(a[k]).toMatch(/Z$/);
    expect(a.evidence.map((e: Record<string, string>) => e['@odata.type'])).toEqual([
      '#microsoft.graph.security.deviceEvidence', '#microsoft.graph.security.fileEvidence', '#microsoft.graph.security.processEvidence', '#microsoft.graph.security.ipEvidence',
    ]);
    expect(a.evidence[1].fileDetails).toMatchObject({ sha1: 'ab'.repeat(20), fileName: 'evil.exe' });
  });
  it('filters lastUpdateDateTime ge, status and severity, orders, pages with $top/$skip, and sends value on an empty page', async () => {
    const all = (await get('/v1.0/security/alerts_v2?$orderby=lastUpdateDateTime asc', graph)).json().value;
    const since = all[1].lastUpdateDateTime;
    const res = await get(`/v1.0/security/alerts_v2?$filter=lastUpdateDateTime ge ${since}&$orderby=lastUpdateDateTime asc&$top=1&$skip=0&$count=true`, graph);
    expect(res.json()['@odata.count']).toBe(2);
    expect(res.json().value.map((a: { title: string }) => a.title)).toEqual(['second']);
    expect(res.json()['@odata.nextLink']).toContain('%24skip=1');
    expect((await get(`/v1.0/security/alerts_v2?$filter=lastUpdateDateTime ge ${since}&$orderby=lastUpdateDateTime asc&$top=1&$skip=1`, graph)).json().value[0].title).toBe('third');
    expect((await get("/v1.0/security/alerts_v2?$filter=severity eq 'low'", graph)).json().value.map((a: { title: string }) => a.title)).toEqual(['second']);
    const empty = await get('/v1.0/security/alerts_v2?$filter=lastUpdateDateTime ge 2099-01-01T00:00:00Z', graph);
    expect(empty.json()).toEqual({ '@odata.context': expect.any(String), value: [] });
    expect((await get("/v1.0/security/alerts_v2?$filter=severity eq 'severe'", graph)).statusCode).toBe(400);
    expect((await get('/v1.0/security/alerts_v2?$top=2001', graph)).statusCode).toBe(400);
  });
  it('shows a resolved alert\'s status, classification and Graph determination', async () => {
    await h.palisade.alerts.update(h.operator(), ids[1], { status: 'Resolved', classification: 'FalsePositive', determination: 'Clean' });
    const res = await get("/v1.0/security/alerts_v2?$filter=status eq 'resolved'", graph, { prefer: 'include-unknown-enum-members' });
    expect(res.headers['preference-applied']).toBe('include-unknown-enum-members');
    expect(res.json().value).toHaveLength(1);
    expect(res.json().value[0]).toMatchObject({ id: ids[1], status: 'resolved', classification: 'falsePositive', determination: 'notMalicious' });
    expect(res.json().value[0].resolvedDateTime).toMatch(/Z$/);
    expect((await get("/v1.0/security/alerts_v2?$filter=determination eq 'notMalicious'", graph)).statusCode).toBe(400);
    // an alert nobody classified is `unknown` to a Graph filter
    const unclassified = await get("/v1.0/security/alerts_v2?$filter=classification eq 'unknown'", graph);
    expect(unclassified.statusCode, unclassified.body).toBe(200);
    expect(unclassified.json().value.map((a: { id: string }) => a.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await get("/v1.0/security/alerts_v2?$filter=classification ne 'unknown'", graph)).json().value.map((a: { id: string }) => a.id)).toEqual([ids[1]]);
  });
  it('needs SecurityAlert.Read.All and a Graph token', async () => {
    expect((await get('/v1.0/security/alerts_v2', await h.token(['SecurityIncident.Read.All'], undefined, GRAPH))).statusCode).toBe(403);
    expect((await get('/v1.0/security/alerts_v2', await h.token(['SecurityAlert.Read.All']))).statusCode).toBe(401);
  });
});

describe('GET /v1.0/security/incidents', () => {
  it('lists incidents in Graph\'s shape, with their alerts on $expand=alerts', async () => {
    const res = await get('/v1.0/security/incidents?$expand=alerts&$orderby=createdDateTime asc', graph);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/#security\/incidents$/);
    // the three alerts share a file and a user: one incident
    expect(body.value).toHaveLength(1);
    const inc = body.value[0];
    expect(inc).toMatchObject({ status: 'active', severity: 'high', id: expect.stringMatching(/^\d+$/), customTags: [], systemTags: [] });
    expect(inc.alerts.map((a: { title: string }) => a.title).sort()).toEqual(['first', 'second', 'third']);
    expect(inc.alerts[0]['@odata.type']).toBeUndefined();
    expect((await get('/v1.0/security/incidents?$top=1', graph)).json().value[0].alerts).toBeUndefined();
    expect((await get('/v1.0/security/incidents?$expand=evidence', graph)).statusCode).toBe(400);
    expect((await get('/v1.0/security/incidents?$filter=lastUpdateDateTime ge 2099-01-01T00:00:00Z', graph)).json().value).toEqual([]);
  });
});
