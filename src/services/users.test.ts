/**
 * Local users: the password policy, sign-in with password and TOTP (a refusal that is the same for
 * every reason, and audited with the reason), TOTP enrolment, disabling, and operator-only administration.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../auth/totp.ts';
import { operatorCtx, systemCtx, type Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { StateStore } from '../domain/ports.ts';
import { openStateStore } from '../store/state/open.ts';
import { UserService } from './users.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const PASSWORD = 'correct horse battery';

let store: StateStore;
let now: Date;
let users: UserService;
const op = (): Ctx => operatorCtx(TENANT, 'root');
const signIn = (): Ctx => systemCtx(TENANT);

beforeEach(async () => {
  store = await openStateStore(':memory:');
  await store.tenants.create({ id: TENANT, name: 'T', createdAt: '2026-01-01T00:00:00.000Z' });
  now = new Date('2026-01-02T10:00:05.000Z');
  users = new UserService(store, () => now);
  await store.roles.insert({ tenantId: TENANT, id: '0f0f0f0f-0000-4000-8000-000000000001', name: 'Tier 1', description: null, permissions: ['viewData.securityOperations'], deviceGroups: 'all', builtIn: false, createdAt: now.toISOString() });
});
afterEach(() => store.close());

async function refusal(p: Promise<unknown>): Promise<PalisadeError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(PalisadeError);
  return e as PalisadeError;
}

describe('UserService', () => {
  it('creates users under the password policy, with unique names regardless of case', async () => {
    const { user, generatedPassword } = await users.create(op(), { userPrincipalName: ' alice@contoso.com ', roles: ['tier 1', 'Tier 1', ' '], password: PASSWORD });
    expect(generatedPassword).toBeNull();
    expect(user).toEqual({ tenantId: TENANT, id: expect.stringMatching(/^[0-9a-f-]{36}$/), userPrincipalName: 'alice@contoso.com', displayName: 'alice@contoso.com', totpEnabled: false, roles: ['Tier 1'], disabled: false, createdAt: now.toISOString(), lastSignInAt: null });
    expect(user).not.toHaveProperty('passwordHash');
    const stored = await store.users.get(TENANT, user.id);
    expect(stored?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored?.passwordHash).not.toContain(PASSWORD);

    expect((await refusal(users.create(op(), { userPrincipalName: 'ALICE@contoso.com', password: PASSWORD }))).code).toBe('Conflict');
    expect((await refusal(users.create(op(), { userPrincipalName: 'bob@contoso.com', password: 'elevenchars' }))).message).toMatch(/at least 12 characters/);
    expect((await refusal(users.create(op(), { userPrincipalName: 'not a name', password: PASSWORD }))).code).toBe('BadRequest');
    expect((await refusal(users.create(op(), { userPrincipalName: 'eve@contoso.com', password: PASSWORD, roles: ['Tier 7'] }))).message).toMatch(/no role named 'Tier 7'/);

    const generated = await users.create(op(), { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' });
    expect(generated.generatedPassword?.length).toBeGreaterThanOrEqual(12);
    expect((await users.authenticate(signIn(), 'carol@contoso.com', generated.generatedPassword!)).displayName).toBe('Carol');
    expect((await users.list(op())).map((u) => u.userPrincipalName)).toEqual(['alice@contoso.com', 'carol@contoso.com']);
  });

  it('signs in with the password, records the time, and refuses every failure alike', async () => {
    await users.create(op(), { userPrincipalName: 'alice@contoso.com', password: PASSWORD });
    const u = await users.authenticate(signIn(), 'Alice@Contoso.com', PASSWORD);
    expect(u.lastSignInAt).toBe(now.toISOString());
    const wrong = await refusal(users.authenticate(signIn(), 'alice@contoso.com', PASSWORD + '!'));
    const unknown = await refusal(users.authenticate(signIn(), 'nobody@contoso.com', PASSWORD));
    const huge = await refusal(users.authenticate(signIn(), 'alice@contoso.com', 'x'.repeat(100_000)));
    for (const e of [wrong, unknown, huge]) {
      expect(e.code).toBe('Unauthorized');
      expect(e.message).toBe(wrong.message);
    }
    await users.disable(op(), 'alice@contoso.com');
    expect((await refusal(users.authenticate(signIn(), 'alice@contoso.com', PASSWORD))).message).toBe(wrong.message);

    const log = (await store.audit.list(TENANT, 20)).reverse().filter((r) => r.action === 'user.signin');
    expect(log.map((r) => [r.result, r.details && (JSON.parse(r.details) as { reason: string }).reason])).toEqual([
      ['success', null], ['failure', 'wrong password'], ['failure', 'unknown user'], ['failure', 'unknown user'], ['failure', 'account disabled'],
    ]);
  });

  it('enrols TOTP: sign-in needs a code only once enrolment is confirmed, within one step', async () => {
    const { user } = await users.create(op(), { userPrincipalName: 'totp@contoso.com', password: PASSWORD });
    const { otpauthUri } = await users.enrollTotp(op(), user.id);
    const secret = new URL(otpauthUri).searchParams.get('secret')!;
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Palisade:totp%40contoso\.com\?/);
    // not confirmed yet: the password alone still signs in
    await users.authenticate(signIn(), 'totp@contoso.com', PASSWORD);
    const valid = [-30_000, 0, 30_000].map((d) => totpCode(secret, now.getTime() + d));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
    expect((await refusal(users.confirmTotp(op(), user.id, wrong))).code).toBe('BadRequest');
    expect((await store.users.get(TENANT, user.id))?.totpEnabled).toBe(false);
    expect((await users.confirmTotp(op(), 'TOTP@contoso.com', totpCode(secret, now.getTime()))).totpEnabled).toBe(true);

    const refused = await refusal(users.authenticate(signIn(), 'totp@contoso.com', PASSWORD));
    expect(refused.code).toBe('Unauthorized');
    expect(await users.authenticate(signIn(), 'totp@contoso.com', PASSWORD, totpCode(secret, now.getTime() - 30_000))).toMatchObject({ userPrincipalName: 'totp@contoso.com' });
    expect((await refusal(users.authenticate(signIn(), 'totp@contoso.com', PASSWORD, totpCode(secret, now.getTime() - 90_000)))).message).toBe(refused.message);
    expect((await refusal(users.authenticate(signIn(), 'totp@contoso.com', 'wrong password!!', totpCode(secret, now.getTime())))).message).toBe(refused.message);
  });

  it('accepts each TOTP code once: a replayed code, or one older than the last used, is refused', async () => {
    const { user } = await users.create(op(), { userPrincipalName: 'replay@contoso.com', password: PASSWORD });
    const secret = new URL((await users.enrollTotp(op(), user.id)).otpauthUri).searchParams.get('secret')!;
    await users.confirmTotp(op(), user.id, totpCode(secret, now.getTime()));
    const current = totpCode(secret, now.getTime());
    await users.authenticate(signIn(), 'replay@contoso.com', PASSWORD, current);
    const replayed = await refusal(users.authenticate(signIn(), 'replay@contoso.com', PASSWORD, current));
    expect(replayed.message).toBe('The user name, password or verification code is incorrect');
    // the previous step's code is still inside the window, but older than the one used
    expect((await refusal(users.authenticate(signIn(), 'replay@contoso.com', PASSWORD, totpCode(secret, now.getTime() - 30_000)))).code).toBe('Unauthorized');
    // the next step's code is new, and a wrong password never spends a code
    const next = totpCode(secret, now.getTime() + 30_000);
    expect((await refusal(users.authenticate(signIn(), 'replay@contoso.com', 'wrong password!!', next))).code).toBe('Unauthorized');
    expect(await users.authenticate(signIn(), 'replay@contoso.com', PASSWORD, next)).toMatchObject({ userPrincipalName: 'replay@contoso.com' });
    const reasons = (await store.audit.list(TENANT, 5)).filter((r) => r.action === 'user.signin' && r.result === 'failure').map((r) => (JSON.parse(r.details ?? '{}') as { reason?: string }).reason);
    expect(reasons).toContain('verification code already used');
  });

  it('signs in in two steps for a page: the password, then the code of a TOTP user (once), or a vouched-for user', async () => {
    const plain = (await users.create(op(), { userPrincipalName: 'plain@contoso.com', password: PASSWORD })).user;
    expect(await users.verifyPassword(signIn(), 'plain@contoso.com', PASSWORD)).toMatchObject({ user: { id: plain.id } });
    const totp = (await users.create(op(), { userPrincipalName: 'two@contoso.com', password: PASSWORD })).user;
    const secret = new URL((await users.enrollTotp(op(), 'two@contoso.com')).otpauthUri).searchParams.get('secret')!;
    await users.confirmTotp(op(), 'two@contoso.com', totpCode(secret, now.getTime() - 30_000));
    expect(await users.verifyPassword(signIn(), 'two@contoso.com', PASSWORD)).toEqual({ codeRequiredFor: totp.id });
    const wrong = await refusal(users.verifyPassword(signIn(), 'two@contoso.com', 'wrong password!!'));
    expect(wrong.code).toBe('Unauthorized');
    expect((await refusal(users.verifyCode(signIn(), totp.id, '123'))).message).toBe(wrong.message);
    expect((await users.verifyCode(signIn(), totp.id, totpCode(secret, now.getTime()))).userPrincipalName).toBe('two@contoso.com');
    expect((await refusal(users.verifyCode(signIn(), totp.id, totpCode(secret, now.getTime())))).message).toBe(wrong.message);
    expect((await refusal(users.verifyCode(signIn(), plain.id, totpCode(secret, now.getTime() + 30_000)))).message).toBe(wrong.message);
    expect((await users.signInVouched(signIn(), plain.id, 'idp:test')).lastSignInAt).toBe(now.toISOString());
    await users.disable(op(), plain.id);
    expect((await refusal(users.signInVouched(signIn(), plain.id, 'idp:test'))).message).toBe(wrong.message);
    expect((await refusal(users.verifyPassword(signIn(), 'plain@contoso.com', PASSWORD))).message).toBe(wrong.message);
  });

  it('revokes a user\'s sign-ins when the user is disabled', async () => {
    const u = (await users.create(op(), { userPrincipalName: 'gone@contoso.com', password: PASSWORD })).user;
    await store.signIns.putGrant({ tenantId: TENANT, id: 'g-1', userId: u.id, clientId: 'c', createdAt: now.toISOString(), revokedAt: null });
    await users.update(op(), u.id, { disabled: true });
    expect((await store.signIns.getGrant(TENANT, 'g-1'))?.revokedAt).toBe(now.toISOString());
  });

  it('changes roles, display name and disabled state; unknown roles and wrong types are refused whole', async () => {
    const { user } = await users.create(op(), { userPrincipalName: 'fay@contoso.com', password: PASSWORD });
    expect(await users.update(op(), 'FAY@contoso.com', { roles: ['TIER 1', 'palisade administrator'], displayName: ' Fay ' }))
      .toMatchObject({ roles: ['Tier 1', 'Palisade Administrator'], displayName: 'Fay', disabled: false });
    expect((await refusal(users.update(op(), user.id, { roles: ['Tier 1', 'nope'], disabled: true }))).code).toBe('BadRequest');
    expect((await refusal(users.update(op(), user.id, { disabled: 'yes' }))).code).toBe('InvalidRequestBody');
    expect((await refusal(users.update(op(), user.id, { roles: 'Tier 1' }))).code).toBe('InvalidRequestBody');
    expect(await users.get(op(), user.id)).toMatchObject({ roles: ['Tier 1', 'Palisade Administrator'], disabled: false });
    expect((await users.update(op(), user.id, { roles: [], disabled: true }))).toMatchObject({ roles: [], disabled: true });
    const settings: Ctx = { ...systemCtx(TENANT, ['PortalSettings.Manage']), principal: { ...systemCtx(TENANT, ['PortalSettings.Manage']).principal, kind: 'user', id: 'u', name: 'admin@contoso.com' } };
    expect((await users.update(settings, user.id, { disabled: false })).disabled).toBe(false);
    expect((await store.audit.list(TENANT, 1))[0]).toMatchObject({ actorKind: 'user', actorName: 'admin@contoso.com', action: 'user.update', result: 'success' });
  });

  it('lets only operators and portal-settings holders administer users, and audits each change', async () => {
    const app: Ctx = { ...systemCtx(TENANT), principal: { ...systemCtx(TENANT).principal, kind: 'app', id: 'client' } };
    expect((await refusal(users.create(app, { userPrincipalName: 'x@contoso.com', password: PASSWORD }))).code).toBe('Forbidden');
    expect((await refusal(users.list(app))).code).toBe('Forbidden');
    const { user } = await users.create(op(), { userPrincipalName: 'dana@contoso.com', password: PASSWORD });
    expect((await refusal(users.disable(app, user.id))).code).toBe('Forbidden');
    expect((await users.disable(op(), user.id)).disabled).toBe(true);
    expect((await refusal(users.disable(op(), 'ghost@contoso.com'))).code).toBe('ResourceNotFound');
    const log = (await store.audit.list(TENANT, 20)).reverse().map((r) => [r.actorKind, r.action, r.target, r.result]);
    expect(log).toEqual([
      ['app', 'user.create', 'x@contoso.com', 'failure'],
      ['operator', 'user.create', 'dana@contoso.com', 'success'],
      ['app', 'user.disable', user.id, 'failure'],
      ['operator', 'user.disable', user.id, 'success'],
      ['operator', 'user.disable', 'ghost@contoso.com', 'failure'],
    ]);
  });
});
