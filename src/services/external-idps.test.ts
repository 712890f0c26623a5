/**
 * External providers: administration by operators and portal-settings holders that never returns the secret, and sign-in from
 * validated claims — just-in-time users without a password, roles from the mapping at every
 * sign-in, refusals (disabled, unknown without provisioning, a name taken by a local account), audited;
 * disabling or removing a provider revokes its users' sign-ins.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorCtx, systemCtx, type Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { StateStore } from '../domain/ports.ts';
import { openStateStore } from '../store/state/open.ts';
import { ExternalIdpService } from './external-idps.ts';
import { RoleService } from './roles.ts';
import { UserService } from './users.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const ISSUER = 'https://login.corp.example/realms/corp';

let store: StateStore;
let idps: ExternalIdpService;
const op = (): Ctx => operatorCtx(TENANT, 'root');
const anon = (): Ctx => systemCtx(TENANT);
const app = (): Ctx => ({ tenantId: TENANT, principal: { kind: 'app', id: 'c', name: 'app', permissions: new Set(), deviceGroups: 'all' }, authz: { checked: false } });

beforeEach(async () => {
  store = await openStateStore(':memory:');
  await store.tenants.create({ id: TENANT, name: 'T', createdAt: '2026-01-01T00:00:00.000Z' });
  idps = new ExternalIdpService(store, () => new Date('2026-01-02T10:00:00.000Z'));
  const roles = new RoleService(store);
  for (const name of ['Tier 1', 'Admins']) await roles.create(op(), { name, permissions: ['viewData.securityOperations'], deviceGroups: 'all' });
});
afterEach(() => store.close());

async function refusal(p: Promise<unknown>): Promise<PalisadeError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(PalisadeError);
  return e as PalisadeError;
}

const corp = (over: Partial<Parameters<ExternalIdpService['add']>[1]> = {}) => idps.add(op(), {
  name: 'Corp', issuer: ISSUER, clientId: 'palisade', clientSecret: 'top-secret', rolesClaim: 'groups',
  roleMapping: { 'secops-tier1': ['Tier 1'], 'secops-admins': ['Admins'] }, jitProvisioning: true, ...over,
});

describe('ExternalIdpService administration', () => {
  it('adds, lists and removes providers without ever returning the secret; audited', async () => {
    const added = await corp();
    expect(added).toMatchObject({ name: 'Corp', issuer: ISSUER, scopes: ['openid', 'profile', 'email'], hasClientSecret: true, jitProvisioning: true });
    expect(JSON.stringify(added)).not.toContain('top-secret');
    const listed = await idps.list(op());
    expect(listed).toEqual([added]);
    expect(JSON.stringify(listed)).not.toContain('top-secret');
    expect((await store.externalIdps.get(TENANT, added.id))?.clientSecret).toBe('top-secret');
    expect((await refusal(corp({ name: 'CORP' }))).code).toBe('Conflict');
    expect((await refusal(corp({ name: 'Plain', issuer: 'http://idp.corp.example' }))).message).toMatch(/https/);
    expect((await idps.add(op(), { name: 'Public', issuer: 'http://127.0.0.1:4000', clientId: 'c', scopes: ['profile'] })))
      .toMatchObject({ hasClientSecret: false, scopes: ['openid', 'profile'], rolesClaim: 'groups', jitProvisioning: false });
    await idps.remove(op(), 'corp');
    expect((await idps.list(op())).map((i) => i.name)).toEqual(['Public']);
    expect((await refusal(idps.remove(op(), 'corp'))).code).toBe('ResourceNotFound');
    const audit = (await store.audit.list(TENANT, 1000)).map((a) => `${a.action} ${a.target} ${a.result}`);
    expect(audit).toEqual(expect.arrayContaining(['idp.add Corp success', 'idp.add CORP failure', 'idp.remove corp success']));
    expect(JSON.stringify(await store.audit.list(TENANT, 1000))).not.toContain('top-secret');
  });

  it('is an operator\'s or a portal-settings holder\'s only', async () => {
    expect((await refusal(idps.add(app(), { name: 'X', issuer: ISSUER, clientId: 'c' }))).code).toBe('Forbidden');
    expect((await refusal(idps.list(app()))).code).toBe('Forbidden');
    const { id } = await corp();
    expect((await refusal(idps.get(app(), id))).code).toBe('Forbidden');
    expect((await refusal(idps.update(app(), id, { disabled: true }))).code).toBe('Forbidden');
    expect((await refusal(idps.remove(app(), id))).code).toBe('Forbidden');
    expect(await idps.signInOptions(app())).toEqual([{ id, name: 'Corp' }]);
    const admin: Ctx = { ...app(), principal: { kind: 'user', id: 'u', name: 'ada@corp.example', permissions: new Set(['PortalSettings.Manage']), deviceGroups: 'all' } };
    expect(await idps.list(admin)).toHaveLength(1);
  });

  it('maps only to the tenant\'s roles (stored with their own spelling) and refuses values of the wrong type', async () => {
    expect((await refusal(corp({ roleMapping: { g: ['No such role'] } }))).message).toMatch(/no role named 'No such role'/);
    expect(await corp({ roleMapping: { g: ['tier 1', 'TIER 1'], h: ['palisade administrator'] } })).toMatchObject({ roleMapping: { g: ['Tier 1'], h: ['Palisade Administrator'] } });
    // a claim value named like an object's own machinery is just a value
    const odd = await idps.update(op(), 'corp', { roleMapping: JSON.parse('{"__proto__": ["Admins"], "constructor": ["Tier 1"]}') });
    expect(Object.keys(odd.roleMapping)).toEqual(['__proto__', 'constructor']);
    const stored = (await store.externalIdps.get(TENANT, odd.id))!;
    expect(Object.keys(stored.roleMapping)).toEqual(['__proto__', 'constructor']);
    expect(await idps.signIn(anon(), stored, { sub: 'p-1', preferred_username: 'p@corp.example', groups: ['__proto__', 'toString'] })).toMatchObject({ roles: ['Admins'] });
    for (const bad of [{ name: 42 }, { issuer: ['x'] }, { clientId: '' }, { scopes: 'openid' }, { roleMapping: ['a'] }, { roleMapping: { g: 'Tier 1' } },
      { jitProvisioning: 'yes' }, { clientSecret: 7 }, { rolesClaim: 'has space' }, { name: 'x'.repeat(65) }, { issuer: 'ftp://idp.example' }]) {
      const e = await refusal(corp({ name: 'Other', ...bad }));
      expect(e.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await idps.list(op())).map((i) => i.name)).toEqual(['Corp']);
  });

  it('changes a provider: rename, secret, scopes, claim, mapping, provisioning; disabled ones leave the sign-in page; nothing half-applied', async () => {
    const { id } = await corp();
    const changed = await idps.update(op(), id, { name: 'Contoso', clientSecret: 'new-secret', scopes: ['profile', 'groups'], rolesClaim: 'roles', roleMapping: { 'tier-1': ['Tier 1'] }, jitProvisioning: false });
    expect(changed).toMatchObject({ id, name: 'Contoso', hasClientSecret: true, scopes: ['openid', 'profile', 'groups'], rolesClaim: 'roles', roleMapping: { 'tier-1': ['Tier 1'] }, jitProvisioning: false, disabled: false });
    expect(JSON.stringify(changed)).not.toContain('secret"');
    expect((await store.externalIdps.get(TENANT, id))?.clientSecret).toBe('new-secret');
    expect(await idps.signInOptions(anon())).toEqual([{ id, name: 'Contoso' }]);
    expect(await idps.update(op(), 'contoso', { disabled: true })).toMatchObject({ disabled: true });
    expect(await idps.signInOptions(anon())).toEqual([]);
    expect(await idps.forSignIn(anon(), id)).toBeNull();
    expect((await refusal(idps.update(op(), id, { name: 'Renamed', roleMapping: { x: ['Nobody'] } }))).status).toBe(400);
    expect((await refusal(idps.update(op(), id, { issuer: 'https://elsewhere.example' }))).message).toMatch(/issuer .* cannot change/);
    expect((await refusal(idps.update(op(), 'nope', { disabled: false }))).code).toBe('ResourceNotFound');
    expect(await idps.get(op(), id)).toMatchObject({ name: 'Contoso', disabled: true });
    expect(await idps.update(op(), id, { disabled: false, clientSecret: null })).toMatchObject({ disabled: false, hasClientSecret: false });
    expect(await idps.forSignIn(anon(), id)).toMatchObject({ id, clientSecret: null });
    const audit = await store.audit.list(TENANT, 1000);
    expect(audit.map((a) => `${a.action} ${a.target} ${a.result}`)).toEqual(expect.arrayContaining([`idp.update ${id} success`, 'idp.update contoso success', `idp.update ${id} failure`]));
    expect(JSON.stringify(audit)).not.toContain('new-secret');
    expect(JSON.stringify(audit)).not.toContain('top-secret');
  });
});

describe('disabling or removing a provider', () => {
  it('revokes the sign-ins of its users (not of local users, nor while another enabled provider has the issuer)', async () => {
    const idp = (await store.externalIdps.get(TENANT, (await corp()).id))!;
    const dana = await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example' });
    const { user: local } = await new UserService(store).create(op(), { userPrincipalName: 'lou@corp.example', password: 'a long enough password' });
    const grant = async (userId: string) => {
      const g = { tenantId: TENANT, id: randomUUID(), userId, clientId: 'c', createdAt: '2026-01-02T09:00:00.000Z', revokedAt: null };
      await store.signIns.putGrant(g);
      return g.id;
    };
    const revoked = async (id: string) => (await store.signIns.getGrant(TENANT, id))?.revokedAt ?? null;
    const twin = await corp({ name: 'Twin' }); // the same issuer
    const [g1, g2] = [await grant(dana.id), await grant(local.id)];
    await idps.update(op(), idp.id, { disabled: true });
    expect(await revoked(g1)).toBeNull(); // Twin still signs Dana in
    await idps.update(op(), twin.id, { disabled: true });
    expect(await revoked(g1)).toBe('2026-01-02T10:00:00.000Z');
    expect(await revoked(g2)).toBeNull();
    await idps.update(op(), idp.id, { disabled: false });
    const g3 = await grant(dana.id);
    await idps.remove(op(), idp.id);
    expect(await revoked(g3)).toBe('2026-01-02T10:00:00.000Z');
    expect(await revoked(g2)).toBeNull();
  });
});

describe('ExternalIdpService sign-in', () => {
  it('creates a user just in time without a password, and applies the mapping at every sign-in', async () => {
    const idp = (await store.externalIdps.get(TENANT, (await corp()).id))!;
    const heard: string[] = [];
    idps.onChange((t) => heard.push(t));
    const first = await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example', name: 'Dana', groups: ['secops-tier1', 'other'] });
    expect(first).toMatchObject({ userPrincipalName: 'dana@corp.example', displayName: 'Dana', roles: ['Tier 1'], external: { issuer: ISSUER, subject: 'k-1' } });
    const stored = (await store.users.get(TENANT, first.id))!;
    expect(stored.passwordHash).toBeNull();
    const again = await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example', groups: ['secops-admins'] });
    expect(again.id).toBe(first.id);
    expect(again.roles).toEqual(['Admins']);
    expect((await idps.signIn(anon(), idp, { sub: 'k-1', groups: [] })).roles).toEqual([]);
    // each sign-in that set roles is announced (the role lookup's cache drops the tenant)
    expect(heard).toEqual([TENANT, TENANT, TENANT]);
    // a user from a provider has no password to sign in with
    const local = new UserService(store);
    expect((await refusal(local.authenticate(anon(), 'dana@corp.example', 'any password at all'))).code).toBe('Unauthorized');
    const audit = (await store.audit.list(TENANT, 1000)).map((a) => `${a.action} ${a.actorKind} ${a.target} ${a.result}`);
    expect(audit.filter((a) => a.startsWith('idp.signin user dana@corp.example success'))).toHaveLength(3);
    expect(audit).toContain('user.create system dana@corp.example success');
  });

  it('refuses disabled users, unknown users without provisioning, missing names and names of other accounts', async () => {
    const idp = (await store.externalIdps.get(TENANT, (await corp()).id))!;
    const u = await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example' });
    await new UserService(store).disable(op(), u.id);
    expect((await refusal(idps.signIn(anon(), idp, { sub: 'k-1' }))).message).toMatch(/disabled/);
    expect((await refusal(idps.signIn(anon(), idp, { sub: 'k-2' }))).message).toMatch(/no user name/);
    expect((await refusal(idps.signIn(anon(), idp, { preferred_username: 'x@corp.example' }))).message).toMatch(/subject/);
    await new UserService(store).create(op(), { userPrincipalName: 'erin@corp.example', password: 'a long enough password' });
    const taken = await refusal(idps.signIn(anon(), idp, { sub: 'k-3', preferred_username: 'erin@corp.example' }));
    expect(taken.code).toBe('Forbidden');
    expect(taken.message).toMatch(/not linked to Corp/);
    const strict = (await store.externalIdps.get(TENANT, (await corp({ name: 'Strict', issuer: 'https://strict.corp.example', jitProvisioning: false })).id))!;
    expect((await refusal(idps.signIn(anon(), strict, { sub: 'k-9', preferred_username: 'fox@corp.example' }))).message).toMatch(/no Palisade account/);
    const failures = (await store.audit.list(TENANT, 1000)).filter((a) => a.action === 'user.signin' && a.result === 'failure');
    expect(failures.map((a) => JSON.parse(a.details!).reason)).toEqual(expect.arrayContaining([
      'account disabled', 'no user name claim', 'no subject claim', 'user name taken by another account', 'unknown user, no just-in-time provisioning',
    ]));
  });
});

describe('a roles claim the provider left out', () => {
  it("refuses the sign-in (Entra ID's group overage) rather than taking the person's roles away; audited with the reason", async () => {
    const idp = (await store.externalIdps.get(TENANT, (await corp()).id))!;
    const u = await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example', groups: ['secops-tier1'] });
    expect(u.roles).toEqual(['Tier 1']);
    const overage = { sub: 'k-1', preferred_username: 'dana@corp.example', _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.example/getMemberObjects' } } };
    const refused = await refusal(idps.signIn(anon(), idp, overage));
    expect(refused.code).toBe('Forbidden');
    expect(refused.message).toMatch(/groups out of the sign-in because there are too many/);
    expect((await refusal(idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example', hasgroups: true }))).code).toBe('Forbidden');
    expect((await store.users.get(TENANT, u.id))!.roles).toEqual(['Tier 1']);
    const failures = (await store.audit.list(TENANT, 1000)).filter((a) => a.action === 'user.signin' && a.result === 'failure');
    expect(failures.map((a) => JSON.parse(a.details!).reason)).toEqual(['groups claim left out (overage)', 'groups claim left out (overage)']);
    // no claim and no sign of one left out: the person simply has none of the mapped values
    expect((await idps.signIn(anon(), idp, { sub: 'k-1', preferred_username: 'dana@corp.example' })).roles).toEqual([]);
  });
});

describe('users created for a provider before their first sign-in', () => {
  it('binds the first person the provider signs in with that name, then only that subject; other providers and local accounts never', async () => {
    const strict = (await store.externalIdps.get(TENANT, (await corp({ jitProvisioning: false })).id))!;
    const other = (await store.externalIdps.get(TENANT, (await corp({ name: 'Other', issuer: 'https://other.example', jitProvisioning: false })).id))!;
    const made = await idps.createUser(op(), 'corp', { userPrincipalName: 'gail@corp.example' });
    expect(made).toMatchObject({ userPrincipalName: 'gail@corp.example', roles: [], external: { issuer: ISSUER, subject: null } });
    expect((await store.users.get(TENANT, made.id))!.passwordHash).toBeNull();
    // another provider cannot take the name
    expect((await refusal(idps.signIn(anon(), other, { sub: 'o-1', preferred_username: 'gail@corp.example' }))).message).toMatch(/no Palisade account/);
    const first = await idps.signIn(anon(), strict, { sub: 'g-1', preferred_username: 'gail@corp.example', groups: ['secops-tier1'] });
    expect(first).toMatchObject({ id: made.id, roles: ['Tier 1'], external: { issuer: ISSUER, subject: 'g-1' } });
    // the name is bound now: another subject with the same name is someone else
    expect((await refusal(idps.signIn(anon(), strict, { sub: 'g-2', preferred_username: 'gail@corp.example' }))).message).toMatch(/no Palisade account/);
    expect((await idps.signIn(anon(), strict, { sub: 'g-1', preferred_username: 'renamed@corp.example' })).id).toBe(made.id);
    expect((await refusal(idps.createUser(op(), 'nope', { userPrincipalName: 'h@corp.example' }))).code).toBe('ResourceNotFound');
    expect((await refusal(idps.createUser(op(), 'corp', { userPrincipalName: 'gail@corp.example' }))).code).toBe('Conflict');
    expect((await refusal(idps.createUser(app(), 'corp', { userPrincipalName: 'i@corp.example' }))).code).toBe('Forbidden');
  });
});
