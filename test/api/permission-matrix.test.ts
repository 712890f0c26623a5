/**
 * The permission matrix: every /api route × {no token, expired token, token of another tenant,
 * token without the permission, token with the permission}. Generated from the app's route table,
 * so a new route cannot escape it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, type JWK } from 'jose';
import { startHarness, type Harness } from '../support/harness.ts';
import type { ApiRoute } from '../../src/api/route-table.ts';

let h: Harness;
let otherTenant: string;
const deviceIds: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  const d = await h.addDevice({ computerDnsName: 'matrix-host', machineTags: ['example'] });
  deviceIds.own = d.id;
  otherTenant = (await h.tenants.createTenant('Other')).id;
  const o = await h.addDevice({ computerDnsName: 'other-host' }, otherTenant);
  deviceIds.other = o.id;
});
afterAll(async () => h?.close());

function urlOf(r: ApiRoute, id: string): string {
  let u = '/api' + r.url;
  for (const [k, v] of Object.entries(r.example?.params ?? {})) u = u.replace(`:${k}`, k === 'id' ? id : v);
  const q = new URLSearchParams(r.example?.query ?? {}).toString();
  return q ? `${u}?${q}` : u;
}

function bodyOf(r: ApiRoute, id: string): unknown {
  const b = r.example?.body;
  if (b === undefined) return undefined;
  return JSON.parse(JSON.stringify(b).replaceAll('0000000000000000000000000000000000000000', id));
}

async function expiredToken(): Promise<string> {
  const [key] = await h.state.tenants.signingKeys(h.tenantId);
  const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, 'RS256');
  const past = Math.floor(Date.now() / 1000) - 7200;
  return new SignJWT({ tid: h.tenantId, appid: 'x', roles: ['Machine.ReadWrite.All', 'AdvancedQuery.Read.All'], idtyp: 'app' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(`https://localhost/${h.tenantId}/v2.0`).setAudience('https://api.securitycenter.microsoft.com')
    .setIssuedAt(past).setNotBefore(past).setExpirationTime(past + 3600).sign(priv);
}

describe('permission matrix', () => {
  it('covers every registered /api route', async () => {
    const routes = h.app.apiRoutes;
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const tokens = {
      expired: await expiredToken(),
      otherTenantAllPerms: '',
      none: await h.token([]),
    };
    const allPerms = [...new Set(routes.flatMap((r) => [...r.permissions]))];
    tokens.otherTenantAllPerms = await h.token(allPerms, otherTenant);
    const failures: string[] = [];
    for (const r of routes) {
      const right = await h.token([r.permissions[0]]);
      const wrongPerms = allPerms.filter((p) => !r.permissions.includes(p as never));
      const wrong = await h.token(wrongPerms.length ? wrongPerms : []);
      const send = (token: string | null, id = deviceIds.own) =>
        h.app.inject({
          method: r.method,
          url: urlOf(r, id),
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(bodyOf(r, id) !== undefined ? { 'content-type': 'application/json' } : {}) },
          payload: bodyOf(r, id) === undefined ? undefined : JSON.stringify(bodyOf(r, id)),
        });
      const cases: [string, Promise<{ statusCode: number; body: string }>, (s: number) => boolean][] = [
        ['no token', send(null), (s) => s === 401],
        ['expired', send(tokens.expired), (s) => s === 401],
        ['other tenant', send(tokens.otherTenantAllPerms), // Routes without a target id answer with the caller's own tenant data; isolation of the data
        // itself is asserted by the machines and hunting tests.
        (s) => s === 401 || s === 404 || (!r.url.includes(':id') && s >= 200 && s < 300)],
        ['missing permission', send(wrong), (s) => s === 403],
        ['right permission', send(right), (s) => s >= 200 && s < 300],
      ];
      for (const [name, p, ok] of cases) {
        const res = await p;
        if (!ok(res.statusCode)) failures.push(`${r.method} ${r.url} [${name}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400) {
          const body = JSON.parse(res.body);
          if (!body.error?.code || !body.error?.message) failures.push(`${r.method} ${r.url} [${name}] error body not in MDE format`);
        }
      }
      // A token of another tenant never reaches this tenant's device.
      if (r.url.includes(':id')) {
        const res = await send(tokens.otherTenantAllPerms, deviceIds.own);
        if (res.statusCode !== 404) failures.push(`${r.method} ${r.url} [cross-tenant device] → ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
