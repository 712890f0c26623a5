/**
 * What MDE clients meet at the edges of the API: routes MDE has and Palisade does not serve yet,
 * wrong methods, case-insensitive paths, function-call segments, `+` for spaces, the API prefix in
 * `@odata.context`, real clients' header habits, and every framework error in MDE's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MDE_ROUTES } from '../../src/api/mde-catalogue.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let token: string;
let machineId: string;
beforeAll(async () => {
  h = await startHarness();
  token = await h.token(['Machine.ReadWrite.All', 'AdvancedQuery.Read.All']);
  machineId = (await h.addDevice({ computerDnsName: 'lab host one', lastSeen: '2024-05-01T10:20:30.124Z' })).id;
});
afterAll(async () => h?.close());

const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

/** The body is MDE's error: code, message and the request's correlation id as target. */
function mdeError(res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = JSON.parse(res.body) as { error: { code: string; message: string; target: string } };
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'target']);
  expect(body.error.code).toBe(code);
  expect(body.error.target).toBe(res.headers['request-id']);
  return body.error.message;
}

describe('routes MDE has that Palisade does not serve yet', () => {
  it('answer 403 DisabledFeature naming the route, whatever the case of the path', async () => {
    for (const path of [`/api/machines/${machineId}/startInvestigation`, `/api/machines/${machineId}/STARTINVESTIGATION`, `/API/V1.0/Machines/${machineId}/startinvestigation`]) {
      const res = await h.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}` }, payload: { Comment: 'x' } });
      expect(mdeError(res, 403, 'DisabledFeature')).toBe(`POST ${path} (Start automated investigation) is not available in this version of Palisade`);
    }
    const software = { method: 'GET' as const, url: `/api/machines/${machineId}/software` };
    expect(mdeError(await h.app.inject({ ...software, headers: { authorization: `Bearer ${token}` } }), 403, 'DisabledFeature'))
      .toMatch(/\(Get installed software\) is not available/);
    expect(mdeError(await get('/api/v1.0/investigations?$top=1'), 403, 'DisabledFeature')).toBe('GET /api/v1.0/investigations (List investigations) is not available in this version of Palisade');
  });

  it('are told apart from a parametric route they resemble (no "machine findbyip was not found")', async () => {
    // findbyip is served: its function-call segment reaches the route, not GET /machines/{id}
    const byIp = await get(`/api/machines/findbyip(ip='10.0.0.5',timestamp=${new Date(Date.now() - 60_000).toISOString()})`);
    expect(byIp.statusCode, byIp.body).toBe(200);
    expect(byIp.json().value).toEqual([]);
    expect(mdeError(await get('/api/machines/SoftwareInventoryByMachine'), 403, 'DisabledFeature')).toMatch(/not available/);
    // GetLiveResponseResultDownloadLink(index=0) reaches its route, not GET /machineactions/{id}
    const link = await get('/api/machineactions/7c1d2b6e-0000-4000-8000-000000000000/GetLiveResponseResultDownloadLink(index=0)');
    expect(mdeError(link, 404, 'ResourceNotFound')).toMatch(/7c1d2b6e-0000-4000-8000-000000000000/);
  });
});

describe('the MDE route catalogue', () => {
  it('holds every route of the api surface (so the api surface serves only what MDE has)', () => {
    const norm = (p: string) => p.toLowerCase().replace(/\{[^}]+\}|:[^/]+/g, '{}');
    const known = new Set(MDE_ROUTES.map((r) => `${r.method} ${norm(r.path)}`));
    const api = h.app.routeTables.filter((t) => t.surface === 'api').flatMap((t) => t.routes);
    expect(api.length).toBeGreaterThan(0);
    for (const r of api) expect(known, `${r.method} ${r.url}`).toContain(`${r.method} ${norm(r.url)}`);
  });
});

describe('wrong methods and unknown paths', () => {
  it('a wrong method answers 405 with Allow', async () => {
    const cases: [string, string, string[]][] = [
      ['GET', '/api/advancedqueries/run', ['POST']],
      ['GET', `/api/machines/${machineId}/isolate`, ['POST']],
      ['GET', '/api/machines/AddOrRemoveTagForMultipleMachines', ['POST']],
      ['DELETE', `/api/v1.0/machines/${machineId}`, ['GET', 'PATCH']],
      ['DELETE', `/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/oauth2/token`, ['POST', 'GET']],
    ];
    for (const [method, url, allowed] of cases) {
      const res = await h.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(mdeError(res, 405, 'MethodNotAllowed'), url).toMatch(new RegExp(`^${method} is not allowed on `));
      const allow = String(res.headers.allow).split(', ');
      for (const m of allowed) expect(allow, url).toContain(m);
      expect(allow).not.toContain(method);
    }
  });

  it('under /api, says nothing of the API to a caller without a valid token (401 first)', async () => {
    const cases: [string, string][] = [
      ['POST', `/api/machines/${machineId}/runAntiVirusScan`],
      ['GET', '/api/v1.0/alerts'],
      ['DELETE', `/api/machines/${machineId}`],
      ['GET', '/api/no-such-thing'],
    ];
    for (const [method, url] of cases) {
      for (const headers of [{}, { authorization: 'Bearer not-a-token' }]) {
        const res = await h.app.inject({ method: method as 'GET', url, headers });
        expect(mdeError(res, 401, 'Unauthorized'), `${method} ${url}`).toBeTruthy();
      }
    }
  });

  it('an unknown path answers an MDE-shaped 404', async () => {
    expect(mdeError(await get('/api/no-such-thing'), 404, 'NotFound')).toBe('No resource at GET /api/no-such-thing');
    expect(mdeError(await h.app.inject({ method: 'GET', url: '/nothing/here?x=1' }), 404, 'NotFound')).toBe('No resource at GET /nothing/here');
  });
});

describe('paths, query strings and @odata.context', () => {
  it('match path segments case-insensitively', async () => {
    expect((await get('/API/V1.0/MACHINES')).statusCode).toBe(200);
    const byTag = await get('/api/Machines/FindByTag?tag=none');
    expect(byTag.statusCode, byTag.body).toBe(200);
    expect((await get(`/api/machines/${machineId.toUpperCase()}`)).statusCode).toBe(200);
  });

  it('read + in a query string as a space', async () => {
    const res = await get("/api/machines?$filter=computerDnsName+eq+'lab+host+one'");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().value.map((m: { id: string }) => m.id)).toEqual([machineId]);
  });

  it('answer @odata.context under the prefix the client used', async () => {
    expect((await get('/api/v1.0/machines')).json()['@odata.context']).toBe('http://localhost:80/api/v1.0/$metadata#Machines');
    expect((await get('/api/machines')).json()['@odata.context']).toBe('http://localhost:80/api/$metadata#Machines');
    expect((await get(`/API/V1.0/machines/${machineId}`)).json()['@odata.context']).toBe('http://localhost:80/api/v1.0/$metadata#Machines/$entity');
  });

  it('take OData datetimes with 0 to 9 fractional digits, compared exactly', async () => {
    const ids = async (literal: string) => {
      const res = await get(`/api/machines?$filter=lastSeen gt ${literal}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().value.length as number;
    };
    expect(await ids('2024-05-01T10:20:30Z')).toBe(1);
    expect(await ids('2024-05-01T10:20:30.123456Z')).toBe(1);
    expect(await ids('2024-05-01T10:20:30.1239999Z')).toBe(1);
    expect(await ids('2024-05-01T10:20:30.123999999Z')).toBe(1);
    expect(await ids('2024-05-01T10:20:30.124000001Z')).toBe(0);
    expect(await ids('2024-05-01T10:20:30.124Z')).toBe(0);
  });
});

describe("real clients' habits", () => {
  it('the v1 token request with a form body and no Content-Type gets a token (Splunk SOAR)', async () => {
    const app = await h.tenants.createApp(h.operator(h.tenantId), 'splunk', ['Machine.Read.All']);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://api.securitycenter.microsoft.com' }).toString();
    const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/token`, payload: form });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().access_token).toBeTypeOf('string');
    const xml = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/token`, headers: { 'content-type': 'text/xml' }, payload: '<x/>' });
    expect(mdeError(xml, 415, 'UnsupportedMediaType')).toMatch(/text\/xml/);
  });

  it('the v1 token request sent as a GET, with the form in its body or its query string, gets a token', async () => {
    const app = await h.tenants.createApp(h.operator(h.tenantId), 'get-token', ['Machine.Read.All']);
    const fields = { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://api.securitycenter.microsoft.com' };
    const form = new URLSearchParams(fields).toString();
    for (const headers of [{ 'content-type': 'application/x-www-form-urlencoded' }, {}]) {
      const res = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token`, headers: { ...headers, 'content-length': String(form.length) }, payload: form });
      expect(res.statusCode, res.body).toBe(200);
      const machines = await h.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${res.json().access_token as string}` } });
      expect(machines.statusCode).toBe(200);
    }
    const query = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token?${form}` });
    expect(query.statusCode, query.body).toBe(200);
    const bad = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, client_secret: 'wrong' }).toString() });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('invalid_client');
    const xml = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token`, headers: { 'content-type': 'text/xml' }, payload: '<x/>' });
    expect(xml.statusCode).toBe(400);
    expect(xml.json().error).toBe('invalid_request');
    const huge = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `a=${'x'.repeat(20_000)}` });
    expect(huge.statusCode).toBe(400);
  });

  it('GET and DELETE with Content-Type: application/json and no body are read as having no body', async () => {
    const json = { 'content-type': 'application/json' };
    expect((await get('/api/machines', json)).statusCode).toBe(200);
    expect((await get(`/api/machines/${machineId}`, json)).statusCode).toBe(200);
    const del = await h.app.inject({ method: 'DELETE', url: '/api/indicators/995', headers: { authorization: `Bearer ${token}`, ...json } });
    // reaches the route (the token lacks Ti.ReadWrite), not a body error
    expect(mdeError(del, 403, 'Forbidden')).toMatch(/Ti\.ReadWrite/);
  });
});

describe("the framework's own errors are MDE-shaped", () => {
  const post = (headers: Record<string, string>, payload?: string) =>
    h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload }) });

  it('415, empty and malformed JSON, too large, malformed URL', async () => {
    expect(mdeError(await post({ 'content-type': 'text/xml' }, '<Query/>'), 415, 'UnsupportedMediaType')).toMatch(/'text\/xml' is not supported/);
    expect(mdeError(await post({}, 'Query=x'), 415, 'UnsupportedMediaType')).toMatch(/no Content-Type header/);
    expect(mdeError(await post({ 'content-type': 'application/json' }, ''), 400, 'InvalidRequestBody')).toBe('Request body is empty');
    expect(mdeError(await post({ 'content-type': 'application/json' }, '{"Query":'), 400, 'InvalidRequestBody')).toMatch(/^Request body is incorrect/);
    expect(mdeError(await post({ 'content-type': 'application/json' }, JSON.stringify({ Query: 'x'.repeat(2 * 1024 * 1024) })), 413, 'PayloadTooLarge')).toMatch(/too large/);
    expect(mdeError(await get('/api/machines/%E0%A4%A'), 400, 'BadRequest')).toMatch(/malformed/);
  });
});
