/**
 * The entity, SIEM and Graph request sequences of the clients in clients.md, replayed through the
 * app with each request as the client's HTTP library puts it on the wire, and every field the client
 * reads checked.
 *
 * - Splunk SOAR (Python `requests`; `Content-Type: application/json` on every GET, with no body;
 *   query written into the URL, `requote_uri` keeping `$` and `'` and turning spaces into `%20`):
 *   file statistics (`/files/{h}/stats`), a machine's logon users (`/machines/{id}/logonusers`).
 * - msticpy's Graph driver (MSAL for Python, then `httpx`): a token for
 *   `https://graph.microsoft.com/.default`, then `POST /v1.0/security/runHuntingQuery` with
 *   `{"Query"}`; reads `results` and `schema[].name/type`, `error.message` on a failure.
 * - Elastic's m365_defender integration (CEL, Go's `url.Values.Encode`: keys sorted, `$` as `%24`,
 *   `:` as `%3A`, spaces as `+`): a Graph token (HTTP Basic client authentication first), then the
 *   `alerts_v2` poll with `$filter=lastUpdateDateTime ge …`, `$orderby=lastUpdateDateTime asc`,
 *   `$top`, `$skip` and `Prefer: include-unknown-enum-members`, paging while a page is full; reads
 *   `value` (present on an empty page) and each alert's `lastUpdateDateTime`, `severity`, `status`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/domain/context.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const SHA1 = '6532ec91d513acc05f43ee0aa3002599729fd3e1';
const SHA256 = 'd4447dffdbb2889b4b4e746b0bc882df1b854101614b0aa83953ef3cb66904cf';
let h: Harness;
let machineId: string;

beforeAll(async () => {
  h = await startHarness();
  machineId = (await h.addDevice({ computerDnsName: 'se-pov-desktop' })).id;
  const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const rows = [
    { table: 'DeviceProcessEvents', row: { Timestamp: at(90), ActionType: 'ProcessCreated', FileName: 'putty.exe', SHA1, SHA256, FileSize: 391680 } },
    { table: 'DeviceLogonEvents', row: { Timestamp: at(60), ActionType: 'LogonSuccess', AccountDomain: 'se-pov-desktop', AccountName: 'chris phillips', LogonType: 'Interactive' } },
  ];
  const body = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await h.events.ingest({ tenantId: h.tenantId, deviceId: machineId, deviceName: 'se-pov-desktop', rbacGroupId: 0, batchId: 'clients', body, gzip: false });
});
afterAll(async () => h?.close());

describe('Splunk SOAR (windowsdefenderatp)', () => {
  const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'python-requests/2.31.0', host: 'api.securitycenter.microsoft.com' });
  it('gets file statistics and a machine\'s logon users with Content-Type on GET', async () => {
    const token = await h.token(['File.Read.All', 'User.Read.All']);
    const stats = await h.app.inject({ method: 'GET', url: `/api/files/${SHA256}/stats?lookBackHours=720`, headers: headers(token) });
    expect(stats.statusCode, stats.body).toBe(200);
    const s = stats.json();
    expect(s).toMatchObject({ sha1: SHA1, organizationPrevalence: 1, orgPrevalence: '1', topFileNames: ['putty.exe'] });
    for (const k of ['orgFirstSeen', 'orgLastSeen', 'globalPrevalence', 'globallyPrevalence', 'globalFirstObserved', 'globalLastObserved']) expect(s, k).toHaveProperty(k);
    const users = await h.app.inject({ method: 'GET', url: `/api/machines/${machineId}/logonusers`, headers: headers(token) });
    expect(users.statusCode, users.body).toBe(200);
    const [u] = users.json().value;
    expect(u).toMatchObject({ id: 'se-pov-desktop\\chris phillips', accountName: 'chris phillips', accountDomain: 'se-pov-desktop', logonTypes: 'Interactive' });
    for (const k of ['accountSid', 'firstSeen', 'lastSeen', 'mostPrevalentMachineId', 'leastPrevalentMachineId', 'logOnMachinesCount', 'isDomainAdmin', 'isOnlyNetworkUser']) expect(u, k).toHaveProperty(k);
  });
});

async function graphToken(permissions: string[], basic: boolean): Promise<string> {
  const app = await h.tenants.createApp(h.operator(), 'graph-client', permissions);
  const form: Record<string, string> = { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
  else Object.assign(form, { client_id: app.clientId, client_secret: app.clientSecret, client_info: '1' });
  const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token`, headers, payload: new URLSearchParams(form).toString() });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().access_token;
}

describe('msticpy (Graph hunting)', () => {
  it('runs a hunting query and reads lower-case schema and results, and error.message on a bad query', async () => {
    const token = await graphToken(['ThreatHunting.Read.All'], false);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'python-httpx/0.27.0', accept: 'application/json' };
    const query = 'DeviceProcessEvents | where Timestamp >= ago(1d) | where SHA1 == "6532ec91d513acc05f43ee0aa3002599729fd3e1" | project Timestamp, DeviceName, FileName, FileSize';
    const res = await h.app.inject({ method: 'POST', url: '/v1.0/security/runHuntingQuery', headers, payload: JSON.stringify({ Query: query }) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.schema).toEqual([{ name: 'Timestamp', type: 'DateTime' }, { name: 'DeviceName', type: 'String' }, { name: 'FileName', type: 'String' }, { name: 'FileSize', type: 'Int64' }]);
    expect(body.results).toEqual([{ Timestamp: expect.stringMatching(/Z$/), DeviceName: 'se-pov-desktop', FileName: 'putty.exe', FileSize: 391680 }]);
    const bad = await h.app.inject({ method: 'POST', url: '/v1.0/security/runHuntingQuery', headers, payload: JSON.stringify({ Query: 'DeviceProcessEvents | where' }) });
    expect(bad.statusCode).toBe(400);
    expect(typeof bad.json().error.message).toBe('string');
    const expired = await h.app.inject({ method: 'POST', url: '/v1.0/security/runHuntingQuery', headers: { ...headers, authorization: 'Bearer not.a.token' }, payload: JSON.stringify({ Query: 'print 1' }) });
    expect(expired.statusCode).toBe(401);
  });
});

describe('Elastic m365_defender (Graph alerts_v2 poll)', () => {
  it('polls lastUpdateDateTime ge the cursor, ascending, paging with $top/$skip while pages are full', async () => {
    for (let i = 0; i < 3; i++) {
      await h.palisade.alerts.raise(systemCtx(h.tenantId), {
        dedupeKey: `elastic-${i}`, title: `alert ${i}`, description: 'd', severity: i === 1 ? 'Low' : 'High', category: 'Malware', detectionSource: 'CustomerTI', machineId,
        evidence: [{ entityType: 'File', sha1: SHA1, fileName: 'putty.exe' }],
      });
      await new Promise((r) => setTimeout(r, 3));
    }
    const token = await graphToken(['SecurityAlert.Read.All'], true);
    const headers = { authorization: `Bearer ${token}`, 'user-agent': 'Elastic-Filebeat/8.14.0 (linux; amd64)', prefer: 'include-unknown-enum-members' };
    const page = (since: string, skip: number, top: number) => h.app.inject({
      method: 'GET', headers,
      url: `/v1.0/security/alerts_v2?%24filter=lastUpdateDateTime+ge+${encodeURIComponent(since)}&%24orderby=lastUpdateDateTime+asc&%24skip=${skip}&%24top=${top}`,
    });
    const seen: { id: string; lastUpdateDateTime: string; severity: string; status: string }[] = [];
    let skip = 0;
    for (;;) {
      const res = await page('2024-01-01T00:00:00Z', skip, 2);
      expect(res.statusCode, res.body).toBe(200);
      const value = res.json().value as typeof seen;
      seen.push(...value);
      if (value.length < 2) break;
      skip += value.length;
    }
    expect(seen.map((a) => a.id)).toHaveLength(3);
    expect(seen.map((a) => a.lastUpdateDateTime)).toEqual([...seen.map((a) => a.lastUpdateDateTime)].sort());
    for (const a of seen) {
      expect(['high', 'low']).toContain(a.severity);
      expect(a.status).toBe('new');
    }
    // the next poll from the largest lastUpdateDateTime: nothing after it, and `value` is still there
    const cursor = new Date(Date.parse(seen.at(-1)!.lastUpdateDateTime) + 1).toISOString();
    const after = await page(cursor, 0, 2);
    expect(after.statusCode).toBe(200);
    expect(after.json().value).toEqual([]);
  });
});
