/**
 * `palisade admin` in-process against a data directory: each command acts as the local operator,
 * so its change lands in the tenant's audit log (who, what, target, result), failures included;
 * `device revoke` revokes a device credential by id or name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REVOKED_CREDENTIAL } from '../domain/device.ts';
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
});
