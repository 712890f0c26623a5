/**
 * The indicators API through the app (inject): shape against the corpus samples key for key,
 * validation per type with MDE's codes and nothing half-applied, upsert, legacy actions, device
 * groups, Ti.ReadWrite (own) vs Ti.ReadWrite.All, import and batch delete bounds, the 15,000 cap,
 * audit records, the sensor's versioned list, and a match on ingest raising a CustomerTI alert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListQuery } from '../../src/odata/index.ts';
import { ALERT } from '../../src/entities/alert.ts';
import { MAX_ACTIVE_INDICATORS } from '../../src/domain/indicator.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/api-samples');
const cisco = JSON.parse(readFileSync(join(FIXTURES, 'indicators/cisco-tr05-RAW_RESPONSE_TRIGGER_OBSERVABLE.json'), 'utf8')) as Record<string, unknown>;
const swimlaneList = JSON.parse(readFileSync(join(FIXTURES, 'swimlane/get_indicators.output.json'), 'utf8'))[0].json_body as { value: Record<string, unknown>[] };
const swimlaneImport = JSON.parse(readFileSync(join(FIXTURES, 'swimlane/import_indicators.output.json'), 'utf8'))[0].json_body as { value: Record<string, unknown>[] };

let h: Harness;
let all: string;
let own: string;
let other: string;
let none: string;
const SHA1 = 'bec1b52d350d721c7e22a6d4bb0a92909893a3ae';

beforeAll(async () => {
  h = await startHarness();
  all = await h.token(['Ti.ReadWrite.All']);
  own = await h.token(['Ti.ReadWrite']);
  other = await h.token(['Ti.ReadWrite']);
  none = await h.token(['Machine.Read.All']);
  // names resolve against the tenant's device groups, whether or not a device is in them yet
  await h.palisade.settings.deviceGroups.create(h.operator(), { name: 'Other group', rule: { tags: ['other'] } });
  await h.palisade.settings.deviceGroups.create(h.operator(), { name: 'Servers', rule: { tags: ['servers'] } });
});
afterAll(async () => h?.close());

function send(token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  return h.app.inject({
    method, url,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

const base = { indicatorType: 'FileSha1', action: 'Audit', title: 'Test', description: 'Test indicator', severity: 'Medium' };
const sha1 = (n: number) => n.toString(16).padStart(40, '0');

async function count(token = all): Promise<number> {
  const res = await send(token, 'GET', '/api/indicators?$count=true&$top=0');
  return res.json()['@odata.count'] as number;
}

describe('shape', () => {
  it('answers a submission with every key of the corpus samples, in their order, and no other', async () => {
    const res = await send(all, 'POST', '/api/v1.0/indicators', { ...base, indicatorValue: SHA1.toUpperCase(), application: 'demo-test', recommendedActions: 'nothing', expirationTime: '2099-12-12T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Record<string, unknown>;
    expect(body['@odata.context']).toMatch(/\/api\/v1\.0\/\$metadata#Indicators\/\$entity$/);
    const keys = Object.keys(body);
    const union = new Set([...Object.keys(cisco), ...Object.keys(swimlaneList.value[0])]);
    for (const k of Object.keys(cisco)) expect(keys, `cisco key ${k}`).toContain(k);
    for (const k of Object.keys(swimlaneList.value[0])) expect(keys, `swimlane key ${k}`).toContain(k);
    for (const k of keys) expect(union.has(k), `extra key ${k}`).toBe(true);
    // the keys both samples share come in the samples' order
    const shared = Object.keys(cisco).filter((k) => k in swimlaneList.value[0]);
    expect(keys.filter((k) => shared.includes(k))).toEqual(shared);
    expect(body).toMatchObject({
      indicatorValue: SHA1, indicatorType: 'FileSha1', action: 'Audit', severity: 'Medium', category: 1, generateAlert: true,
      sourceType: 'AadApp', createdBySource: 'PublicApi', rbacGroupNames: [], rbacGroupIds: [], mitreTechniques: [],
      expirationTime: '2099-12-12T00:00:00Z', lastUpdatedBy: null, historicalDetection: false,
    });
    expect(body.id).toMatch(/^\d+$/);
    // the list item carries the same keys as the sample list's items, with the value types they have
    const list = (await send(all, 'GET', '/api/indicators')).json() as { '@odata.context': string; value: Record<string, unknown>[] };
    expect(list['@odata.context']).toMatch(/\/api\/\$metadata#Indicators$/);
    const item = list.value.find((i) => i.id === body.id)!;
    for (const [k, v] of Object.entries(swimlaneList.value[1])) {
      expect(typeof item[k] === typeof v || item[k] === null || v === null, `type of ${k}`).toBe(true);
    }
  });

  it('answers an import item by item in the sample\'s shape', async () => {
    const res = await send(all, 'POST', '/api/indicators/import', { Indicators: [{ ...base, indicatorValue: sha1(0xaa01) }, { ...base, indicatorValue: 'nothex' }] });
    expect(res.statusCode, res.body).toBe(200);
    const { value } = res.json() as { value: Record<string, unknown>[] };
    expect(Object.keys(value[0])).toEqual(Object.keys(swimlaneImport.value[0]));
    expect(value[0]).toMatchObject({ indicator: sha1(0xaa01), isFailed: false, failureReason: null });
    expect(value[0].id).toMatch(/^\d+$/);
    expect(value[1]).toMatchObject({ id: null, indicator: 'nothex', isFailed: true });
    expect(value[1].failureReason).toMatch(/^InvalidHashValue: /);
  });
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['a short SHA1', { ...base, indicatorValue: 'abc' }, 400, 'InvalidHashValue'],
    ['a SHA256 of 63 digits', { ...base, indicatorType: 'FileSha256', indicatorValue: 'a'.repeat(63) }, 400, 'InvalidHashValue'],
    ['an MD5 with a letter beyond f', { ...base, indicatorType: 'FileMd5', indicatorValue: 'g'.repeat(32) }, 400, 'InvalidHashValue'],
    ['a certificate thumbprint of 41 digits', { ...base, indicatorType: 'CertificateThumbprint', action: 'Allowed', indicatorValue: 'a'.repeat(41) }, 400, 'InvalidHashValue'],
    ['a CIDR block', { ...base, indicatorType: 'IpAddress', indicatorValue: '10.0.0.0/8' }, 400, 'InvalidIpAddress'],
    ['an IP range', { ...base, indicatorType: 'IpAddress', indicatorValue: '10.0.0.1-10.0.0.9' }, 400, 'InvalidIpAddress'],
    ['a compressed IPv6 address', { ...base, indicatorType: 'IpAddress', indicatorValue: '2001:db8::1' }, 400, 'InvalidIpAddress'],
    ['an octet over 255', { ...base, indicatorType: 'IpAddress', indicatorValue: '10.0.0.256' }, 400, 'InvalidIpAddress'],
    ['a wildcard domain', { ...base, indicatorType: 'DomainName', indicatorValue: '*.example.com' }, 400, 'InvalidDomainName'],
    ['a domain with a scheme', { ...base, indicatorType: 'DomainName', indicatorValue: 'https://example.com' }, 400, 'InvalidDomainName'],
    ['a URL with a wildcard', { ...base, indicatorType: 'Url', indicatorValue: 'https://example.com/*' }, 400, 'InvalidUrl'],
    ['an ftp URL', { ...base, indicatorType: 'Url', indicatorValue: 'ftp://example.com/a' }, 400, 'InvalidUrl'],
    ['Block on a certificate', { ...base, indicatorType: 'CertificateThumbprint', action: 'Block', indicatorValue: 'a'.repeat(40) }, 400, 'InvalidRequestBody'],
    ['BlockAndRemediate on an IP', { ...base, indicatorType: 'IpAddress', action: 'BlockAndRemediate', indicatorValue: '10.1.1.1' }, 400, 'InvalidRequestBody'],
    ['Audit without an alert', { ...base, indicatorValue: sha1(1), generateAlert: false }, 400, 'InvalidRequestBody'],
    ['an unknown action', { ...base, indicatorValue: sha1(1), action: 'Quarantine' }, 400, 'InvalidRequestBody'],
    ['an unknown type', { ...base, indicatorType: 'Email', indicatorValue: 'a@b.c' }, 400, 'InvalidRequestBody'],
    ['no title', { ...base, indicatorValue: sha1(1), title: undefined }, 400, 'MissingRequiredParameter'],
    ['a past expiration', { ...base, indicatorValue: sha1(1), expirationTime: '2001-01-01T00:00:00Z' }, 400, 'InvalidRequestBody'],
    ['an unknown device group', { ...base, indicatorValue: sha1(1), rbacGroupNames: 'Nowhere' }, 400, 'InvalidRequestBody'],
    ['an indicatorValue that is a number', { ...base, indicatorValue: 5 }, 400, 'InvalidRequestBody'],
    ['an object whose toString is data', { ...base, indicatorType: { toString: 'Infinity' }, indicatorValue: sha1(1) }, 400, 'InvalidRequestBody'],
  ];
  it.each(cases)('refuses %s with the documented code, storing nothing', async (_name, body, status, code) => {
    const before = await count();
    const res = await send(all, 'POST', '/api/indicators', body);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(await count()).toBe(before);
  });

  it('accepts IPv4, fully expanded IPv6, domains, URLs and certificates, normalised', async () => {
    const ok: [string, string, string, string][] = [
      ['IpAddress', '203.0.113.9', 'Block', '203.0.113.9'],
      ['IpAddress', '2001:0DB8:0000:0000:0000:0000:0000:0001', 'Warn', '2001:0db8:0000:0000:0000:0000:0000:0001'],
      ['DomainName', 'Evil.Example.COM', 'Block', 'evil.example.com'],
      ['Url', 'https://www.example.org/path', 'Audit', 'https://www.example.org/path'],
      ['CertificateThumbprint', 'AB'.repeat(20), 'BlockAndRemediate', 'ab'.repeat(20)],
    ];
    for (const [indicatorType, indicatorValue, action, stored] of ok) {
      const res = await send(all, 'POST', '/api/indicators', { ...base, indicatorType, indicatorValue, action });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().indicatorValue).toBe(stored);
    }
  });
});

describe('upsert, legacy actions, groups', () => {
  it('updates the indicator with the same type and value instead of adding one', async () => {
    const a = (await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xb001) })).json();
    const b = (await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xb001).toUpperCase(), action: 'Block', title: 'Changed' })).json();
    expect(b.id).toBe(a.id);
    expect(b).toMatchObject({ action: 'Block', title: 'Changed', creationTimeDateTimeUtc: a.creationTimeDateTimeUtc });
    expect(b.lastUpdatedBy).not.toBeNull();
  });

  it('accepts the legacy actions as sent, with an alert by default', async () => {
    const r = await send(all, 'POST', '/api/indicators', { ...base, indicatorType: 'DomainName', indicatorValue: 'asdf.com', action: 'Alert', severity: 'High' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ action: 'Alert', generateAlert: true });
    const b = await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xb002), action: 'AlertAndBlock' });
    expect(b.json()).toMatchObject({ action: 'AlertAndBlock', generateAlert: true });
  });

  it('reads rbacGroupNames as a comma-separated string or an array, resolved against the device groups in any case', async () => {
    const s = (await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xb003), rbacGroupNames: 'servers, ' })).json();
    expect(s).toMatchObject({ rbacGroupNames: ['Servers'], rbacGroupIds: ['2'] });
    const a = (await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xb004), rbacGroupNames: ['Servers', 'OTHER GROUP', 'Servers'] })).json();
    expect(a).toMatchObject({ rbacGroupNames: ['Servers', 'Other group'], rbacGroupIds: ['2', '1'] });
  });
});

describe('Ti.ReadWrite reaches its own indicators, Ti.ReadWrite.All all of them', () => {
  it('lists, updates and deletes accordingly', async () => {
    const mine = (await send(own, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xc001) })).json();
    const theirs = (await send(other, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xc002) })).json();
    const ids = async (token: string) => ((await send(token, 'GET', '/api/indicators')).json().value as { id: string }[]).map((i) => i.id);
    expect(await ids(own)).toEqual([mine.id]);
    expect(await ids(other)).toEqual([theirs.id]);
    expect(await ids(all)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const update = await send(own, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xc002), title: 'Hijack' });
    expect(update.statusCode).toBe(403);
    expect((await send(own, 'DELETE', `/api/indicators/${theirs.id}`)).statusCode).toBe(404);
    expect((await send(own, 'POST', '/api/indicators/BatchDelete', { IndicatorIds: [mine.id, theirs.id] })).statusCode).toBe(404);
    expect(await ids(own)).toEqual([mine.id]);
    expect((await send(none, 'GET', '/api/indicators')).statusCode).toBe(403);
    expect((await send(all, 'DELETE', `/api/indicators/${theirs.id}`)).statusCode).toBe(204);
    expect(await ids(other)).toEqual([]);
  });
});

describe('import and delete bounds', () => {
  it('refuses an empty or a 501-item import whole', async () => {
    const before = await count();
    const big = Array.from({ length: 501 }, (_, i) => ({ ...base, indicatorValue: sha1(0xd000 + i) }));
    const r = await send(all, 'POST', '/api/indicators/import', { Indicators: big });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('MaximumBatchSizeExceeded');
    expect((await send(all, 'POST', '/api/indicators/import', { Indicators: [] })).statusCode).toBe(400);
    expect((await send(all, 'POST', '/api/indicators/import', { indicators: [] })).json().error.code).toBe('MissingRequiredParameter');
    expect(await count()).toBe(before);
  });

  it('deletes one (204, then 404) and a batch all or nothing', async () => {
    const imported = (await send(all, 'POST', '/api/indicators/import', { Indicators: [1, 2, 3].map((i) => ({ ...base, indicatorValue: sha1(0xe000 + i) })) })).json().value as { id: string }[];
    const [a, b, c] = imported.map((i) => i.id);
    expect((await send(all, 'DELETE', `/api/indicators/${a}`)).statusCode).toBe(204);
    const again = await send(all, 'DELETE', `/api/indicators/${a}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('ResourceNotFound');
    const before = await count();
    const partial = await send(all, 'POST', '/api/indicators/BatchDelete', { IndicatorIds: [b, c, '999999'] });
    expect(partial.statusCode).toBe(404);
    expect(await count()).toBe(before);
    for (const bad of [{ IndicatorIds: [] }, { IndicatorIds: ['x1'] }, { IndicatorIds: [{ toString: 'x' }] }, { IndicatorIds: Array.from({ length: 501 }, (_, i) => String(i + 1)) }, {}]) {
      expect((await send(all, 'POST', '/api/indicators/BatchDelete', bad)).statusCode).toBe(400);
    }
    expect((await send(all, 'POST', '/api/indicators/BatchDelete', { IndicatorIds: [b, Number(c)] })).statusCode).toBe(204);
    expect(await count()).toBe(before - 2);
  });

  it('audits every change, refusals included', async () => {
    const log = await h.state.audit.list(h.tenantId, 1000);
    const actions = new Set(log.map((r) => `${r.action}:${r.result}`));
    for (const a of ['indicator.submit:success', 'indicator.submit:failure', 'indicator.import:success', 'indicator.import:failure', 'indicator.delete:success', 'indicator.delete:failure', 'indicator.batchDelete:success', 'indicator.batchDelete:failure']) {
      expect(actions, a).toContain(a);
    }
  });
});

describe('the sensor list', () => {
  it('gives a device the whole list, then only what changed, scoped to its group', async () => {
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    const enrolled = (await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: 'list-host', osPlatform: 'Linux' } })).json();
    const auth = { authorization: `Device ${enrolled.deviceId}:${enrolled.deviceCredential}` };
    const full = (await h.app.inject({ method: 'GET', url: '/sensor/v1/indicators', headers: auth })).json();
    expect(full.full).toBe(true);
    expect(full.indicators.length).toBeGreaterThan(0);
    // group-scoped indicators (Servers) are not for this ungrouped device
    expect(full.indicators.some((i: { value: string }) => i.value === sha1(0xb003))).toBe(false);
    const created = (await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: sha1(0xf001) })).json();
    const deleted = full.indicators[0].id as string;
    await send(all, 'DELETE', `/api/indicators/${deleted}`);
    const delta = (await h.app.inject({ method: 'GET', url: `/sensor/v1/indicators?since=${full.version}`, headers: auth })).json();
    expect(delta).toMatchObject({ full: false, removed: [deleted] });
    expect(delta.version).toBeGreaterThan(full.version);
    expect(delta.indicators.map((i: { id: string }) => i.id)).toEqual([created.id]);
    expect(Object.keys(delta.indicators[0])).toEqual(['id', 'type', 'value', 'action', 'expires']);
    const none = (await h.app.inject({ method: 'GET', url: `/sensor/v1/indicators?since=${delta.version}`, headers: auth })).json();
    expect(none).toMatchObject({ full: false, indicators: [], removed: [], version: delta.version });
    expect((await h.app.inject({ method: 'GET', url: '/sensor/v1/indicators?since=abc', headers: auth })).statusCode).toBe(400);
  });
});

describe('matching on ingest', () => {
  it('raises one CustomerTI alert with file and process evidence for a process whose hash an indicator names', async () => {
    const hash = sha1(0x5eed);
    await send(all, 'POST', '/api/indicators', { ...base, indicatorValue: hash, action: 'Block', title: 'Known bad tool', severity: 'High', generateAlert: true });
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    const dev = (await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: 'match-host', osPlatform: 'Linux' } })).json();
    const row = {
      Timestamp: new Date().toISOString(), ActionType: 'ProcessCreated', FileName: 'bad.exe', FolderPath: 'C:\\Temp\\bad.exe', SHA1: hash.toUpperCase(),
      ProcessId: 4242, ProcessCommandLine: 'bad.exe --now', AccountName: 'alice', AccountDomain: 'corp', InitiatingProcessFileName: 'cmd.exe', InitiatingProcessId: 11, ReportId: 77,
    };
    const body = `${JSON.stringify({ table: 'DeviceProcessEvents', row })}\n${JSON.stringify({ table: 'DeviceProcessEvents', row: { ...row, SHA1: sha1(0x1234), ReportId: 78 } })}\n`;
    for (const batch of ['match-batch-0001', 'match-batch-0001']) {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/events', headers: { authorization: `Device ${dev.deviceId}:${dev.deviceCredential}`, 'content-type': 'application/x-ndjson', 'x-batch-id': batch }, payload: body });
      expect(res.statusCode, res.body).toBe(200);
    }
    await h.palisade.indicatorAlerts!.idle();
    const ctx = h.operator();
    const alerts = (await h.palisade.alerts.list(ctx, parseListQuery({ $filter: "detectionSource eq 'CustomerTI'" }, ALERT.set))).items.filter((a) => a.machineId === dev.deviceId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ title: 'Known bad tool', severity: 'High', detectionSource: 'CustomerTI', status: 'New' });
    const types = alerts[0].evidence.map((e) => e.entityType);
    expect(types).toEqual(expect.arrayContaining(['File', 'Process', 'User']));
    expect(alerts[0].evidence.find((e) => e.entityType === 'Process')).toMatchObject({ processId: 4242, processCommandLine: 'bad.exe --now', sha1: hash });
    expect(h.palisade.indicatorAlerts!.stats()).toMatchObject({ failed: 0, rejected: 0, raised: 1 });
  });
});

describe('the 15,000 cap', () => {
  it('refuses the indicator beyond 15,000 active ones, item by item in an import', async () => {
    const t = await h.newTenant('Cap');
    const tok = await h.token(['Ti.ReadWrite.All'], t.id);
    const sendT = (body: unknown) => h.app.inject({ method: 'POST', url: '/api/indicators/import', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    for (let n = 0; n < MAX_ACTIVE_INDICATORS; n += 500) {
      const res = await sendT({ Indicators: Array.from({ length: 500 }, (_, i) => ({ ...base, indicatorValue: sha1(0x100000 + n + i) })) });
      expect(res.statusCode).toBe(200);
    }
    const over = (await sendT({ Indicators: [{ ...base, indicatorValue: sha1(0x900000) }, { ...base, indicatorValue: sha1(0x100000), title: 'update is fine' }] })).json().value;
    expect(over[0]).toMatchObject({ isFailed: true });
    expect(over[0].failureReason).toMatch(/15000 active indicators/);
    expect(over[1]).toMatchObject({ isFailed: false });
  }, 120_000);
});
