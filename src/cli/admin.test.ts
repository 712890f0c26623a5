/**
 * `palisade admin` in-process against a data directory: each command acts as the local operator,
 * so its change lands in the tenant's audit log (who, what, target, result), failures included;
 * `device revoke` revokes a device credential by id or name; `user create|list|disable|totp-enroll|totp-confirm`
 * manage local users (a generated password printed once, or one piped to stdin; TOTP enrolment).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { totpCode } from '../auth/totp.ts';
import { systemCtx } from '../domain/context.ts';
import { REVOKED_CREDENTIAL } from '../domain/device.ts';
import { UserService } from '../services/users.ts';
import { openStateStore } from '../store/state/open.ts';
import { registerAdmin } from './admin.ts';
import { ensureDataDir, stateUrlFor } from './data-dir.ts';

let dir = '';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-admin-'));
  ensureDataDir(dir);
  // the state store as a first start leaves it (migrated, no tenant yet)
  await withState(async () => undefined);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `palisade admin …args --data dir --json` and returns the JSON it printed. */
async function admin(...args: string[]): Promise<unknown> {
  const program = new Command('palisade').exitOverride();
  registerAdmin(program);
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'palisade', 'admin', ...args, '--data', dir, '--json']);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(printed.join(''));
}

async function withState<T>(fn: (s: Awaited<ReturnType<typeof openStateStore>>) => Promise<T>): Promise<T> {
  const s = await openStateStore(stateUrlFor(dir));
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe('palisade admin', () => {
  it('audits tenant, app and device-credential changes as the local operator', async () => {
    const tenant = await admin('tenant', 'create', '--name', 'Audited') as { tenantId: string };
    const app = await admin('app', 'create', '--name', 'reader', '--permissions', 'Machine.Read.All') as { clientId: string };
    const device = await withState(async (s) => {
      const d = { tenantId: tenant.tenantId, id: 'ab'.repeat(20), computerDnsName: 'revoke-me', firstSeen: '2025-01-01T00:00:00.000Z', lastSeen: '2025-01-01T00:00:00.000Z', osPlatform: 'Linux', osVersion: null, version: null, osProcessor: 'x64', osArchitecture: null, osBuild: null, lastIpAddress: null, lastExternalIpAddress: null, agentVersion: null, sensorHealth: 'Active' as const, onboardingStatus: 'Onboarded' as const, rbacGroupId: 0, rbacGroupName: null, riskScore: 'None' as const, exposureLevel: null, deviceValue: 'Normal' as const, aadDeviceId: null, isAadJoined: false, machineTags: [], ipAddresses: [], managedBy: 'Palisade', managedByStatus: 'Success', defenderAvStatus: 'Unknown', credentialHash: 'cd'.repeat(32) };
      await s.devices.insert(d);
      return d;
    });
    expect(await admin('device', 'revoke', 'revoke-me')).toEqual({ revoked: device.id, computerDnsName: 'revoke-me' });
    await expect(admin('device', 'revoke', 'no-such-host')).rejects.toThrow(/was not found/);
    await admin('app', 'delete', app.clientId);

    await withState(async (s) => {
      expect((await s.devices.get(tenant.tenantId, device.id, 'all'))?.credentialHash).toBe(REVOKED_CREDENTIAL);
      const log = (await s.audit.list(tenant.tenantId, 50)).map((r) => ({ actorKind: r.actorKind, actorId: r.actorId, action: r.action, target: r.target, result: r.result }));
      const me = log[0].actorId;
      expect(me).toMatch(/^local:/);
      expect(log.reverse()).toEqual([
        { actorKind: 'operator', actorId: me, action: 'tenant.create', target: tenant.tenantId, result: 'success' },
        { actorKind: 'operator', actorId: me, action: 'app.create', target: app.clientId, result: 'success' },
        { actorKind: 'operator', actorId: me, action: 'device.credential.revoke', target: 'revoke-me', result: 'success' },
        { actorKind: 'operator', actorId: me, action: 'device.credential.revoke', target: 'no-such-host', result: 'failure' },
        { actorKind: 'operator', actorId: me, action: 'app.delete', target: app.clientId, result: 'success' },
      ]);
    });
  });

  it('creates a public client with redirect URIs and no secret, and refuses what a public client cannot have', async () => {
    await admin('tenant', 'create', '--name', 'Public');
    const made = await admin('app', 'create', '--name', 'toolbox', '--public', '--redirect-uri', 'http://127.0.0.1/callback', '--redirect-uri', 'https://tools.contoso.com/auth') as Record<string, unknown>;
    expect(made).toMatchObject({ publicClient: true, redirectUris: ['http://127.0.0.1/callback', 'https://tools.contoso.com/auth'] });
    expect(made).not.toHaveProperty('clientSecret');
    const listed = await admin('app', 'list') as { clientId: string; publicClient: boolean; redirectUris: string[] }[];
    expect(listed).toEqual([expect.objectContaining({ clientId: made.clientId, publicClient: true, redirectUris: ['http://127.0.0.1/callback', 'https://tools.contoso.com/auth'] })]);
    await expect(admin('app', 'create', '--name', 'x', '--public')).rejects.toThrow(/at least one redirect URI/);
    await expect(admin('app', 'create', '--name', 'x', '--public', '--redirect-uri', 'http://tools.contoso.com/auth')).rejects.toThrow(/https, or http on a loopback/);
    await expect(admin('app', 'create', '--name', 'x', '--public', '--redirect-uri', 'http://127.0.0.1/cb', '--permissions', 'Machine.Read.All')).rejects.toThrow(/no application permissions/);
    await expect(admin('app', 'create', '--name', 'x', '--permissions', 'Machine.Read.All', '--redirect-uri', 'http://127.0.0.1/cb')).rejects.toThrow(/for public clients/);
  });

  it('creates, lists and deletes device groups, regrouping the tenant\'s devices each time', async () => {
    const tenant = await admin('tenant', 'create', '--name', 'Grouped') as { tenantId: string };
    const t = tenant.tenantId;
    const ids = { web: '01'.repeat(20), db: '02'.repeat(20), mac: '03'.repeat(20) };
    await withState(async (s) => {
      const base = { tenantId: t, firstSeen: '2025-01-01T00:00:00.000Z', lastSeen: '2025-01-01T00:00:00.000Z', osVersion: null, version: null, osProcessor: 'x64', osArchitecture: null, osBuild: null, lastIpAddress: null, lastExternalIpAddress: null, agentVersion: null, sensorHealth: 'Active' as const, onboardingStatus: 'Onboarded' as const, rbacGroupId: 0, rbacGroupName: null, riskScore: 'None' as const, exposureLevel: null, deviceValue: 'Normal' as const, aadDeviceId: null, isAadJoined: false, ipAddresses: [], managedBy: 'Palisade', managedByStatus: 'Success', defenderAvStatus: 'Unknown', credentialHash: 'cd'.repeat(32) };
      await s.devices.insert({ ...base, id: ids.web, computerDnsName: 'web01.paris.example.com', osPlatform: 'Linux', machineTags: ['prod'] });
      await s.devices.insert({ ...base, id: ids.db, computerDnsName: 'db01.paris.example.com', osPlatform: 'Linux', machineTags: [] });
      await s.devices.insert({ ...base, id: ids.mac, computerDnsName: 'mbp7', osPlatform: 'macOS', machineTags: ['prod'] });
    });
    const groupOf = () => withState(async (s) => Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => {
      const d = await s.devices.get(t, id, 'all');
      return [k, [d?.rbacGroupId, d?.rbacGroupName]];
    }))));

    const paris = await admin('device-group', 'create', '--name', 'Paris Linux', '--domain', 'paris.*', '--os', 'Linux', '--remediation-level', 'No automated response') as { rbacGroupId: number; rank: number; regrouped: number };
    expect(paris).toMatchObject({ rbacGroupId: 1, rank: 1, regrouped: 2 });
    // rank 1 goes before Paris: the tag rule wins for web01, OR over two tags
    const prod = await admin('device-group', 'create', '--name', 'Production', '--tag', 'prod', '--tag', 'production', '--rank', '1') as { rbacGroupId: number; regrouped: number };
    expect(prod).toMatchObject({ rbacGroupId: 2, regrouped: 2 });
    expect(await groupOf()).toEqual({ web: [2, 'Production'], db: [1, 'Paris Linux'], mac: [2, 'Production'] });
    const listed = await admin('device-group', 'list') as { rbacGroupId: number; rank: number; remediationLevel: string; rule: unknown }[];
    expect(listed.map((g) => [g.rank, g.rbacGroupId, g.remediationLevel])).toEqual([[1, 2, 'Full remediation'], [2, 1, 'No automated response']]);
    expect(listed[1].rule).toEqual({ names: [], domains: ['paris.*'], tags: [], osPlatforms: ['Linux'] });

    await expect(admin('device-group', 'create', '--name', 'production', '--os', 'Linux')).rejects.toThrow(/already exists/);
    await expect(admin('device-group', 'create', '--name', 'No rule')).rejects.toThrow(/at least one matching condition/);
    await expect(admin('device-group', 'create', '--name', 'Bad', '--os', 'Linux', '--remediation-level', 'Sometimes')).rejects.toThrow(/remediation level/);

    expect(await admin('device-group', 'update', 'paris linux', '--rank', '1')).toMatchObject({ rbacGroupId: 1, rank: 1, regrouped: 1 });
    expect(await groupOf()).toEqual({ web: [1, 'Paris Linux'], db: [1, 'Paris Linux'], mac: [2, 'Production'] });
    expect(await admin('device-group', 'update', '1', '--rank', '2', '--remediation-level', 'Full remediation')).toMatchObject({ rank: 2, remediationLevel: 'Full remediation', regrouped: 1 });
    expect(await groupOf()).toEqual({ web: [2, 'Production'], db: [1, 'Paris Linux'], mac: [2, 'Production'] });
    await expect(admin('device-group', 'update', '1', '--name', 'PRODUCTION')).rejects.toThrow(/already exists/);
    await expect(admin('device-group', 'update', '1', '--rank', '3')).rejects.toThrow(/rank must be an integer from 1 to 2/);
    expect(await admin('device-group', 'delete', 'PRODUCTION')).toEqual({ deleted: 2, name: 'Production', regrouped: 2 });
    expect(await groupOf()).toEqual({ web: [1, 'Paris Linux'], db: [1, 'Paris Linux'], mac: [0, null] });
    expect((await admin('device-group', 'list') as { rank: number }[]).map((g) => g.rank)).toEqual([1]);
    await withState(async (s) => {
      const actions = (await s.audit.list(t, 50)).map((r) => `${r.action}:${r.result}`).reverse();
      expect(actions.filter((a) => a.startsWith('deviceGroup.'))).toEqual([
        'deviceGroup.create:success', 'deviceGroup.create:success', 'deviceGroup.create:failure', 'deviceGroup.create:failure', 'deviceGroup.create:failure',
        'deviceGroup.update:success', 'deviceGroup.update:success', 'deviceGroup.update:failure', 'deviceGroup.update:failure', 'deviceGroup.delete:success',
      ]);
    });
  });

  it('creates, lists and disables local users; a generated password is printed once and signs in', async () => {
    const tenant = await admin('tenant', 'create', '--name', 'People') as { tenantId: string };
    await admin('device-group', 'create', '--name', 'Paris', '--domain', 'paris.example.com');
    expect(await admin('role', 'create', '--name', 'Tier 1', '--permission', 'viewData.securityOperations', '--device-group', 'paris', '--device-group', '0'))
      .toMatchObject({ name: 'Tier 1', permissions: ['viewData.securityOperations'], deviceGroups: [0, 1], builtIn: false });
    await admin('role', 'create', '--name', 'Tier 2', '--permission', 'viewData.securityOperations', '--permission', 'activeRemediation', '--all-device-groups');
    await expect(admin('role', 'create', '--name', 'tier 2')).rejects.toThrow(/already exists/);
    await expect(admin('role', 'create', '--name', 'Bad', '--permission', 'Machine.Isolate')).rejects.toThrow(/not a role permission option/);
    await expect(admin('role', 'create', '--name', 'Bad', '--device-group', 'Nowhere')).rejects.toThrow(/no device group 'Nowhere'/);
    await expect(admin('role', 'delete', 'Palisade Administrator')).rejects.toThrow(/cannot be deleted/);
    expect((await admin('role', 'list') as { name: string; builtIn: boolean }[]).map((r) => [r.name, r.builtIn]))
      .toEqual([['Palisade Administrator', true], ['Tier 1', false], ['Tier 2', false]]);
    await expect(admin('user', 'create', '--upn', 'x@contoso.com', '--role', 'Tier 9')).rejects.toThrow(/no role named 'Tier 9'/);
    const made = await admin('user', 'create', '--upn', 'alice@contoso.com', '--display-name', 'Alice', '--role', 'tier 1', '--role', 'Tier 2') as { id: string; password: string; roles: string[] };
    expect(made).toMatchObject({ userPrincipalName: 'alice@contoso.com', displayName: 'Alice', roles: ['Tier 1', 'Tier 2'], disabled: false, totpEnabled: false });
    expect(await admin('user', 'set-roles', 'alice@contoso.com', '--role', 'Tier 2', '--role', 'palisade administrator')).toMatchObject({ roles: ['Tier 2', 'Palisade Administrator'] });
    expect(await admin('role', 'delete', 'TIER 2')).toMatchObject({ name: 'Tier 2' });
    expect((await admin('user', 'list') as { roles: string[] }[])[0].roles).toEqual(['Palisade Administrator']);
    expect(made.password.length).toBeGreaterThanOrEqual(12);
    expect(made).not.toHaveProperty('passwordHash');

    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', { value: Readable.from(['piped password 1\n']), configurable: true });
    let piped: unknown;
    try {
      piped = await admin('user', 'create', '--upn', 'bob@contoso.com', '--password-stdin');
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
    }
    expect(piped).not.toHaveProperty('password');
    Object.defineProperty(process, 'stdin', { value: Readable.from(['short\n']), configurable: true });
    try {
      await expect(admin('user', 'create', '--upn', 'carol@contoso.com', '--password-stdin')).rejects.toThrow(/at least 12 characters/);
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
    }

    expect((await admin('user', 'list') as { userPrincipalName: string }[]).map((u) => u.userPrincipalName)).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    const { otpauthUri } = await admin('user', 'totp-enroll', 'alice@contoso.com') as { otpauthUri: string };
    const secret = new URL(otpauthUri).searchParams.get('secret')!;
    expect(await admin('user', 'totp-confirm', 'alice@contoso.com', totpCode(secret, Date.now()))).toMatchObject({ userPrincipalName: 'alice@contoso.com', totpEnabled: true });
    // signing out everywhere revokes the user's sign-in sessions (none yet) and leaves the account as it is
    expect(await admin('user', 'revoke-sign-ins', 'alice@contoso.com')).toEqual({ userId: made.id, revokedSessions: 0 });
    expect(await admin('user', 'disable', 'BOB@contoso.com')).toMatchObject({ userPrincipalName: 'bob@contoso.com', disabled: true });
    await expect(admin('user', 'disable', 'nobody@contoso.com')).rejects.toThrow(/was not found/);

    await withState(async (s) => {
      const users = new UserService(s);
      await expect(users.authenticate(systemCtx(tenant.tenantId), 'alice@contoso.com', made.password)).rejects.toMatchObject({ code: 'Unauthorized' });
      expect((await users.authenticate(systemCtx(tenant.tenantId), 'alice@contoso.com', made.password, totpCode(secret, Date.now()))).id).toBe(made.id);
      await expect(users.authenticate(systemCtx(tenant.tenantId), 'bob@contoso.com', 'piped password 1')).rejects.toMatchObject({ code: 'Unauthorized' });
      const log = (await s.audit.list(tenant.tenantId, 50)).reverse().filter((r) => r.action.startsWith('user.') && r.action !== 'user.signin');
      expect(log.map((r) => [r.actorKind, r.action, r.target, r.result])).toEqual([
        ['operator', 'user.create', 'x@contoso.com', 'failure'],
        ['operator', 'user.create', 'alice@contoso.com', 'success'],
        ['operator', 'user.update', 'alice@contoso.com', 'success'],
        ['operator', 'user.create', 'bob@contoso.com', 'success'],
        ['operator', 'user.create', 'carol@contoso.com', 'failure'],
        ['operator', 'user.totp.enroll', 'alice@contoso.com', 'success'],
        ['operator', 'user.totp.confirm', 'alice@contoso.com', 'success'],
        ['operator', 'user.revokeSignIns', 'alice@contoso.com', 'success'],
        ['operator', 'user.disable', 'BOB@contoso.com', 'success'],
        ['operator', 'user.disable', 'nobody@contoso.com', 'failure'],
      ]);
    });
  });

  it('adds, lists and removes external identity providers; the secret is read from stdin and never printed', async () => {
    await admin('tenant', 'create', '--name', 'Federated');
    for (const name of ['Tier 1', 'Admins']) await admin('role', 'create', '--name', name, '--permission', 'viewData.securityOperations');
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', { value: Readable.from(['provider-secret-1\n']), configurable: true });
    let added: Record<string, unknown>;
    try {
      added = await admin('idp', 'add', '--name', 'Contoso', '--issuer', 'https://login.contoso.example/v2.0', '--client-id', 'palisade-app',
        '--client-secret-stdin', '--roles-claim', 'roles', '--map', 'secops-tier1=Tier 1', '--map', 'secops-admins=Admins,Tier 1', '--jit') as Record<string, unknown>;
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
    }
    expect(added).toMatchObject({ name: 'Contoso', clientId: 'palisade-app', hasClientSecret: true, rolesClaim: 'roles', jitProvisioning: true,
      roleMapping: { 'secops-tier1': ['Tier 1'], 'secops-admins': ['Admins', 'Tier 1'] }, scopes: ['openid', 'profile', 'email'] });
    expect(JSON.stringify(added)).not.toContain('provider-secret-1');
    const listed = await admin('idp', 'list') as unknown[];
    expect(listed).toEqual([added]);
    await expect(admin('idp', 'add', '--name', 'Plain', '--issuer', 'http://idp.example', '--client-id', 'x')).rejects.toThrow(/https/);
    await expect(admin('idp', 'add', '--name', 'Bad', '--issuer', 'https://idp.example', '--client-id', 'x', '--map', 'nothing')).rejects.toThrow(/CLAIM_VALUE=ROLE/);
    const gail = await admin('user', 'create', '--upn', 'gail@contoso.example', '--idp', 'Contoso') as Record<string, unknown>;
    expect(gail).toMatchObject({ userPrincipalName: 'gail@contoso.example', roles: [], external: { issuer: 'https://login.contoso.example/v2.0', subject: null } });
    expect(gail).not.toHaveProperty('password');
    await expect(admin('user', 'create', '--upn', 'hal@contoso.example', '--idp', 'Contoso', '--role', 'Tier 1')).rejects.toThrow(/mapping/);
    expect(await admin('idp', 'remove', 'contoso')).toEqual({ removed: added.id, name: 'Contoso' });
    expect(await admin('idp', 'list')).toEqual([]);
  });

  it('applies an RBAC configuration file, and applying it again changes nothing', async () => {
    await admin('tenant', 'create', '--name', 'Shapes');
    const file = new URL('../../docs/examples/rbac/tiered-soc.json', import.meta.url).pathname;
    type Report = Record<'deviceGroups' | 'roles' | 'users', { name: string; result: string; password?: string }[]>;
    const first = await admin('rbac', 'apply', file) as Report;
    expect(first.deviceGroups.map((g) => [g.name, g.result])).toEqual([['Crown jewels', 'created'], ['Servers', 'created'], ['Workstations', 'created']]);
    expect(first.roles.map((r) => r.result)).toEqual(['created', 'created', 'created', 'created']);
    expect(first.users.every((u) => (u.password?.length ?? 0) >= 12)).toBe(true);
    const again = await admin('rbac', 'apply', file) as Report;
    expect([...again.deviceGroups, ...again.roles, ...again.users].every((x) => x.result === 'unchanged' && !('password' in x))).toBe(true);
    expect((await admin('role', 'list') as { name: string; deviceGroups: unknown }[]).find((r) => r.name === 'Tier 2')?.deviceGroups).toEqual([0, 2, 3]);
    await expect(admin('rbac', 'apply', join(dir, 'missing.json'))).rejects.toThrow(/not readable JSON/);
  });
});
