/**
 * The three team shapes of docs/examples/rbac/ (globally distributed, tiered SOC, segregated
 * divisions with a central SOC), each applied to a server with devices and alerts as
 * `palisade admin rbac apply` applies it (twice: the second time changes nothing), then each user of
 * the shape signs a token and the test checks what the user sees (machines, alerts, hunting rows)
 * and may do (isolate, PATCH an alert, the settings API).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/domain/context.ts';
import { parseRbacConfig } from '../../src/domain/rbac-config.ts';
import { RbacConfigService } from '../../src/services/rbac-config.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { tokenFor } from '../support/user-tokens.ts';

/** What one user of a shape must see and may do: device names seen; per device, what isolate and PATCH alert answer. */
interface UserExpectation {
  sees: string[];
  isolate: Record<string, number>;
  patchAlert: Record<string, number>;
  settings: number;
}

/** A device of the shape: its computerDnsName, OS and tags. */
type DeviceSpec = [name: string, os: string, tags: string[]];

const SHAPES: { file: string; devices: DeviceSpec[]; users: Record<string, UserExpectation> }[] = [
  {
    file: 'global.json',
    devices: [['nyc-1.amer.contoso.com', 'Windows11', []], ['par-1.emea.contoso.com', 'Windows11', []], ['tok-1.apac.contoso.com', 'Linux', []]],
    users: {
      'ana@contoso.com': { sees: ['nyc-1.amer.contoso.com'], isolate: { 'nyc-1.amer.contoso.com': 201, 'par-1.emea.contoso.com': 404 }, patchAlert: { 'nyc-1.amer.contoso.com': 200, 'tok-1.apac.contoso.com': 404 }, settings: 403 },
      'erik@contoso.com': { sees: ['par-1.emea.contoso.com'], isolate: { 'par-1.emea.contoso.com': 201, 'tok-1.apac.contoso.com': 404 }, patchAlert: { 'par-1.emea.contoso.com': 200 }, settings: 403 },
      'aiko@contoso.com': { sees: ['tok-1.apac.contoso.com'], isolate: { 'tok-1.apac.contoso.com': 201 }, patchAlert: { 'nyc-1.amer.contoso.com': 404 }, settings: 403 },
      'gus@contoso.com': { sees: ['nyc-1.amer.contoso.com', 'par-1.emea.contoso.com', 'tok-1.apac.contoso.com'], isolate: { 'nyc-1.amer.contoso.com': 403 }, patchAlert: { 'par-1.emea.contoso.com': 403 }, settings: 403 },
      'sam@contoso.com': { sees: ['nyc-1.amer.contoso.com', 'par-1.emea.contoso.com', 'tok-1.apac.contoso.com'], isolate: { 'tok-1.apac.contoso.com': 403 }, patchAlert: { 'nyc-1.amer.contoso.com': 403 }, settings: 200 },
    },
  },
  {
    file: 'tiered-soc.json',
    devices: [['dc-1.corp.contoso.com', 'WindowsServer2022', ['crown-jewel']], ['web-1.corp.contoso.com', 'Linux', []], ['lap-1.corp.contoso.com', 'Windows11', []], ['printer-1.corp.contoso.com', 'Unknown', []]],
    users: {
      'tara.t1@contoso.com': { sees: ['dc-1.corp.contoso.com', 'lap-1.corp.contoso.com', 'printer-1.corp.contoso.com', 'web-1.corp.contoso.com'], isolate: { 'lap-1.corp.contoso.com': 403 }, patchAlert: { 'lap-1.corp.contoso.com': 403 }, settings: 403 },
      'tom.t2@contoso.com': { sees: ['lap-1.corp.contoso.com', 'printer-1.corp.contoso.com', 'web-1.corp.contoso.com'], isolate: { 'lap-1.corp.contoso.com': 201, 'printer-1.corp.contoso.com': 201, 'dc-1.corp.contoso.com': 404 }, patchAlert: { 'web-1.corp.contoso.com': 200, 'dc-1.corp.contoso.com': 404 }, settings: 403 },
      'tess.t3@contoso.com': { sees: ['dc-1.corp.contoso.com', 'lap-1.corp.contoso.com', 'printer-1.corp.contoso.com', 'web-1.corp.contoso.com'], isolate: { 'dc-1.corp.contoso.com': 201, 'web-1.corp.contoso.com': 201 }, patchAlert: { 'dc-1.corp.contoso.com': 200 }, settings: 403 },
      'max.manager@contoso.com': { sees: ['dc-1.corp.contoso.com', 'lap-1.corp.contoso.com', 'printer-1.corp.contoso.com', 'web-1.corp.contoso.com'], isolate: { 'web-1.corp.contoso.com': 403 }, patchAlert: { 'web-1.corp.contoso.com': 403 }, settings: 200 },
    },
  },
  {
    file: 'segregated-divisions.json',
    devices: [['pos-1.retail.contoso.com', 'Windows11', []], ['atm-1.bank.contoso.com', 'Windows10', []], ['lab-1.research.contoso.com', 'Linux', []], ['kiosk-1.contoso.com', 'Windows11', []]],
    users: {
      'rita@retail.contoso.com': { sees: ['pos-1.retail.contoso.com'], isolate: { 'pos-1.retail.contoso.com': 201, 'atm-1.bank.contoso.com': 404, 'kiosk-1.contoso.com': 404 }, patchAlert: { 'pos-1.retail.contoso.com': 200, 'lab-1.research.contoso.com': 404 }, settings: 403 },
      'ben@bank.contoso.com': { sees: ['atm-1.bank.contoso.com'], isolate: { 'atm-1.bank.contoso.com': 201, 'pos-1.retail.contoso.com': 404 }, patchAlert: { 'atm-1.bank.contoso.com': 200 }, settings: 403 },
      'rosa@research.contoso.com': { sees: ['lab-1.research.contoso.com'], isolate: { 'lab-1.research.contoso.com': 201 }, patchAlert: { 'atm-1.bank.contoso.com': 404 }, settings: 403 },
      'carl@contoso.com': { sees: ['atm-1.bank.contoso.com', 'kiosk-1.contoso.com', 'lab-1.research.contoso.com', 'pos-1.retail.contoso.com'], isolate: { 'kiosk-1.contoso.com': 201, 'atm-1.bank.contoso.com': 201 }, patchAlert: { 'lab-1.research.contoso.com': 200 }, settings: 403 },
      'ada@contoso.com': { sees: ['atm-1.bank.contoso.com', 'kiosk-1.contoso.com', 'lab-1.research.contoso.com', 'pos-1.retail.contoso.com'], isolate: { 'pos-1.retail.contoso.com': 403 }, patchAlert: { 'pos-1.retail.contoso.com': 403 }, settings: 200 },
    },
  },
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(SHAPES)('the $file team shape', ({ file, devices, users }) => {
  it('applies idempotently; each user sees and may do what the shape says', async () => {
    h = await startHarness();
    const harness = h;
    const ids: Record<string, string> = {};
    const alerts: Record<string, string> = {};
    const stamp = new Date(Date.now() - 60_000).toISOString();
    for (const [name, os, tags] of devices) ids[name] = (await harness.addDevice({ computerDnsName: name, osPlatform: os, machineTags: tags })).id;

    const config = parseRbacConfig(JSON.parse(readFileSync(new URL(`../../docs/examples/rbac/${file}`, import.meta.url), 'utf8')));
    const rbac = new RbacConfigService(harness.palisade.settings);
    const first = await rbac.apply(harness.operator(), config);
    expect(first.deviceGroups.map((x) => x.result)).toEqual(config.deviceGroups.map(() => 'created'));
    expect(first.users.every((u) => u.result === 'created' && (u.password?.length ?? 0) >= 12)).toBe(true);
    const again = await rbac.apply(harness.operator(), config);
    expect([...again.deviceGroups, ...again.roles, ...again.users].map((x) => x.result)).toEqual([...again.deviceGroups, ...again.roles, ...again.users].map(() => 'unchanged'));
    expect(again.users.some((u) => 'password' in u)).toBe(false);

    // alerts and hunting rows of each device, in the group it now has
    for (const [name] of devices) {
      const d = (await harness.state.devices.get(harness.tenantId, ids[name], 'all'))!;
      alerts[name] = (await harness.palisade.alerts.raise(systemCtx(harness.tenantId), {
        dedupeKey: `shape-${name}`, title: `Alert on ${name}`, description: 'x', severity: 'High', category: 'Malware', detectionSource: 'CustomerTI', machineId: d.id,
      })).alert.id;
      const body = Buffer.from(JSON.stringify({ table: 'DeviceEvents', row: { Timestamp: stamp, ActionType: 'shape-event' } }) + '\n');
      await harness.events.ingest({ tenantId: harness.tenantId, deviceId: d.id, deviceName: name, rbacGroupId: d.rbacGroupId, batchId: `shape-${name}`, body, gzip: false });
    }

    const asUser = async (upn: string, method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
      harness.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(Object.keys(users).sort()).toEqual(config.users.map((u) => u.userPrincipalName).sort());
    for (const [upn, e] of Object.entries(users)) {
      const user = await harness.palisade.settings.users.get(harness.operator(), upn);
      const token = await tokenFor(harness.state, user);
      const machines = await asUser(upn, 'GET', '/api/machines', token);
      expect(machines.statusCode, `${upn} ${machines.body}`).toBe(200);
      expect((machines.json().value as { computerDnsName: string }[]).map((m) => m.computerDnsName).sort(), upn).toEqual(e.sees);
      const seenAlerts = (await asUser(upn, 'GET', '/api/alerts', token)).json().value as { computerDnsName: string }[];
      expect(seenAlerts.map((a) => a.computerDnsName).sort(), upn).toEqual(e.sees);
      const hunt = await asUser(upn, 'POST', '/api/advancedqueries/run', token, { Query: 'DeviceEvents | where ActionType == "shape-event" | project DeviceName | order by DeviceName asc' });
      expect((hunt.json().Results as { DeviceName: string }[]).map((r) => r.DeviceName), upn).toEqual(e.sees);
      for (const [name, status] of Object.entries(e.isolate)) {
        const res = await asUser(upn, 'POST', `/api/machines/${ids[name]}/isolate`, token, { Comment: `${upn} isolates`, IsolationType: 'Selective' });
        expect(res.statusCode, `${upn} isolate ${name}: ${res.body}`).toBe(status);
        // the next user of the shape may isolate the same device
        if (status === 201) expect((await asUser(upn, 'POST', `/api/machineactions/${res.json().id}/cancel`, token, { Comment: 'undo' })).statusCode).toBe(200);
      }
      for (const [name, status] of Object.entries(e.patchAlert)) {
        const res = await asUser(upn, 'PATCH', `/api/alerts/${alerts[name]}`, token, { status: 'InProgress', assignedTo: upn });
        expect(res.statusCode, `${upn} PATCH alert of ${name}: ${res.body}`).toBe(status);
      }
      expect((await asUser(upn, 'GET', '/api/settings/roles', token)).statusCode, `${upn} settings`).toBe(e.settings);
    }
  }, 120_000);
});

describe('rbac apply', () => {
  it('refuses a file naming groups or roles nowhere declared, before changing anything', async () => {
    h = await startHarness();
    const rbac = new RbacConfigService(h.palisade.settings);
    const bad = parseRbacConfig({ deviceGroups: [{ name: 'A', rule: { tags: ['a'] } }], roles: [{ name: 'R', permissions: ['viewData.securityOperations'], deviceGroups: ['B'] }], users: [] });
    await expect(rbac.apply(h.operator(), bad)).rejects.toMatchObject({ code: 'InvalidRequestBody', message: expect.stringMatching(/device group 'B'/) });
    const badUser = parseRbacConfig({ users: [{ userPrincipalName: 'x@contoso.com', roles: ['Nope'] }] });
    await expect(rbac.apply(h.operator(), badUser)).rejects.toMatchObject({ code: 'InvalidRequestBody', message: expect.stringMatching(/role 'Nope'/) });
    expect(await h.palisade.settings.deviceGroups.list(h.operator())).toEqual([]);
    expect(() => parseRbacConfig({ roles: [{ name: 'R' }, { name: 'r' }] })).toThrow(/declared twice/);
    expect(() => parseRbacConfig({ deviceGroups: [{ name: 'A' }] })).toThrow(/needs a name and a rule/);
  });
});
