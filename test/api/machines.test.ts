/** The machines API through HTTP: shape fidelity with real MDE payloads, OData, tags, bad input. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { sampleMachines, shapeProblems } from '../../tools/conformance/api-samples.ts';

/** Real MDE machine payloads (test/fixtures/README.md names their sources); the whole corpus is the api-samples gate. */
const SAMPLES = fileURLToPath(new URL('../fixtures/api-samples', import.meta.url));

let h: Harness;
let reader: string;
let writer: string;

beforeAll(async () => {
  h = await startHarness();
  reader = await h.token(['Machine.Read.All']);
  writer = await h.token(['Machine.ReadWrite.All']);
  const old = new Date(Date.now() - 10 * 86400_000).toISOString();
  await h.addDevice({ computerDnsName: 'desktop-alpha', osPlatform: 'Windows11', machineTags: ['finance', 'vip'], lastSeen: new Date(Date.now() - 1000).toISOString() });
  await h.addDevice({ computerDnsName: 'web-prod-01', osPlatform: 'Linux', osBuild: null, machineTags: ['prod'], rbacGroupId: 7 });
  await h.addDevice({ computerDnsName: 'old-laptop', osPlatform: 'Windows10', lastSeen: old, firstSeen: old });
  for (let i = 0; i < 25; i++) await h.addDevice({ computerDnsName: `bulk-${String(i).padStart(2, '0')}`, lastSeen: new Date(Date.now() - 60_000 * (i + 2)).toISOString() });
});
afterAll(async () => h?.close());

const get = (url: string, token = reader) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
const send = (method: 'POST' | 'PATCH', url: string, body: unknown, token = writer) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('shape fidelity', () => {
  it('has every key of every corpus sample machine, with the same JSON type or null', async () => {
    const samples = sampleMachines(SAMPLES).map((s) => s.machine);
    expect(samples.length).toBeGreaterThanOrEqual(6);
    const res = await get('/api/machines?$top=3');
    const ours = res.json().value as Record<string, unknown>[];
    const problems: string[] = [];
    for (const m of ours) {
      for (const s of samples) problems.push(...shapeProblems(m, s));
      for (const ip of m.ipAddresses as Record<string, unknown>[]) expect(Object.keys(ip)).toEqual(['ipAddress', 'macAddress', 'type', 'operationalStatus']);
    }
    expect([...new Set(problems)]).toEqual([]);
  });
  it('uses the OData envelope, content type and header', async () => {
    const res = await get('/api/machines');
    expect(res.headers['content-type']).toBe('application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    expect(res.headers['odata-version']).toBe('4.0');
    expect(res.json()['@odata.context']).toMatch(/\/api\/\$metadata#Machines$/);
    const one = await get(`/api/v1.0/machines/desktop-alpha`);
    expect(one.statusCode).toBe(200);
    expect(one.json()['@odata.context']).toMatch(/#Machines\/\$entity$/);
    expect(one.json().computerDnsName).toBe('desktop-alpha');
    expect(one.json().firstSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
  });
});

describe('OData', () => {
  it('filters, counts and pages with nextLink', async () => {
    const inactive = await get("/api/machines?$filter=healthStatus eq 'Inactive'");
    expect(inactive.json().value.map((m: { computerDnsName: string }) => m.computerDnsName)).toEqual(['old-laptop']);
    const tagged = await get("/api/machines?$filter=machineTags/any(t: t eq 'vip')");
    expect(tagged.json().value).toHaveLength(1);
    const os = await get("/api/machines?$filter=osPlatform eq 'Linux' or startswith(computerDnsName,'desktop')&$count=true");
    expect(os.json()['@odata.count']).toBe(2);
    const since = new Date(Date.now() - 86400_000).toISOString().replace('Z', '0000Z');
    const recent = await get(`/api/machines?$filter=lastSeen gt ${since} AND rbacGroupId eq 7`);
    expect(recent.json().value.map((m: { computerDnsName: string }) => m.computerDnsName)).toEqual(['web-prod-01']);
    const seen = new Set<string>();
    let url: string | undefined = '/api/machines?$top=10';
    let pages = 0;
    while (url && pages < 10) {
      const r = await get(url);
      for (const m of r.json().value) seen.add(m.id);
      const next: string | undefined = r.json()['@odata.nextLink'];
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
      pages++;
    }
    expect(seen.size).toBe(28);
  });
  it('rejects bad options with 400 and a message saying what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ["$filter=healthStatus eq 'Active", /./],
      ["$filter=nosuchfield eq 'x'", /nosuchfield/],
      ['$top=10001', /10000|10,000/],
      ["$filter=healthStatus eq 'Sleeping'", /Sleeping|Active/],
      ['$skip=-1', /skip/i],
      ['$bogus=1', /bogus/],
    ];
    for (const [q, msg] of cases) {
      const res = await get(`/api/machines?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(['ODataError', 'BadRequest', 'InvalidInput']).toContain(res.json().error.code);
      expect(res.json().error.message, q).toMatch(msg);
    }
  });
});

describe('$select', () => {
  it('returns only the selected properties, names the selection in @odata.context, and keeps it in nextLink', async () => {
    const res = await get('/api/machines?$select=computerDnsName,ID,healthStatus&$top=2&$filter=startswith(computerDnsName,%27bulk%27)');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/\/api\/\$metadata#Machines\(id,computerDnsName,healthStatus\)$/);
    expect(body.value).toHaveLength(2);
    for (const m of body.value) expect(Object.keys(m)).toEqual(['id', 'computerDnsName', 'healthStatus']);
    expect(new URL(body['@odata.nextLink']).searchParams.get('$select')).toBe('computerDnsName,ID,healthStatus');
    const all = await get('/api/machines?$select=*&$top=1');
    expect(Object.keys(all.json().value[0])).toContain('vmMetadata');
    expect(all.json()['@odata.context']).toMatch(/#Machines$/);
  });
  it('applies to a single machine', async () => {
    const one = await get('/api/machines/desktop-alpha?$select=machineTags,lastSeen');
    expect(one.statusCode).toBe(200);
    const { '@odata.context': context, ...rest } = one.json();
    expect(context).toMatch(/#Machines\(lastSeen,machineTags\)\/\$entity$/);
    expect(rest).toEqual({ lastSeen: expect.stringMatching(/Z$/), machineTags: ['finance', 'vip'] });
  });
  it('refuses unknown and nested properties with 400', async () => {
    for (const q of ['$select=credentialHash', '$select=ipAddresses/ipAddress', '$select=id,,x']) {
      const res = await get(`/api/machines?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code).toBe('ODataError');
    }
    expect((await get('/api/machines/desktop-alpha?$select=nope')).statusCode).toBe(400);
  });
});

describe('tags and device value', () => {
  it('adds and removes a tag, finds by tag, patches and sets value', async () => {
    const add = await send('POST', '/api/machines/web-prod-01/tags', { Value: 'pci', Action: 'Add' });
    expect(add.statusCode).toBe(200);
    expect(add.json().machineTags).toEqual(['prod', 'pci']);
    const found = await get('/api/machines/findbytag?tag=pc&useStartsWithFilter=true');
    expect(found.json().value.map((m: { computerDnsName: string }) => m.computerDnsName)).toEqual(['web-prod-01']);
    expect((await get('/api/machines/findbytag?tag=pc')).json().value).toEqual([]);
    const rm = await send('POST', '/api/machines/web-prod-01/tags', { Value: 'pci', Action: 'Remove' });
    expect(rm.json().machineTags).toEqual(['prod']);
    const patch = await send('PATCH', '/api/machines/web-prod-01', { machineTags: ['a', 'b'], deviceValue: 'High' });
    expect(patch.json()).toMatchObject({ machineTags: ['a', 'b'], deviceValue: 'High' });
    const val = await send('POST', `/api/machines/${patch.json().id}/setDeviceValue`, { DeviceValue: 'Low' });
    expect(val.json().deviceValue).toBe('Low');
  });
  it('bulk-tags up to 500 machines, all or nothing', async () => {
    const all = (await get('/api/machines?$top=5')).json().value.map((m: { id: string }) => m.id);
    const ok = await send('POST', '/api/machines/AddOrRemoveTagForMultipleMachines', { Value: 'campaign-1', Action: 'Add', MachineIds: all });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().value).toHaveLength(5);
    const missing = await send('POST', '/api/machines/AddOrRemoveTagForMultipleMachines', { Value: 'campaign-2', Action: 'Add', MachineIds: [...all, 'f'.repeat(40)] });
    expect(missing.statusCode).toBe(404);
    expect((await get("/api/machines?$filter=machineTags/any(t: t eq 'campaign-2')")).json().value).toEqual([]);
  });
  it('rejects bad bodies with 400 and applies nothing', async () => {
    const before = (await get('/api/machines/desktop-alpha')).json();
    const ids501 = Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(40, '0'));
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/machines/desktop-alpha/tags', { Value: 'x', Action: 'Toggle' }, 'InvalidRequestBody'],
      ['POST', '/api/machines/desktop-alpha/tags', { Value: 42, Action: 'Add' }, 'InvalidRequestBody'],
      ['POST', '/api/machines/desktop-alpha/tags', { Action: 'Add' }, 'InvalidRequestBody'],
      ['PATCH', '/api/machines/desktop-alpha', { machineTags: 'not-an-array' }, 'InvalidRequestBody'],
      ['PATCH', '/api/machines/desktop-alpha', { deviceValue: 'Critical' }, 'InvalidRequestBody'],
      ['POST', '/api/machines/desktop-alpha/setDeviceValue', { DeviceValue: true }, 'InvalidRequestBody'],
      ['POST', '/api/machines/AddOrRemoveTagForMultipleMachines', { Value: 'x', Action: 'Add', MachineIds: ids501 }, 'MaximumBatchSizeExceeded'],
      ['POST', '/api/machines/AddOrRemoveTagForMultipleMachines', { Value: 'x', Action: 'Add', MachineIds: ['nope'] }, 'InvalidRequestBody'],
    ];
    for (const [m, url, body, code] of cases) {
      const res = await send(m as 'POST', url, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body).slice(0, 60)}`).toBe(400);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.message.length).toBeGreaterThan(10);
    }
    const malformed = await h.app.inject({ method: 'POST', url: '/api/machines/desktop-alpha/tags', headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' }, payload: '{"Value":' });
    expect(malformed.statusCode).toBe(400);
    const after = (await get('/api/machines/desktop-alpha')).json();
    expect(after.machineTags).toEqual(before.machineTags);
    expect(after.deviceValue).toBe(before.deviceValue);
  });
  it('answers 404 in MDE format for an unknown machine', async () => {
    const res = await get(`/api/machines/${'e'.repeat(40)}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ResourceNotFound');
  });
});
