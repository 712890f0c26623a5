/**
 * A user principal sees only the device groups of its roles: a hand-made user token whose only role
 * covers device group 7 lists, gets and hunts over group 7's machines and rows alone, while an app
 * token of the same tenant sees every group. (User sign-in comes later; the principal model, the
 * role lookup and the scope passed to every store call and KQL scan are here now.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, type JWK } from 'jose';
import type { UserRole } from '../../src/domain/rbac.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
const USER = '11111111-2222-3333-4444-555555555555';
const ROLES: Record<string, UserRole[]> = {
  [USER]: [{ name: 'Tier 1 (group 7)', permissions: ['Machine.Read', 'AdvancedQuery.Read'], deviceGroups: [7] }],
};
const ids: Record<string, string> = {};

async function userToken(oid: string, scp: string): Promise<string> {
  const [key] = await h.state.tenants.signingKeys(h.tenantId);
  const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: h.tenantId, oid, scp, idtyp: 'user', upn: 'analyst@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(`https://localhost/${h.tenantId}/v2.0`).setAudience('https://api.securitycenter.microsoft.com')
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(priv);
}

beforeAll(async () => {
  h = await startHarness({ userRoles: async (tenantId, userId) => (tenantId === h.tenantId ? ROLES[userId] ?? [] : []) });
  const stamp = new Date(Date.now() - 60_000).toISOString();
  for (const [name, group] of [['seven-a', 7], ['seven-b', 7], ['three', 3], ['ungrouped', 0]] as const) {
    const d = await h.addDevice({ computerDnsName: name, rbacGroupId: group });
    ids[name] = d.id;
    const body = Buffer.from(JSON.stringify({ table: 'DeviceEvents', row: { Timestamp: stamp, ActionType: `event-of-${name}` } }) + '\n');
    const r = await h.events.ingest({ tenantId: h.tenantId, deviceId: d.id, deviceName: name, rbacGroupId: group, batchId: `scope-${name}`, body, gzip: false });
    expect(r.accepted).toBe(1);
  }
});
afterAll(async () => h?.close());

const get = (url: string, token: string) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
const hunt = (token: string) => h.app.inject({
  method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` },
  payload: { Query: 'DeviceEvents | where ActionType startswith "event-of-" | project DeviceName | order by DeviceName asc' },
});

describe('device-group scope of a user principal', () => {
  it('lists and gets only the machines of its groups', async () => {
    const tok = await userToken(USER, 'Machine.Read AdvancedQuery.Read');
    const list = await get('/api/machines', tok);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().value.map((m: { computerDnsName: string }) => m.computerDnsName).sort()).toEqual(['seven-a', 'seven-b']);
    expect((await get(`/api/machines/${ids['seven-a']}`, tok)).statusCode).toBe(200);
    expect((await get(`/api/machines/${ids.three}`, tok)).statusCode).toBe(404);
    expect((await get('/api/machines/ungrouped', tok)).statusCode).toBe(404);
    const counted = await get('/api/machines?$count=true&$filter=osPlatform eq \'Windows11\'', tok);
    expect(counted.json()['@odata.count']).toBe(2);
  });

  it('hunts only over the rows of its groups', async () => {
    const res = await hunt(await userToken(USER, 'Machine.Read AdvancedQuery.Read'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().Results.map((r: { DeviceName: string }) => r.DeviceName)).toEqual(['seven-a', 'seven-b']);
  });

  it('holds only the delegated permissions its roles also grant', async () => {
    // scp asks for hunting, the role grants it; scp lacks machines: 403 there.
    const huntOnly = await userToken(USER, 'AdvancedQuery.Read');
    expect((await get('/api/machines', huntOnly)).statusCode).toBe(403);
    // a user without roles has no permission and no group, whatever its scp says
    const stranger = await userToken('99999999-0000-0000-0000-000000000000', 'Machine.Read AdvancedQuery.Read');
    expect((await get('/api/machines', stranger)).statusCode).toBe(403);
  });

  it('leaves app principals tenant-wide', async () => {
    const app = await h.token(['Machine.Read.All', 'AdvancedQuery.Read.All']);
    expect((await get('/api/machines', app)).json().value).toHaveLength(4);
    expect((await hunt(app)).json().Results).toHaveLength(4);
  });
});
