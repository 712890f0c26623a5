/**
 * Microsoft Graph's security API: tokens for https://graph.microsoft.com issued by the
 * authorization server (v2 scope and v1 resource) and accepted on the Graph routes only;
 * POST /v1.0/security/runHuntingQuery answers Graph's lower-case schema and results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const GRAPH = 'https://graph.microsoft.com/.default';
let h: Harness;
let graphToken: string;
beforeAll(async () => {
  h = await startHarness({ throttle: true });
  graphToken = await h.token(['ThreatHunting.Read.All', 'AdvancedQuery.Read.All', 'Machine.Read.All'], undefined, GRAPH);
});
afterAll(async () => h?.close());

const hunt = (body: unknown, token = graphToken, url = '/v1.0/security/runHuntingQuery') =>
  h.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('Graph tokens', () => {
  it('are issued for scope https://graph.microsoft.com/.default (v2) and resource https://graph.microsoft.com (v1)', async () => {
    const app = await h.tenants.createApp(h.operator(), 'graph-client', ['ThreatHunting.Read.All']);
    for (const [path, extra] of [['oauth2/v2.0/token', { scope: GRAPH }], ['oauth2/token', { resource: 'https://graph.microsoft.com/' }]] as const) {
      const res = await h.app.inject({
        method: 'POST', url: `/${h.tenantId}/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, ...extra }).toString(),
      });
      expect(res.statusCode, res.body).toBe(200);
      const claims = JSON.parse(Buffer.from(res.json().access_token.split('.')[1], 'base64url').toString());
      expect(claims.aud).toBe('https://graph.microsoft.com');
      expect(claims.roles).toEqual(['ThreatHunting.Read.All']);
    }
  });
  it('are accepted on the Graph routes only, and MDE tokens are not', async () => {
    const onMde = await h.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${graphToken}` } });
    expect(onMde.statusCode).toBe(401);
    expect(onMde.json().error.message).toMatch(/api\.securitycenter\.microsoft\.com/);
    const mdeToken = await h.token(['ThreatHunting.Read.All', 'AdvancedQuery.Read.All']);
    const onGraph = await hunt({ Query: 'print 1' }, mdeToken);
    expect(onGraph.statusCode).toBe(401);
    expect(onGraph.json().error.message).toMatch(/graph\.microsoft\.com/);
  });
  it('need ThreatHunting.Read.All for runHuntingQuery (MDE\'s AdvancedQuery permission is not Graph\'s)', async () => {
    const t = await h.token(['AdvancedQuery.Read.All'], undefined, GRAPH);
    expect((await hunt({ Query: 'print 1' }, t)).statusCode).toBe(403);
  });
});

describe('POST /v1.0/security/runHuntingQuery', () => {
  it('answers lower-case schema (name, type) and results, with Graph\'s context', async () => {
    const res = await hunt({ Query: 'print s = "a", n = 1, d = datetime(2024-01-02 03:04:05)' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#microsoft\.graph\.security\.huntingQueryResults$/);
    expect(body.schema).toEqual([{ name: 's', type: 'String' }, { name: 'n', type: 'Int64' }, { name: 'd', type: 'DateTime' }]);
    expect(body.results).toEqual([{ s: 'a', n: 1, d: '2024-01-02T03:04:05.0000000Z' }]);
    expect(Object.keys(body)).toEqual(['@odata.context', 'schema', 'results']);
  });
  it('takes `query` as well as `Query`, serves /beta too, and answers a syntax error as a 400 with a message', async () => {
    expect((await hunt({ query: 'print 1' }, graphToken, '/beta/security/runHuntingQuery')).json()['@odata.context']).toMatch(/\/beta\/\$metadata#/);
    const bad = await hunt({ Query: 'DeviceInfo | where' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message.length).toBeGreaterThan(5);
    expect((await hunt({})).statusCode).toBe(400);
  });
});
