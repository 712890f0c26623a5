/**
 * Roles: validation, the built-in administrator role (listed, never changed or deleted), renames and
 * deletions that follow into users, a deleted device group leaving roles, and the stored RoleLookup
 * (unknown or disabled users have no role; answers cached until the TTL or an invalidation).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorCtx, systemCtx, type Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { StateStore } from '../domain/ports.ts';
import { delegatedPermissionsOf, ROLE_PERMISSION_OPTIONS } from '../domain/role-permissions.ts';
import { openStateStore } from '../store/state/open.ts';
import { DeviceGroupService } from './device-groups.ts';
import { ExternalIdpService } from './external-idps.ts';
import { RoleService, storedRoleLookup } from './roles.ts';
import { UserService } from './users.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
let store: StateStore;
let roles: RoleService;
let users: UserService;
let groups: DeviceGroupService;
const op = (): Ctx => operatorCtx(TENANT, 'root');

beforeEach(async () => {
  store = await openStateStore(':memory:');
  await store.tenants.create({ id: TENANT, name: 'T', createdAt: '2026-01-01T00:00:00.000Z' });
  roles = new RoleService(store);
  users = new UserService(store);
  groups = new DeviceGroupService(store);
  await groups.create(op(), { name: 'Paris', rule: { domains: ['paris.example.com'] } });
  await groups.create(op(), { name: 'Tokyo', rule: { domains: ['tokyo.example.com'] } });
});
afterEach(() => store.close());

async function refusal(p: Promise<unknown>): Promise<PalisadeError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(PalisadeError);
  return e as PalisadeError;
}

describe('RoleService', () => {
  it('creates roles over existing groups, lists the built-in one first, and refuses bad input whole', async () => {
    const r = await roles.create(op(), { name: ' Paris SOC ', description: 'Tier 1 in Paris', permissions: ['viewData.securityOperations', 'viewData.securityOperations'], deviceGroups: [1, 0] });
    expect(r).toMatchObject({ name: 'Paris SOC', description: 'Tier 1 in Paris', permissions: ['viewData.securityOperations'], deviceGroups: [0, 1], builtIn: false });
    const list = await roles.list(op());
    expect(list.map((x) => [x.name, x.builtIn])).toEqual([['Palisade Administrator', true], ['Paris SOC', false]]);
    expect(list[0]).toMatchObject({ permissions: [...ROLE_PERMISSION_OPTIONS], deviceGroups: 'all' });
    expect((await refusal(roles.create(op(), { name: 'paris soc' }))).code).toBe('Conflict');
    expect((await refusal(roles.create(op(), { name: 'PALISADE administrator' }))).code).toBe('BadRequest');
    expect((await refusal(roles.create(op(), { name: 'X', deviceGroups: [9] }))).code).toBe('InvalidRequestBody');
    expect((await refusal(roles.create(op(), { name: 'X', deviceGroups: 'some' }))).code).toBe('InvalidRequestBody');
    expect((await refusal(roles.create(op(), { name: 'X', permissions: ['Machine.Isolate'] }))).code).toBe('InvalidRequestBody');
    expect((await refusal(roles.create(op(), { name: 42 }))).code).toBe('InvalidRequestBody');
    expect((await refusal(roles.create(op(), { name: 'y'.repeat(129) }))).code).toBe('InvalidRequestBody');
    expect((await roles.list(op())).length).toBe(2);
  });

  it('never changes or deletes the built-in role', async () => {
    for (const key of ['Palisade Administrator', '00000000-0000-0000-0000-00000000a0a0']) {
      expect((await refusal(roles.update(op(), key, { deviceGroups: [1] }))).message).toMatch(/cannot be changed/);
      expect((await refusal(roles.delete(op(), key))).message).toMatch(/cannot be deleted/);
    }
    expect((await roles.get(op(), 'palisade administrator')).deviceGroups).toBe('all');
  });

  it('renames into users, deletes out of users, and a deleted group leaves the roles', async () => {
    const a = await roles.create(op(), { name: 'Analysts', permissions: ['viewData.securityOperations'], deviceGroups: [1, 2] });
    await roles.create(op(), { name: 'Responders', permissions: ['activeRemediation'], deviceGroups: 'all' });
    const { user } = await users.create(op(), { userPrincipalName: 'ann@contoso.com', roles: ['analysts', 'Responders'] });
    expect((await refusal(roles.update(op(), a.id, { name: 'responders' }))).code).toBe('Conflict');
    expect(await roles.update(op(), 'ANALYSTS', { name: 'Hunters', permissions: ['viewData.securityOperations', 'alertsInvestigation'] }))
      .toMatchObject({ id: a.id, name: 'Hunters', permissions: ['viewData.securityOperations', 'alertsInvestigation'], deviceGroups: [1, 2] });
    expect((await users.get(op(), user.id)).roles).toEqual(['Hunters', 'Responders']);
    await groups.delete(op(), 'Paris');
    expect((await roles.get(op(), 'hunters')).deviceGroups).toEqual([2]);
    expect((await roles.get(op(), 'responders')).deviceGroups).toBe('all');
    await roles.delete(op(), 'responders');
    expect((await users.get(op(), user.id)).roles).toEqual(['Hunters']);
    expect((await refusal(roles.get(op(), 'responders'))).code).toBe('ResourceNotFound');
    const log = (await store.audit.list(TENANT, 50)).reverse().filter((r) => r.action.startsWith('role.')).map((r) => `${r.action}:${r.result}`);
    expect(log).toEqual(['role.create:success', 'role.create:success', 'role.update:failure', 'role.update:success', 'role.delete:success']);
  });

  it('renames into and deletes out of the external identity providers\' mappings', async () => {
    await roles.create(op(), { name: 'Analysts', permissions: ['viewData.securityOperations'] });
    await roles.create(op(), { name: 'Responders', permissions: ['activeRemediation'] });
    const idps = new ExternalIdpService(store);
    const corp = await idps.add(op(), { name: 'Corp', issuer: 'https://login.corp.example', clientId: 'c', roleMapping: { soc: ['Analysts', 'Responders'], ir: ['responders'] } });
    await idps.add(op(), { name: 'Other', issuer: 'https://login.other.example', clientId: 'c', roleMapping: { soc: ['Palisade Administrator'] } });
    await roles.update(op(), 'analysts', { name: 'Hunters' });
    expect((await idps.get(op(), corp.id)).roleMapping).toEqual({ soc: ['Hunters', 'Responders'], ir: ['Responders'] });
    await roles.delete(op(), 'Responders');
    expect((await idps.get(op(), corp.id)).roleMapping).toEqual({ soc: ['Hunters'] });
    expect((await idps.get(op(), 'other')).roleMapping).toEqual({ soc: ['Palisade Administrator'] });
  });

  it('lets only operators and portal-settings holders administer roles', async () => {
    const app: Ctx = { ...systemCtx(TENANT, ['Machine.Read.All']), principal: { ...systemCtx(TENANT, ['Machine.Read.All']).principal, kind: 'app', id: 'c' } };
    const admin: Ctx = { ...systemCtx(TENANT, ['PortalSettings.Manage']), principal: { ...systemCtx(TENANT, ['PortalSettings.Manage']).principal, kind: 'app', id: 'c' } };
    expect((await refusal(roles.list(app))).code).toBe('Forbidden');
    expect((await refusal(roles.create(app, { name: 'x' }))).code).toBe('Forbidden');
    expect((await roles.create(admin, { name: 'x' })).name).toBe('x');
  });
});

describe('storedRoleLookup', () => {
  it('resolves role names (any case, unknown skipped), none for unknown or disabled users, cached until the TTL or an invalidation', async () => {
    let now = 0;
    const cached = storedRoleLookup(store, { ttlMs: 1_000, clock: () => now });
    await roles.create(op(), { name: 'Paris SOC', permissions: ['viewData.securityOperations', 'activeRemediation'], deviceGroups: [1] });
    const { user } = await users.create(op(), { userPrincipalName: 'pat@contoso.com', roles: ['paris soc'] });
    await store.users.update(TENANT, user.id, { roles: ['PARIS soc', 'Gone role'] });
    expect(await cached.lookup(TENANT, user.id)).toEqual([
      { name: 'Paris SOC', permissions: delegatedPermissionsOf(['viewData.securityOperations', 'activeRemediation']), deviceGroups: [1] },
    ]);
    expect(await cached.lookup(TENANT, '99999999-0000-4000-8000-000000000000')).toEqual([]);
    expect(await cached.lookup('another-tenant', user.id)).toEqual([]);
    await users.update(op(), user.id, { roles: ['Palisade Administrator'] });
    expect((await cached.lookup(TENANT, user.id))[0].name).toBe('Paris SOC');
    now = 1_000;
    expect(await cached.lookup(TENANT, user.id)).toEqual([{ name: 'Palisade Administrator', permissions: delegatedPermissionsOf(ROLE_PERMISSION_OPTIONS), deviceGroups: 'all' }]);
    await users.disable(op(), user.id);
    expect((await cached.lookup(TENANT, user.id)).length).toBe(1);
    cached.invalidate(TENANT);
    expect(await cached.lookup(TENANT, user.id)).toEqual([]);
  });
});
