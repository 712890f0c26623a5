/**
 * The permission matrix, generated from the app's route tables so a new route cannot escape it:
 * - api surface: every route × {no token, expired token, token of another tenant, token without the
 *   permission, token with the permission};
 * - sensor surface: every device route × {no credential, revoked credential, another tenant's device
 *   credential presented for this tenant's device, a valid credential}; enrollment × {unknown,
 *   revoked token};
 * - identity and public surfaces: each route names an authentication kind its surface allows.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, type JWK } from 'jose';
import { startHarness, type Harness } from '../support/harness.ts';
import { declaredRoutes, type ApiRoute, type AuthKind, type DeviceRoute, type Route, type Surface } from '../../src/api/route-table.ts';
import { EXAMPLE_RESULT_ACTION_ID, EXAMPLE_SENSOR_ACTION_ID } from '../../src/api/routes/sensor/routes.ts';
import { seedRouteExamples, type RouteExamples } from '../support/route-examples.ts';

let h: Harness;
let ex: RouteExamples;
let otherTenant: string;
let deviceIds: RouteExamples['deviceIds'];
let exampleRecords: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  ex = await seedRouteExamples(h);
  ({ otherTenant, deviceIds, records: exampleRecords } = ex);
});
afterAll(async () => h?.close());

const urlOf = (prefix: string, r: Route, id: string) => ex.urlOf(prefix, r, id);
const bodyOf = (r: Route, id: string) => ex.bodyOf(r, id);

async function expiredToken(): Promise<string> {
  const [key] = await h.state.tenants.signingKeys(h.tenantId);
  const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, 'RS256');
  const past = Math.floor(Date.now() / 1000) - 7200;
  return new SignJWT({ tid: h.tenantId, appid: 'x', roles: ['Machine.ReadWrite.All', 'AdvancedQuery.Read.All'], idtyp: 'app' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(`https://localhost/${h.tenantId}/v2.0`).setAudience('https://api.securitycenter.microsoft.com')
    .setIssuedAt(past).setNotBefore(past).setExpirationTime(past + 3600).sign(priv);
}

/** Which authentication kinds each surface may declare. */
const ALLOWED: Record<Surface, readonly AuthKind[]> = {
  api: ['bearer'],
  graph: ['bearer'],
  sensor: ['device', 'enrollment-token'],
  identity: ['none', 'oauth-client'],
  public: ['none'],
};

function routesOf<R extends Route>(surface: Surface): { prefix: string; route: R }[] {
  return declaredRoutes(h.app).filter((x) => x.surface === surface).map((x) => ({ prefix: x.prefixes[0], route: x.route as R }));
}

function expectMdeError(failures: string[], where: string, res: { statusCode: number; body: string }) {
  if (res.statusCode < 400) return;
  const body = JSON.parse(res.body);
  if (!body.error?.code || !body.error?.message) failures.push(`${where} error body not in MDE format`);
}

describe('route tables', () => {
  it('declare all five surfaces, each route with an authentication kind its surface allows', () => {
    expect(new Set(h.app.routeTables.map((t) => t.surface))).toEqual(new Set(['api', 'graph', 'sensor', 'identity', 'public']));
    for (const { surface, route } of declaredRoutes(h.app)) {
      expect(ALLOWED[surface], `${surface} ${route.method} ${route.url}`).toContain(route.auth);
    }
  });
});

const MDE_SCOPE = 'https://api.securitycenter.microsoft.com/.default';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

describe.each([
  ['api', MDE_SCOPE, GRAPH_SCOPE, 7],
  ['graph', GRAPH_SCOPE, MDE_SCOPE, 1],
] as const)('permission matrix: %s surface', (surface, scope, otherScope, atLeast) => {
  it(`covers every route of the ${surface} table`, async () => {
    const routes = routesOf<ApiRoute>(surface);
    expect(routes.length).toBeGreaterThanOrEqual(atLeast);
    const allPerms = [...new Set(routes.flatMap(({ route }) => [...route.permissions, ...route.alsoRequires ?? []]))];
    const tokens = {
      expired: await expiredToken(),
      otherTenantAllPerms: await h.token(allPerms, otherTenant, scope),
      // a token for the other API (MDE on Graph routes, Graph on MDE routes), every permission
      otherApiAllPerms: await h.token(allPerms, undefined, otherScope),
    };
    const failures: string[] = [];
    for (const { prefix, route: r } of routes) {
      const right = await h.token([r.permissions[0], ...r.alsoRequires ? [r.alsoRequires[0]] : []], undefined, scope);
      // a route that needs two permissions refuses a token holding only the first
      const half = r.alsoRequires ? await h.token([r.permissions[0]], undefined, scope) : null;
      const wrongPerms = allPerms.filter((p) => !r.permissions.includes(p as never));
      const wrong = await h.token(wrongPerms, undefined, scope);
      // a string example body (a multipart form) goes as it is, with the example's own headers
      const send = (token: string | null, id = deviceIds.own) =>
        h.app.inject({
          method: r.method,
          url: urlOf(prefix, r, id),
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(bodyOf(r, id) !== undefined ? { 'content-type': 'application/json' } : {}), ...r.example?.headers },
          payload: bodyOf(r, id) === undefined ? undefined : typeof bodyOf(r, id) === 'string' ? bodyOf(r, id) as string : JSON.stringify(bodyOf(r, id)),
        });
      const cases: [string, Promise<{ statusCode: number; body: string }>, (s: number) => boolean][] = [
        ['no token', send(null), (s) => s === 401],
        ['expired', send(tokens.expired), (s) => s === 401],
        ['other API', send(tokens.otherApiAllPerms), (s) => s === 401],
        // Routes without a target id answer with the caller's own tenant data; isolation of the
        // data itself is asserted by the machines and hunting tests.
        ['other tenant', send(tokens.otherTenantAllPerms), (s) => s === 401 || s === 404 || (!r.url.includes(':id') && s >= 200 && s < 300)],
        ['missing permission', send(wrong), (s) => s === 403],
        ['right permission', send(right), (s) => s >= 200 && s < 300],
        ...half ? [['only the first of two permissions', send(half), (s: number) => s === 403] as (typeof cases)[number]] : [],
      ];
      for (const [name, p, ok] of cases) {
        const res = await p;
        if (!ok(res.statusCode)) failures.push(`${r.method} ${r.url} [${name}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
        expectMdeError(failures, `${r.method} ${r.url} [${name}]`, res);
      }
      // A token of another tenant never reaches this tenant's device.
      if (r.url.includes(':id')) {
        const res = await send(tokens.otherTenantAllPerms, deviceIds.own);
        if (res.statusCode !== 404) failures.push(`${r.method} ${r.url} [cross-tenant device] → ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
    // every route of the table times five credentials: ~10 s alone, several times that beside the whole suite
  }, 300_000);
});

describe('permission matrix: sensor surface', () => {
  async function enroll(tenantId: string, name: string) {
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(tenantId), 3600_000);
    const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: name, osPlatform: 'Linux' } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { deviceId: string; deviceCredential: string };
  }

  it('covers every device route of the sensor table', async () => {
    const own = await enroll(h.tenantId, 'sensor-own');
    const revoked = await enroll(h.tenantId, 'sensor-revoked');
    const foreign = await enroll(otherTenant, 'sensor-foreign');
    await h.app.services.devices.revokeCredential(h.operator(), revoked.deviceId);
    const header = (id: string, credential: string) => `Device ${id}:${credential}`;
    const routes = routesOf<DeviceRoute>('sensor').filter(({ route }) => route.auth === 'device');
    expect(routes.map(({ route }) => route.url).sort()).toEqual(['/actions/:id/progress', '/actions/:id/results/:index', '/events', '/heartbeat', '/indicators', '/library/:fileName', '/work']);
    // the package collection the result upload's example uploads to
    exampleRecords[EXAMPLE_RESULT_ACTION_ID] = (await h.palisade.actions.request(h.operator(), own.deviceId, 'CollectInvestigationPackage', { Comment: 'matrix' })).id;
    // the library file the sensor route's example names
    await h.app.services.library.upload(h.operator(), (async function* () {
      yield { kind: 'file' as const, name: 'File', fileName: 'sensor-example.sh', content: Readable.from([Buffer.from('echo example')]) };
    })());
    // the action the progress route's example reports on, addressed to the device presenting its credential
    exampleRecords[EXAMPLE_SENSOR_ACTION_ID] = (await h.palisade.actions.request(h.operator(), own.deviceId, 'RunAntiVirusScan', { Comment: 'matrix', ScanType: 'Quick' })).id;
    const failures: string[] = [];
    let n = 0;
    for (const { prefix, route: r } of routes) {
      const send = (authorization: string | null) => {
        const body = r.example?.body;
        return h.app.inject({
          method: r.method,
          url: urlOf(prefix, r, own.deviceId),
          headers: {
            ...(authorization ? { authorization } : {}),
            'content-type': 'application/json',
            ...r.example?.headers,
            ...(r.example?.headers?.['x-batch-id'] ? { 'x-batch-id': `matrix-batch-${++n}` } : {}),
          },
          payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
      };
      const cases: [string, string | null, (s: number) => boolean][] = [
        ['no credential', null, (s) => s === 401],
        ['malformed credential', `Bearer ${own.deviceCredential}`, (s) => s === 401],
        ['revoked credential', header(revoked.deviceId, revoked.deviceCredential), (s) => s === 401],
        ["another tenant's credential for this tenant's device", header(own.deviceId, foreign.deviceCredential), (s) => s === 401],
        ['valid credential', header(own.deviceId, own.deviceCredential), (s) => s >= 200 && s < 300],
      ];
      for (const [name, authorization, ok] of cases) {
        const res = await send(authorization);
        if (!ok(res.statusCode)) failures.push(`${r.method} ${r.url} [${name}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
        expectMdeError(failures, `${r.method} ${r.url} [${name}]`, res);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses enrollment with an unknown or revoked enrollment token', async () => {
    const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
    await h.app.services.gateway.revokeEnrollmentToken(h.operator(), tok.id);
    for (const token of ['pe1.unknown-token', tok.token]) {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: token, computerDnsName: 'nope', osPlatform: 'Linux' } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('Unauthorized');
    }
  });
});
