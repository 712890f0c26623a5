/**
 * The alert request sequences of the MDE clients that read alerts (reference clients.md), replayed
 * through the app with each query string as the client's HTTP library puts it on the wire, and every
 * field each client reads checked.
 *
 * - Cortex XSOAR (Python `requests`, `params=` dict → `urlencode` with `quote_plus`: `$` → `%24`,
 *   `+` → `%2B`, space → `+`, `'()` and `:` escaped): the fetch with XSOAR's literal `+` mixed with
 *   spaces in `$filter`, `$orderby=alertCreationTime asc`, `$top`, `$expand=evidence`; then PATCH
 *   (status, assignedTo, classification, determination; the comment in its own call) and
 *   CreateAlertByReference with its fields as strings.
 * - Elastic (microsoft_defender_endpoint; Go's `url.Values.Encode`: keys sorted, `$` → `%24`, `:` →
 *   `%3A`, space → `+`): the `$expand=evidence` poll with `lastUpdateTime gt` a time formatted with
 *   up to 7 fractional digits, trailing zeros trimmed, User-Agent `MdatpPartner-Elastic-Filebeat/1.0.0`;
 *   splits `value` and then each alert's `evidence`, keeping the parent; reads `value` on an empty page.
 * - Microsoft's "hello world" sample (PowerShell `Invoke-WebRequest`: the URI escaped by
 *   System.Uri, spaces → `%20`, `$` and `:` kept): `$filter=alertCreationTime ge` a 7-digit `o`
 *   time, with `Content-Type: application/json` on the GET; reads `value`.
 * - Splunk SOAR (windowsdefenderatp; Python `requests` with the query written into the URL with raw
 *   spaces, which `requote_uri` sends as `%20`, keeping `$` and `'`; `Content-Type: application/json`
 *   on every GET): polls on `lastUpdateTime` with whole-second times, gets an alert and its user,
 *   updates it; calls `.lower()` on `severity`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.ts';
import { systemCtx } from '../../src/domain/context.ts';
import type { Device } from '../../src/domain/device.ts';
import { startHarness, type Harness } from '../support/harness.ts';

type Json = Record<string, unknown>;
let h: Harness;
let device: Device;
let alert: Alert;
const reportEventTime = new Date(Date.now() - 30 * 60_000).toISOString();

/** Python's urllib.parse.urlencode (quote_plus) of a dict, in insertion order. */
function pythonUrlencode(params: Record<string, string>): string {
  const q = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
  return Object.entries(params).map(([k, v]) => `${q(k)}=${q(v)}`).join('&');
}

/** Go's url.Values.Encode: keys sorted, QueryEscape (space → `+`, `$` → `%24`, `:` → `%3A`, `'` → `%27`). */
function goValuesEncode(params: Record<string, string>): string {
  const q = (s: string) => encodeURIComponent(s).replace(/[!'()*~]/g, (c) => (c === '~' ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).replace(/%20/g, '+');
  return Object.keys(params).sort().map((k) => `${q(k)}=${q(params[k])}`).join('&');
}

/** Go's time.Format with layout `2006-01-02T15:04:05.9999999Z07:00` for a UTC time given with 7 fractional digits. */
const goTime = (sevenDigits: string) => sevenDigits.replace(/\.?0+Z$/, 'Z');

beforeAll(async () => {
  h = await startHarness();
  device = await h.addDevice({ computerDnsName: 'temp123.middleeast.corp.microsoft.com' });
  alert = (await h.palisade.alerts.raise(systemCtx(h.tenantId), {
    dedupeKey: 'clients-1', title: 'Low-reputation arbitrary code executed by signed executable', description: 'Binaries signed by Microsoft can be used to run low-reputation code.',
    severity: 'Low', category: 'Execution', detectionSource: 'CustomerTI', machineId: device.id, mitreTechniques: ['T1064', 'T1085'],
    relatedUser: { userName: 'temp123', domainName: 'DOMAIN' },
    evidence: [
      { entityType: 'User', accountName: 'name', domainName: 'DOMAIN', userSid: 'S-1-5-21-11111607-1111760036-109187956-75141', userPrincipalName: 'temp123@microsoft.com' },
      { entityType: 'Process', sha1: 'ff836cfb1af40252bd2a2ea843032e99a5b262ed', sha256: 'a4752c71d81afd3d5865d24ddb11a6b0c615062fcc448d24050c2172d2cbccd6', fileName: 'rundll32.exe', filePath: 'C:\\Windows\\SysWOW64', processId: 3276, processCommandLine: 'rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe' },
      { entityType: 'File', sha1: '8563f95b2f8a284fc99da44500cd51a77c1ff36c', fileName: 'suspicious.dll', filePath: 'c:\\temp' },
    ],
  })).alert;
  await h.events.eventWriter.write({
    tenantId: h.tenantId, deviceId: device.id, deviceName: device.computerDnsName, rbacGroupId: 0, batchId: 'clients-event',
    rows: [{ table: 'DeviceProcessEvents', row: { Timestamp: reportEventTime, ActionType: 'ProcessCreated', FileName: 'powershell.exe', FolderPath: 'C:\\Windows\\System32', SHA1: 'c'.repeat(40), ProcessCommandLine: 'powershell -enc AAAA', AccountName: 'bob', AccountDomain: 'corp', ReportId: 4711 } }],
  });
});
afterAll(async () => h?.close());

const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, headers: Record<string, string> = {}, body?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, host: 'api.securitycenter.microsoft.com', ...headers }, payload: body === undefined ? undefined : JSON.stringify(body) });

describe('Cortex XSOAR (MicrosoftDefenderAdvancedThreatProtection)', () => {
  const ua = { 'user-agent': 'python-requests/2.31.0' };
  it('fetches with its literal + in $filter, updates, comments and creates an alert by reference', async () => {
    const token = await h.token(['Alert.ReadWrite.All']);
    const since = new Date(Date.now() - 3600_000).toISOString().replace(/Z$/, '001Z');
    const query = pythonUrlencode({
      $filter: `alertCreationTime+gt+${since} and ((status+eq+'New') or (status+eq+'InProgress')) and ((severity+eq+'Informational') or (severity+eq+'Low') or (severity+eq+'Medium') or (severity+eq+'High')) and (detectionSource+eq+'CustomerTI')`,
      $orderby: 'alertCreationTime asc',
      $top: '50',
      $expand: 'evidence',
    });
    expect(query).toMatch(/^%24filter=alertCreationTime%2Bgt%2B\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{6}Z\+and\+%28%28status%2Beq%2B%27New%27%29\+or/);
    const fetched = await inject('GET', `/api/alerts?${query}`, token, ua);
    expect(fetched.statusCode, fetched.body).toBe(200);
    const [a] = fetched.json().value as Json[];
    // the fields the fetch turns into an incident
    expect(a).toMatchObject({ id: alert.id, title: alert.title, severity: 'Low', status: 'New', detectionSource: 'CustomerTI', machineId: device.id, category: 'Execution' });
    expect(typeof a.alertCreationTime).toBe('string');
    expect((a.evidence as Json[]).map((e) => e.entityType)).toEqual(['User', 'Process', 'File']);

    const updated = await inject('PATCH', `/api/alerts/${alert.id}`, token, { ...ua, 'content-type': 'application/json' }, { status: 'InProgress', assignedTo: 'analyst@contoso.com', classification: 'TruePositive', determination: 'Malware' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ id: alert.id, status: 'InProgress', assignedTo: 'analyst@contoso.com', classification: 'TruePositive', determination: 'Malware' });
    const commented = await inject('PATCH', `/api/alerts/${alert.id}`, token, { ...ua, 'content-type': 'application/json' }, { comment: 'from XSOAR' });
    expect(commented.json().comments.map((c: Json) => c.comment)).toEqual(['from XSOAR']);

    const created = await inject('POST', '/api/alerts/CreateAlertByReference', token, { ...ua, 'content-type': 'application/json' }, {
      machineId: device.id, severity: 'High', title: 'Encoded PowerShell', description: 'Created from XSOAR', eventTime: reportEventTime, reportId: '4711',
      recommendedAction: 'Investigate', category: 'Execution',
    });
    expect(created.statusCode, created.body).toBe(200);
    const c = created.json();
    expect(c).toMatchObject({ title: 'Encoded PowerShell', severity: 'High', machineId: device.id, status: 'New', detectionSource: 'CustomerTI' });
    expect(c.id).toMatch(/^da\d+_\d+$/);
    expect(c.evidence.map((e: Json) => e.entityType)).toEqual(['Process', 'User']);
    expect(c.evidence[0]).toMatchObject({ fileName: 'powershell.exe', processCommandLine: 'powershell -enc AAAA' });
    const again = await inject('POST', '/api/alerts/CreateAlertByReference', token, { ...ua, 'content-type': 'application/json' }, {
      machineId: device.id, severity: 'High', title: 'Encoded PowerShell', description: 'Created from XSOAR', eventTime: reportEventTime, reportId: '4711',
      recommendedAction: 'Investigate', category: 'Execution',
    });
    expect(again.json().id).toBe(c.id);
    const missing = await inject('POST', '/api/alerts/CreateAlertByReference', token, { ...ua, 'content-type': 'application/json' }, {
      machineId: device.id, severity: 'High', title: 'x', description: 'x', eventTime: reportEventTime, reportId: '4712', recommendedAction: 'x', category: 'Execution',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ResourceNotFound');
  });
});

describe('Elastic (microsoft_defender_endpoint)', () => {
  const ua = { 'user-agent': 'MdatpPartner-Elastic-Filebeat/1.0.0' };
  it('polls with $expand=evidence and a 7-digit lastUpdateTime, splitting value and evidence', async () => {
    const token = await h.token(['Alert.Read.All']);
    const since = goTime(new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.(\d{3})Z$/, '.$11234Z'));
    expect(since).toMatch(/\.\d{7}Z$/);
    const query = goValuesEncode({ $filter: `lastUpdateTime gt ${since}`, $expand: 'evidence' });
    expect(query).toMatch(/^%24expand=evidence&%24filter=lastUpdateTime\+gt\+\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{7}Z$/);
    const page = await inject('GET', `/api/alerts?${query}`, token, ua);
    expect(page.statusCode, page.body).toBe(200);
    const events: Json[] = [];
    for (const a of page.json().value as Json[]) for (const e of a.evidence as Json[]) events.push({ ...a, evidence: e });
    const parentKeys = ['id', 'incidentId', 'investigationId', 'assignedTo', 'severity', 'status', 'classification', 'determination', 'investigationState', 'detectionSource', 'category', 'threatFamilyName', 'title', 'description', 'alertCreationTime', 'firstEventTime', 'lastEventTime', 'lastUpdateTime', 'resolvedTime', 'machineId', 'computerDnsName', 'aadTenantId', 'relatedUser', 'comments', 'rbacGroupName', 'threatName'];
    const evidenceKeys = ['entityType', 'sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime', 'parentProcessId', 'parentProcessCreationTime', 'ipAddress', 'url', 'accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName', 'registryKey', 'registryHive', 'registryValueType', 'registryValue'];
    const mine = events.filter((e) => e.id === alert.id);
    expect(mine).toHaveLength(3);
    for (const e of mine) {
      for (const k of parentKeys) expect(e, k).toHaveProperty(k);
      for (const k of evidenceKeys) expect(e.evidence, k).toHaveProperty(k);
    }
    expect((mine[1].evidence as Json).processId).toBe(3276);
    expect(mine[0].relatedUser).toEqual({ userName: 'temp123', domainName: 'DOMAIN' });
    const trimmed = goTime('2999-01-01T00:00:00.0000000Z');
    expect(trimmed).toBe('2999-01-01T00:00:00Z');
    const empty = await inject('GET', `/api/alerts?${goValuesEncode({ $filter: `lastUpdateTime gt ${trimmed}`, $expand: 'evidence' })}`, token, ua);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toHaveProperty('value', []);
  });
});

describe("Microsoft's hello-world sample", () => {
  it('lists alerts of the last 48 hours with Content-Type on the GET', async () => {
    const token = await h.token(['Alert.Read.All']);
    // PowerShell's (Get-Date).ToUniversalTime().AddHours(-48).ToString("o"): 7 fractional digits
    const o = new Date(Date.now() - 48 * 3600_000).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
    const res = await inject('GET', `/api/alerts?$filter=alertCreationTime%20ge%20${o}`, token, { 'content-type': 'application/json', accept: 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().value as Json[]).some((a) => a.id === alert.id)).toBe(true);
  });
});

describe('Splunk SOAR (windowsdefenderatp)', () => {
  const json = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'python-requests/2.31.0' };
  it('polls on lastUpdateTime with whole seconds, reads severity as a string, gets the alert and its user, updates it', async () => {
    const token = await h.token(['Alert.ReadWrite.All', 'User.Read.All']);
    const since = new Date(Date.now() - 3 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // the URL as Splunk writes it ("…?$filter=lastUpdateTime ge …&$top=…"), as requote_uri sends it
    const res = await inject('GET', `/api/alerts?$filter=lastUpdateTime%20ge%20${since}&$top=1000`, token, json);
    expect(res.statusCode, res.body).toBe(200);
    const alerts = res.json().value as Json[];
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    for (const a of alerts) {
      expect(typeof a.severity).toBe('string');
      expect((a.severity as string).toLowerCase()).toMatch(/^(unspecified|informational|low|medium|high)$/);
      for (const k of ['id', 'title', 'status', 'lastUpdateTime', 'machineId']) expect(a[k], k).toBeTruthy();
    }
    const one = await inject('GET', `/api/alerts/${alert.id}`, token, json);
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(alert.id);
    const user = await inject('GET', `/api/alerts/${alert.id}/user`, token, json);
    expect(user.statusCode, user.body).toBe(200);
    expect(user.json()).toMatchObject({ accountName: 'temp123', accountDomain: 'DOMAIN' });
    const upd = await inject('PATCH', `/api/alerts/${alert.id}`, token, json, { status: 'Resolved', comment: 'closed from Splunk', classification: 'FalsePositive', determination: 'NotMalicious' });
    expect(upd.statusCode, upd.body).toBe(200);
    expect(upd.json()).toMatchObject({ status: 'Resolved', determination: 'NotMalicious' });
    expect(upd.json().resolvedTime).not.toBeNull();
  });
});
