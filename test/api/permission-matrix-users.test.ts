/**
 * The permission matrix in user context (issue 14), generated from the same route tables as the app
 * matrix: signed-in users' tokens (TokenService.issueUserToken) whose roles and device groups are
 * stored, looked up by the bearer check as for any user.
 * - Every route of the api table × {the permission in scp and in a role: 2xx; every other delegated
 *   permission but not this one in scp: 403; every scope but a role lacking it: 403}.
 * - Two users in different device groups each see only their groups' devices, alerts, incidents,
 *   machine actions, indicators, investigation pages and hunting rows, and get 404 on the other group's objects.
 * - A user without active remediation gets 403 on isolate; a read-only role cannot PATCH an alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes, type ApiRoute } from '../../src/api/route-table.ts';
import { systemCtx } from '../../src/domain/context.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import { delegatedPermissionsOf, ROLE_PERMISSION_OPTIONS, type RolePermissionOption } from '../../src/domain/role-permissions.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { seedRouteExamples, type RouteExamples } from '../support/route-examples.ts';
import { ALL_DELEGATED_SCOPES, tokenFor, userWithToken } from '../support/user-tokens.ts';

let h: Harness;
let ex: RouteExamples;
let n = 0;
const GRANTABLE = new Set<string>(ALL_DELEGATED_SCOPES);
const SHARED_SHA1 = '5a1e'.repeat(10);

beforeAll(async () => {
  h = await startHarness();
  ex = await seedRouteExamples(h);
});
afterAll(async () => h?.close());

/** A new role with `options` over `groups` and a user holding it; returns the user's token with `scp`. */
async function userWith(options: readonly RolePermissionOption[], groups: 'all' | number[], scp: readonly string[] = ALL_DELEGATED_SCOPES): Promise<string> {
  const role = await h.palisade.settings.roles.create(h.operator(), { name: `Matrix role ${++n}`, permissions: [...options], deviceGroups: groups });
  return (await userWithToken(h.state, h.tenantId, `matrix.${n}@contoso.com`, [role.name], scp)).token;
}

const send = (r: ApiRoute, prefix: string, token: string) => {
  const body = ex.bodyOf(r, ex.deviceIds.own);
  return h.app.inject({
    method: r.method,
    url: ex.urlOf(prefix, r, ex.deviceIds.own),
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.example?.headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
};

describe('permission matrix: api surface in user context', () => {
  it('covers every route with and without its permission, in scp and in the roles', async () => {
    const routes = declaredRoutes(h.app).filter((x) => x.surface === 'api').map((x) => ({ prefix: x.prefixes[0], route: x.route as ApiRoute }));
    expect(routes.length).toBeGreaterThan(50);
    const admin = (await h.palisade.settings.users.create(h.operator(), { userPrincipalName: 'matrix.admin@contoso.com', roles: ['Palisade Administrator'] })).user;
    const failures: string[] = [];
    const appOnly: string[] = [];
    for (const { prefix, route: r } of routes) {
      const where = `${r.method} ${r.url}`;
      const first = r.permissions.find((p) => GRANTABLE.has(p));
      const second = r.alsoRequires?.find((p) => GRANTABLE.has(p));
      const withoutScp = ALL_DELEGATED_SCOPES.filter((p) => !(r.permissions as readonly string[]).includes(p));
      // a role of every option that grants none of the route's permissions
      const lacking = ROLE_PERMISSION_OPTIONS.filter((o) => !delegatedPermissionsOf([o]).some((p) => (r.permissions as readonly Permission[]).includes(p)));
      const cases: [string, Promise<string>, (s: number) => boolean][] = [
        ['scp without the permission', tokenFor(h.state, { ...admin, tenantId: h.tenantId }, withoutScp), (s) => s === 403],
        ['a role without the permission', userWith(lacking, 'all'), (s) => s === 403],
      ];
      if (first && (!r.alsoRequires || second)) {
        cases.push(['the permission in scp and role', tokenFor(h.state, { ...admin, tenantId: h.tenantId }, [first, ...(second ? [second] : [])]), (s) => s >= 200 && s < 300]);
      } else {
        appOnly.push(where);
      }
      for (const [name, token, ok] of cases) {
        const res = await send(r, prefix, await token);
        if (!ok(res.statusCode)) failures.push(`${where} [${name}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && !JSON.parse(res.body).error?.code) failures.push(`${where} [${name}] error body not in MDE format`);
      }
    }
    expect(failures).toEqual([]);
    // routes no delegated permission reaches (MDE documents only application permissions for them)
    expect(appOnly).toEqual([]);
  }, 300_000);
});

describe('two users in different device groups', () => {
  const ids: Record<string, string> = {};
  let paris: string;
  let tokyo: string;

  beforeAll(async () => {
    const groups = h.palisade.settings.deviceGroups;
    for (const city of ['paris', 'tokyo']) ids[city] = (await h.addDevice({ computerDnsName: `${city}-ws1`, machineTags: [city] })).id;
    const parisGroup = (await groups.create(h.operator(), { name: 'Paris', rule: { tags: ['paris'] } })).group.id;
    const tokyoGroup = (await groups.create(h.operator(), { name: 'Tokyo', rule: { tags: ['tokyo'] } })).group.id;
    const group: Record<string, number> = { paris: parisGroup, tokyo: tokyoGroup };
    const stamp = new Date(Date.now() - 60_000).toISOString();
    for (const city of ['paris', 'tokyo']) {
      // one event of the device's own, and the same file run on both devices (the investigation pages)
      const body = Buffer.from([
        JSON.stringify({ table: 'DeviceEvents', row: { Timestamp: stamp, ActionType: `rbac-event-${city}` } }),
        JSON.stringify({ table: 'DeviceProcessEvents', row: { Timestamp: stamp, ActionType: 'ProcessCreated', FileName: 'shared.exe', SHA1: SHARED_SHA1 } }),
      ].join('\n') + '\n');
      expect((await h.events.ingest({ tenantId: h.tenantId, deviceId: ids[city], deviceName: `${city}-ws1`, rbacGroupId: group[city], batchId: `rbac-${city}`, body, gzip: false })).accepted).toBe(2);
      const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
        dedupeKey: `rbac-${city}`, title: `Alert in ${city}`, description: 'x', severity: 'Medium', category: 'Malware', detectionSource: 'CustomerTI', machineId: ids[city],
      });
      ids[`${city}Alert`] = alert.id;
      ids[`${city}Incident`] = String(alert.incidentId);
      ids[`${city}Action`] = (await h.palisade.actions.request(h.operator(), ids[city], 'RunAntiVirusScan', { Comment: 'rbac', ScanType: 'Quick' })).id;
      ids[`${city}Indicator`] = (await h.app.services.indicators.submit(h.operator(), {
        indicatorValue: `${city}.bad.example`, indicatorType: 'DomainName', action: 'Alert', title: city, description: city, rbacGroupNames: [city === 'paris' ? 'PARIS' : 'Tokyo'],
      })).id;
    }
    const all = [...ROLE_PERMISSION_OPTIONS];
    paris = await userWith(all, [parisGroup]);
    tokyo = await userWith(all, [tokyoGroup]);
  });

  const get = (token: string, url: string) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const values = async (token: string, url: string, key: string) => {
    const res = await get(token, url);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().value as Record<string, unknown>[]).map((x) => String(x[key]));
  };

  it('each sees only its groups\' devices, alerts, incidents, actions, indicators and hunting rows', async () => {
    for (const [token, mine, theirs] of [[paris, 'paris', 'tokyo'], [tokyo, 'tokyo', 'paris']] as const) {
      expect(await values(token, '/api/machines', 'computerDnsName')).toEqual([`${mine}-ws1`]);
      expect(await values(token, '/api/alerts', 'id')).toEqual([ids[`${mine}Alert`]]);
      expect(await values(token, '/api/incidents', 'incidentId')).toEqual([ids[`${mine}Incident`]]);
      expect(await values(token, '/api/machineactions', 'id')).toEqual([ids[`${mine}Action`]]);
      const indicators = await values(token, '/api/indicators', 'indicatorValue');
      expect(indicators).toContain(`${mine}.bad.example`);
      expect(indicators).not.toContain(`${theirs}.bad.example`);
      const hunt = await h.app.inject({
        method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` },
        payload: { Query: 'DeviceEvents | where ActionType startswith "rbac-event-" | project DeviceName, ActionType' },
      });
      expect(hunt.statusCode, hunt.body).toBe(200);
      expect(hunt.json().Results).toEqual([{ DeviceName: `${mine}-ws1`, ActionType: `rbac-event-${mine}` }]);
      expect(await values(token, `/api/files/${SHARED_SHA1}/machines`, 'computerDnsName')).toEqual([`${mine}-ws1`]);
      expect((await get(token, `/api/files/${SHARED_SHA1}/stats`)).json().organizationPrevalence).toBe(1);
      const info = await h.app.inject({
        method: 'POST', url: '/api/advancedhunting/run', headers: { authorization: `Bearer ${token}` },
        payload: { Query: 'AlertInfo | where Title startswith "Alert in " | project Title' },
      });
      expect(info.statusCode, info.body).toBe(200);
      expect(info.json().Results.map((x: { Title: string }) => x.Title)).toEqual([`Alert in ${mine}`]);
    }
  });

  it('each gets 404 on the other group\'s objects', async () => {
    for (const [token, theirs] of [[paris, 'tokyo'], [tokyo, 'paris']] as const) {
      for (const url of [
        `/api/machines/${ids[theirs]}`, `/api/machines/${theirs}-ws1`, `/api/machines/${ids[theirs]}/alerts`, `/api/machines/${ids[theirs]}/machineactions`,
        `/api/alerts/${ids[`${theirs}Alert`]}`, `/api/alerts/${ids[`${theirs}Alert`]}/machine`, `/api/incidents/${ids[`${theirs}Incident`]}`,
        `/api/machineactions/${ids[`${theirs}Action`]}`, `/api/indicators/${ids[`${theirs}Indicator`]}`,
      ]) {
        const res = await get(token, url);
        expect(res.statusCode, `${url} ${res.body}`).toBe(404);
        expect(res.json().error.code).toBeTruthy();
      }
      const isolate = await h.app.inject({ method: 'POST', url: `/api/machines/${ids[theirs]}/isolate`, headers: { authorization: `Bearer ${token}` }, payload: { Comment: 'x', IsolationType: 'Full' } });
      expect(isolate.statusCode).toBe(404);
      const patch = await h.app.inject({ method: 'PATCH', url: `/api/alerts/${ids[`${theirs}Alert`]}`, headers: { authorization: `Bearer ${token}` }, payload: { status: 'Resolved' } });
      expect(patch.statusCode).toBe(404);
      const del = await h.app.inject({ method: 'DELETE', url: `/api/indicators/${ids[`${theirs}Indicator`]}`, headers: { authorization: `Bearer ${token}` } });
      expect([403, 404]).toContain(del.statusCode);
    }
  });

  it('a user without active remediation gets 403 on isolate; a read-only role cannot PATCH an alert', async () => {
    const noRemediation = await userWith(ROLE_PERMISSION_OPTIONS.filter((o) => o !== 'activeRemediation'), 'all');
    const isolate = await h.app.inject({ method: 'POST', url: `/api/machines/${ids.paris}/isolate`, headers: { authorization: `Bearer ${noRemediation}` }, payload: { Comment: 'x', IsolationType: 'Full' } });
    expect(isolate.statusCode, isolate.body).toBe(403);
    expect(isolate.json().error.code).toBe('Forbidden');
    const readOnly = await userWith(['viewData.securityOperations'], 'all');
    expect((await get(readOnly, `/api/alerts/${ids.parisAlert}`)).statusCode).toBe(200);
    const patch = await h.app.inject({ method: 'PATCH', url: `/api/alerts/${ids.parisAlert}`, headers: { authorization: `Bearer ${readOnly}` }, payload: { status: 'Resolved' } });
    expect(patch.statusCode, patch.body).toBe(403);
    // the same calls pass for the group's own responder
    const isolated = await h.app.inject({ method: 'POST', url: `/api/machines/${ids.paris}/isolate`, headers: { authorization: `Bearer ${paris}` }, payload: { Comment: 'x', IsolationType: 'Full' } });
    expect(isolated.statusCode, isolated.body).toBe(201);
    const resolved = await h.app.inject({ method: 'PATCH', url: `/api/alerts/${ids.parisAlert}`, headers: { authorization: `Bearer ${paris}` }, payload: { status: 'Resolved' } });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const log = (await h.state.audit.query(h.tenantId, { top: 50, skip: 0, count: false, orderBy: [] })).items;
    expect(log.find((x) => x.action === 'alert.update' && x.result === 'success')?.actorKind).toBe('user');
  });
});
