/**
 * Investigation entities through HTTP (reference §2.6, §3.6–3.8): files, IPs, domains, users, logon
 * users and findbyip, computed from ingested events — shapes key for key as the Swimlane captures,
 * 404/400 as MDE answers, device-group scope and tenant isolation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../src/domain/rbac.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/api-samples/swimlane');
const sample = (name: string) => (JSON.parse(readFileSync(join(FIXTURES, `${name}.output.json`), 'utf8')) as { json_body: Record<string, unknown> }[])[0].json_body;
const keys = (o: object) => Object.keys(o);

const SHA1 = 'aa'.repeat(20);
const SHA256 = 'bb'.repeat(32);
const MD5 = 'cc'.repeat(16);
const USER = '99999999-2222-3333-4444-555555555555';
const ROLES: Record<string, UserRole[]> = { [USER]: [{ name: 'group 7', permissions: ['Machine.Read', 'User.Read.All', 'File.Read.All', 'Ip.Read.All'], deviceGroups: [7] }] };

let h: Harness;
let token: string;
const ids: Record<string, string> = {};
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function ingest(name: string, rows: { table: string; row: Record<string, unknown> }[], tenantId = h.tenantId) {
  const id = ids[name];
  const body = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const group = name === 'seven' ? 7 : 0;
  const r = await h.events.ingest({ tenantId, deviceId: id, deviceName: name, rbacGroupId: group, batchId: `b-${name}-${Math.random()}`, body, gzip: false });
  expect(r.accepted, JSON.stringify(r.rejected)).toBe(rows.length);
}

async function userToken(scp: string): Promise<string> {
  const [key] = await h.state.tenants.signingKeys(h.tenantId);
  const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: h.tenantId, oid: USER, scp, idtyp: 'user', upn: 'analyst@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(`https://localhost/${h.tenantId}/v2.0`).setAudience('https://api.securitycenter.microsoft.com')
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(priv);
}

beforeAll(async () => {
  h = await startHarness({ userRoles: async (tenantId, userId) => (tenantId === h.tenantId ? ROLES[userId] ?? [] : []) });
  token = await h.token(['File.Read.All', 'Ip.Read.All', 'URL.Read.All', 'User.Read.All', 'Machine.Read.All', 'Alert.Read.All']);
  for (const [name, group] of [['alpha', 0], ['bravo', 0], ['seven', 7]] as const) ids[name] = (await h.addDevice({ computerDnsName: name, rbacGroupId: group })).id;
  const proc = (m: number, fileName: string, extra: Record<string, unknown> = {}) => ({
    table: 'DeviceProcessEvents',
    row: { Timestamp: minutesAgo(m), ActionType: 'ProcessCreated', FileName: fileName, SHA1, SHA256, MD5, FileSize: 391680, ProcessVersionInfoCompanyName: 'Contoso', ProcessVersionInfoProductName: 'Tool', ...extra },
  });
  const net = (m: number, extra: Record<string, unknown>) => ({ table: 'DeviceNetworkEvents', row: { Timestamp: minutesAgo(m), ActionType: 'ConnectionSuccess', ...extra } });
  const logon = (m: number, type: string, extra: Record<string, unknown> = {}) => ({
    table: 'DeviceLogonEvents', row: { Timestamp: minutesAgo(m), ActionType: 'LogonSuccess', AccountDomain: 'corp', AccountName: 'chris phillips', AccountSid: 'S-1-5-21-1', LogonType: type, ...extra },
  });
  await ingest('alpha', [
    proc(300, 'tool.exe'), proc(200, 'tool.exe'), proc(100, 'renamed.exe'),
    { table: 'DeviceFileCertificateInfo', row: { Timestamp: minutesAgo(100), SHA1, Signer: 'Contoso Ltd', SignerHash: 'dd'.repeat(20), Issuer: 'Contoso CA', IsTrusted: true } },
    net(90, { RemoteIP: '203.0.113.9', RemoteUrl: 'https://cdn.example.com/a.js', LocalIP: '10.1.1.5' }),
    net(80, { RemoteIP: '2001:db8::9', RemoteUrl: 'example.com', LocalIP: '10.1.1.5' }),
    logon(70, 'Interactive'), logon(60, 'Interactive'), logon(50, 'Network', { AccountName: 'svc', AccountSid: null }),
    { table: 'DeviceNetworkInfo', row: { Timestamp: minutesAgo(40), NetworkAdapterName: 'eth0', IPAddresses: JSON.stringify([{ IPAddress: '10.9.9.9', SubnetPrefix: 24 }]) } },
  ]);
  await ingest('bravo', [proc(2000, 'tool.exe'), net(20, { RemoteIP: '203.0.113.9', RemoteUrl: 'www.notexample.com' }), logon(10, 'Network')]);
  await ingest('seven', [proc(5, 'tool.exe'), net(5, { RemoteIP: '203.0.113.9' }), logon(5, 'Interactive')]);
  // another tenant's events with the same hash and address are never counted
  const other = await h.newTenant('Other');
  ids.other = (await h.addDevice({ computerDnsName: 'other' }, other.id)).id;
  await ingest('other', [proc(5, 'tool.exe'), net(5, { RemoteIP: '203.0.113.9' })], other.id);
});
afterAll(async () => h?.close());

const get = (url: string, t = token, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t}`, ...headers } });
const names = (body: { value: { computerDnsName: string }[] }) => body.value.map((m) => m.computerDnsName).sort();

describe('files', () => {
  it('GET /api/files/{sha1|sha256} is the file the events describe, key for key as MDE', async () => {
    for (const id of [SHA1, SHA256.toUpperCase()]) {
      const res = await get(`/api/files/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['odata-version']).toBe('4.0');
      const body = res.json();
      expect(keys(body)).toEqual(keys(sample('get_file_information')));
      expect(body['@odata.context']).toMatch(/\/api\/\$metadata#Files\/\$entity$/);
      expect(body).toMatchObject({ sha1: SHA1, sha256: SHA256, md5: MD5, size: 391680, isPeFile: true, filePublisher: 'Contoso', fileProductName: 'Tool', signer: 'Contoso Ltd', issuer: 'Contoso CA', isValidCertificate: true, determinationType: 'Unknown' });
    }
  });
  it('answers 404 for a hash no event carries and 400 for a malformed one', async () => {
    const missing = await get(`/api/files/${'ef'.repeat(20)}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ResourceNotFound');
    for (const bad of ['xyz', 'aa'.repeat(16), `${SHA1}0`]) {
      const res = await get(`/api/files/${bad}/stats`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.message).toMatch(/SHA1|SHA256/);
    }
  });
  it('stats: prevalence, first and last seen, top file names, as InOrgFileStats', async () => {
    const res = await get(`/api/files/${SHA1}/stats`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(keys(body)).toEqual(keys(sample('get_file_statistics')));
    expect(body['@odata.context']).toMatch(/#microsoft\.windowsDefenderATP\.api\.InOrgFileStats$/);
    // alpha and bravo in the last 30 days (the group-7 device too: an app token sees every group)
    expect(body).toMatchObject({ sha1: SHA1, organizationPrevalence: 3, orgPrevalence: '3', topFileNames: ['tool.exe', 'renamed.exe'] });
    expect(new Date(body.orgLastSeen).getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    const recent = (await get(`/api/files/${SHA1}/stats?lookBackHours=4`)).json();
    expect(recent).toMatchObject({ organizationPrevalence: 2, topFileNames: ['tool.exe', 'renamed.exe'] });
  });
  it('refuses a look-back outside 1–720 hours', async () => {
    for (const v of ['0', '721', '99999999999999999999', '-1', '1.5', 'abc']) {
      const res = await get(`/api/files/${SHA1}/stats?lookBackHours=${v}`);
      expect(res.statusCode, v).toBe(400);
      expect(res.json().error.message).toMatch(/lookBackHours/);
    }
  });
  it('machines: the devices where the file was seen', async () => {
    const res = await get(`/api/files/${SHA1}/machines`);
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res.json())).toEqual(['alpha', 'bravo', 'seven']);
    expect((await get(`/api/files/${'ef'.repeat(20)}/machines`)).json().value).toEqual([]);
  });
});

describe('IPs and domains', () => {
  it('IP stats as InOrgIPStats; unknown → prevalence 0; malformed → 400', async () => {
    const res = await get('/api/ips/203.0.113.9/stats');
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json())).toEqual(keys(sample('get_ip_statistics')));
    expect(res.json()).toMatchObject({ ipAddress: '203.0.113.9', organizationPrevalence: 3, orgPrevalence: '3' });
    expect((await get('/api/ips/2001:0db8:0000:0000:0000:0000:0000:0009/stats')).json().organizationPrevalence).toBe(1);
    expect((await get('/api/ips/192.0.2.77/stats')).json()).toMatchObject({ organizationPrevalence: 0, orgFirstSeen: null, orgLastSeen: null });
    for (const bad of ['300.1.1.1', '1.2.3.4%2F24', 'not-an-ip']) expect((await get(`/api/ips/${bad}/stats`)).statusCode, bad).toBe(400);
    expect(names((await get('/api/ips/203.0.113.9/machines')).json())).toEqual(['alpha', 'bravo', 'seven']);
  });
  it('domain stats as InOrgDomainStats count the domain and its subdomains, not look-alikes', async () => {
    const res = await get('/api/domains/example.com/stats');
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json())).toEqual(keys(sample('get_domain_statistics')));
    expect(res.json()).toMatchObject({ host: 'example.com', organizationPrevalence: 1, orgPrevalence: '1' });
    expect((await get('/api/domains/unknown.example.org/stats')).json().organizationPrevalence).toBe(0);
    expect((await get('/api/domains/bad_domain!/stats')).statusCode).toBe(400);
    expect(names((await get('/api/domains/example.com/machines')).json())).toEqual(['alpha']);
  });
});

describe('users', () => {
  it('users/{name}/machines: the devices the account logged on to (a raw space in the path, as Splunk sends it)', async () => {
    const res = await get('/api/users/chris phillips/machines', token, { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res.json())).toEqual(['alpha', 'bravo', 'seven']);
    expect(names((await get('/api/users/corp%5Cchris%20phillips/machines')).json())).toEqual(['alpha', 'bravo', 'seven']);
    expect((await get('/api/users/nobody/machines')).json().value).toEqual([]);
  });
  it('machines/{id}/logonusers: users with MDE keys; 404 for an unknown machine', async () => {
    const res = await get(`/api/machines/${ids.alpha}/logonusers`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/#Users$/);
    const chris = body.value.find((u: { accountName: string }) => u.accountName === 'chris phillips');
    expect(keys(chris)).toEqual(keys((sample('get_machine_logon_users').value as object[])[0]));
    expect(chris).toMatchObject({ id: 'corp\\chris phillips', accountDomain: 'corp', accountSid: 'S-1-5-21-1', logonTypes: 'Interactive', logOnMachinesCount: 3, mostPrevalentMachineId: ids.alpha, isOnlyNetworkUser: false });
    const svc = body.value.find((u: { accountName: string }) => u.accountName === 'svc');
    expect(svc).toMatchObject({ logonTypes: 'Network', isOnlyNetworkUser: true, accountSid: null });
    expect((await get('/api/machines/alpha/logonusers')).statusCode).toBe(200);
    expect((await get(`/api/machines/${'f'.repeat(40)}/logonusers`)).statusCode).toBe(404);
  });
});

describe('findbyip', () => {
  it('finds the devices that had the internal address within 15 minutes (function-call segment and find form)', async () => {
    const at = minutesAgo(45).replace(/\.\d+Z$/, 'Z');
    const res = await get(`/api/machines/findbyip(ip='10.9.9.9',timestamp=${at})`);
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res.json())).toEqual(['alpha']);
    expect(names((await get(`/api/machines/findbyip(ip='10.1.1.5',timestamp=${minutesAgo(85)})`)).json())).toEqual(['alpha']);
    expect((await get(`/api/machines/findbyip(ip='10.9.9.9',timestamp=${minutesAgo(120)})`)).json().value).toEqual([]);
    expect(names((await get(`/api/v1.0/machines/find(timestamp=${at},key='10.9.9.9')`)).json())).toEqual(['alpha']);
  });
  it('refuses a timestamp older than 30 days, a bad address and missing arguments', async () => {
    expect((await get(`/api/machines/findbyip(ip='10.9.9.9',timestamp=${minutesAgo(31 * 24 * 60)})`)).statusCode).toBe(400);
    expect((await get(`/api/machines/findbyip(ip='10.9.9',timestamp=${minutesAgo(5)})`)).statusCode).toBe(400);
    expect((await get(`/api/machines/findbyip(ip='10.9.9.9',timestamp=yesterday)`)).statusCode).toBe(400);
    expect((await get(`/api/machines/findbyip(ip='10.9.9.9')`)).json().error.code).toBe('MissingRequiredParameter');
  });
});

describe('related alerts', () => {
  it('files, IPs, domains and users list the alerts whose evidence names them; unknown → empty', async () => {
    const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
      dedupeKey: 'related-1', title: 'related', description: 'd', severity: 'Medium', category: 'Malware', detectionSource: 'CustomerTI', machineId: ids.alpha,
      evidence: [
        { entityType: 'File', sha1: SHA1, sha256: SHA256, fileName: 'tool.exe' },
        { entityType: 'Ip', ipAddress: '203.0.113.9' },
        { entityType: 'Url', url: 'https://cdn.example.com/a.js' },
        { entityType: 'User', accountName: 'chris phillips', domainName: 'corp' },
      ],
    });
    for (const url of [`/api/files/${SHA1}/alerts`, `/api/files/${SHA256}/alerts`, '/api/ips/203.0.113.9/alerts', '/api/domains/example.com/alerts', '/api/users/chris phillips/alerts', '/api/users/corp%5Cchris%20phillips/alerts']) {
      const res = await get(url);
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
      expect(res.json()['@odata.context'], url).toMatch(/#Alerts$/);
      expect(res.json().value.map((a: { id: string }) => a.id), url).toEqual([alert.id]);
    }
    for (const url of [`/api/files/${'ef'.repeat(20)}/alerts`, '/api/ips/192.0.2.1/alerts', '/api/domains/notexample.com/alerts', '/api/users/nobody/alerts']) {
      expect((await get(url)).json().value, url).toEqual([]);
    }
    expect((await get('/api/ips/1.2.3/alerts')).statusCode).toBe(400);
    expect((await get(`/api/files/${SHA1}/alerts`, await h.token(['File.Read.All']))).statusCode).toBe(403);
  });
});

describe('scope', () => {
  it('a user limited to device group 7 counts and lists only group 7', async () => {
    const t = await userToken('Machine.Read User.Read.All File.Read.All Ip.Read.All');
    expect((await get(`/api/files/${SHA1}/stats`, t)).json().organizationPrevalence).toBe(1);
    expect(names((await get(`/api/files/${SHA1}/machines`, t)).json())).toEqual(['seven']);
    expect(names((await get('/api/ips/203.0.113.9/machines', t)).json())).toEqual(['seven']);
    expect((await get(`/api/machines/${ids.alpha}/logonusers`, t)).statusCode).toBe(404);
    const seven = (await get(`/api/machines/${ids.seven}/logonusers`, t)).json().value;
    expect(seven).toHaveLength(1);
    expect(seven[0].logOnMachinesCount).toBe(1);
  });
  it('needs the documented permission', async () => {
    const t = await h.token(['Machine.Read.All']);
    expect((await get(`/api/files/${SHA1}`, t)).statusCode).toBe(403);
    expect((await get(`/api/machines/${ids.alpha}/logonusers`, t)).statusCode).toBe(403);
    expect((await get(`/api/files/${SHA1}/machines`, t)).statusCode).toBe(200);
  });
});
