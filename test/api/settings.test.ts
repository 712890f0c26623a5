/**
 * The settings API and the audit log over HTTP: users, roles and device groups created, changed and
 * deleted by an app and by a user whose role has `managePortalSettings`; bad bodies answered in MDE's
 * error format with nothing applied; apps listed without secrets; every change in `/api/auditlogs`
 * with the actor's name, newest first, filterable; and none of it for callers without the permission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { userWithToken } from '../support/user-tokens.ts';

let h: Harness;
let admin: string;
let reader: string;
let person: { id: string; token: string };

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token(['PortalSettings.Manage']);
  reader = await h.token(['Machine.Read.All', 'Alert.ReadWrite.All']);
  await h.palisade.settings.roles.create(h.operator(), { name: 'Settings admins', permissions: ['managePortalSettings'], deviceGroups: 'all' });
  person = await userWithToken(h.state, h.tenantId, 'settings.admin@contoso.com', ['Settings admins']);
});
afterAll(async () => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) });

describe('settings API', () => {
  it('administers device groups, roles and users, refusing bad input in MDE\'s format with nothing applied', async () => {
    const g = await call('POST', '/api/settings/devicegroups', admin, { name: 'Linux servers', rule: { osPlatforms: ['Linux'] }, remediationLevel: 'No automated response' });
    expect(g.statusCode, g.body).toBe(201);
    expect(g.json()).toMatchObject({ id: 1, name: 'Linux servers', rank: 1, remediationLevel: 'No automated response', rule: { names: [], domains: [], tags: [], osPlatforms: ['Linux'] } });
    const moved = await call('PATCH', '/api/settings/devicegroups/linux%20servers', admin, { rule: { tags: ['prod'] }, description: 'Production' });
    expect(moved.json()).toMatchObject({ id: 1, description: 'Production', rule: { tags: ['prod'], osPlatforms: [] } });
    const badGroup = await call('POST', '/api/settings/devicegroups', admin, { name: 'No rule', rule: {} });
    expect(badGroup.statusCode).toBe(400);
    expect(badGroup.json().error).toMatchObject({ code: 'InvalidRequestBody', message: expect.stringMatching(/matching condition/) });

    const r = await call('POST', '/api/settings/roles', person.token, { name: 'Prod responders', permissions: ['viewData.securityOperations', 'activeRemediation'], deviceGroups: [1] });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ name: 'Prod responders', permissions: ['viewData.securityOperations', 'activeRemediation'], deviceGroups: [1], builtIn: false });
    for (const [body, code] of [
      [{ name: 'X', permissions: ['Machine.Isolate'] }, 'InvalidRequestBody'], [{ name: 'X', deviceGroups: [99] }, 'InvalidRequestBody'],
      [{ name: 'prod RESPONDERS' }, 'Conflict'], [{ name: 'Palisade Administrator' }, 'BadRequest'], [{ permissions: [] }, 'InvalidRequestBody'],
    ] as const) {
      const res = await call('POST', '/api/settings/roles', admin, body);
      expect(res.json().error?.code, JSON.stringify(body)).toBe(code);
    }
    expect((await call('PATCH', '/api/settings/roles/Palisade%20Administrator', admin, { deviceGroups: [1] })).statusCode).toBe(400);
    expect((await call('DELETE', '/api/settings/roles/Palisade%20Administrator', admin)).statusCode).toBe(400);
    const roles = (await call('GET', '/api/settings/roles', admin)).json();
    expect(roles['@odata.context']).toMatch(/\/api\/\$metadata#Roles$/);
    expect(roles.value.map((x: { name: string }) => x.name)).toEqual(['Palisade Administrator', 'Prod responders', 'Settings admins']);

    const u = await call('POST', '/api/settings/users', admin, { userPrincipalName: 'resp@contoso.com', displayName: 'Responder', roles: ['prod responders'] });
    expect(u.statusCode, u.body).toBe(201);
    const made = u.json();
    expect(made).toMatchObject({ userPrincipalName: 'resp@contoso.com', displayName: 'Responder', roles: ['Prod responders'], disabled: false, totpEnabled: false });
    expect(made.password.length).toBeGreaterThanOrEqual(12);
    expect(made).not.toHaveProperty('passwordHash');
    expect((await call('POST', '/api/settings/users', admin, { userPrincipalName: 'x@contoso.com', roles: ['Nope'] })).json().error.code).toBe('BadRequest');
    expect((await call('PATCH', `/api/settings/users/${made.id}`, admin, { disabled: 'no' })).statusCode).toBe(400);
    expect((await call('PATCH', `/api/settings/users/${made.id}`, person.token, { roles: [], disabled: true })).json()).toMatchObject({ roles: [], disabled: true });
    const users = (await call('GET', '/api/settings/users', admin)).json().value as Record<string, unknown>[];
    expect(users.map((x) => x.userPrincipalName)).toEqual(['resp@contoso.com', 'settings.admin@contoso.com']);
    for (const x of users) expect(Object.keys(x)).not.toContain('password');

    await call('PATCH', `/api/settings/users/${made.id}`, admin, { roles: ['Prod responders'] });
    expect((await call('DELETE', '/api/settings/devicegroups/1', admin)).statusCode).toBe(204);
    expect((await call('GET', '/api/settings/roles/', admin)).statusCode).toBe(200);
    expect(((await call('GET', '/api/settings/roles', admin)).json().value as { name: string; deviceGroups: unknown }[]).find((x) => x.name === 'Prod responders')?.deviceGroups).toEqual([]);
    expect((await call('DELETE', '/api/settings/roles/prod%20responders', admin)).statusCode).toBe(204);
    expect(((await call('GET', '/api/settings/users', admin)).json().value as { userPrincipalName: string; roles: string[] }[]).find((x) => x.userPrincipalName === 'resp@contoso.com')?.roles).toEqual([]);
    expect((await call('DELETE', '/api/settings/roles/prod%20responders', admin)).statusCode).toBe(404);
  });

  it('lists apps without secrets', async () => {
    const apps = (await call('GET', '/api/settings/apps', admin)).json().value as Record<string, unknown>[];
    expect(apps.some((a) => (a.permissions as string[]).includes('PortalSettings.Manage'))).toBe(true);
    for (const a of apps) expect(Object.keys(a).sort()).toEqual(['clientId', 'createdAt', 'name', 'permissions', 'publicClient', 'redirectUris']);
  });

  it('serves the audit log newest first with actor names, filtered and paged with OData', async () => {
    const all = (await call('GET', '/api/auditlogs?$top=500', person.token)).json();
    expect(all['@odata.context']).toMatch(/#AuditLogs$/);
    const rows = all.value as { time: string; actorKind: string; actorName: string | null; action: string; target: string; result: string }[];
    expect(rows.length).toBeGreaterThan(10);
    for (let i = 1; i < rows.length; i++) expect(Date.parse(rows[i - 1].time)).toBeGreaterThanOrEqual(Date.parse(rows[i].time));
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ actorKind: 'user', actorName: 'settings.admin@contoso.com', action: 'role.create', target: 'Prod responders', result: 'success' }),
      expect.objectContaining({ actorKind: 'app', actorName: 'app-PortalSettings.Manage', action: 'deviceGroup.delete', target: '1', result: 'success' }),
      expect.objectContaining({ actorKind: 'app', action: 'role.create', result: 'failure' }),
    ]));
    const mine = (await call('GET', "/api/auditlogs?$filter=actorName eq 'SETTINGS.ADMIN@contoso.com' and result eq 'success'&$orderby=time asc&$count=true", admin)).json();
    expect(mine.value.map((x: { action: string }) => x.action)).toEqual(['role.create', 'user.update']);
    expect(mine['@odata.count']).toBe(2);
    const page = (await call('GET', "/api/auditlogs?$filter=startswith(action,'role.')&$top=2&$skip=1", admin)).json();
    expect(page.value).toHaveLength(2);
    const bad = await call('GET', '/api/auditlogs?$filter=nosuch eq 1', admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBeTruthy();
  });

  it('is refused to callers without PortalSettings.Manage, and to the other tenant', async () => {
    const other = await h.newTenant('Other');
    const otherAdmin = await h.token(['PortalSettings.Manage'], other.id);
    for (const url of ['/api/settings/users', '/api/settings/roles', '/api/settings/devicegroups', '/api/settings/apps', '/api/auditlogs']) {
      const res = await call('GET', url, reader);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('Forbidden');
    }
    expect((await call('PATCH', `/api/settings/users/${person.id}`, otherAdmin, { disabled: true })).statusCode).toBe(404);
    expect((await call('GET', '/api/settings/users', otherAdmin)).json().value).toEqual([]);
    // the other tenant's log holds its own calls (the refused PATCH among them), none of this tenant's
    const theirs = (await call('GET', '/api/auditlogs', otherAdmin)).json().value as { actorName: string; action: string; result: string }[];
    expect(theirs).toContainEqual(expect.objectContaining({ action: 'user.update', result: 'failure' }));
    expect(theirs.some((x) => x.actorName === 'settings.admin@contoso.com' || x.action === 'role.create')).toBe(false);
  });
});
