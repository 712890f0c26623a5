/**
 * Device groups across modules: a device that enrolls through the sensor protocol lands in the group
 * its name, domain, tags and OS match (and in DeviceInfo's MachineGroup); a tag change through the
 * machines API or a heartbeat with a new name or OS moves it; a user-style scope over one group then sees only that group's machines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceGroupService } from '../../src/services/device-groups.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let groups: DeviceGroupService;
let writer: string;
const credentials = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness();
  groups = new DeviceGroupService(h.state);
  writer = await h.token(['Machine.ReadWrite.All', 'AdvancedQuery.Read.All']);
  await groups.create(h.operator(), { name: 'Tier 0', rule: { tags: ['tier0'] } });
  await groups.create(h.operator(), { name: 'Lab Linux', rule: { names: ['lab-*'], osPlatforms: ['Linux'] }, remediationLevel: 'No automated response' });
});
afterAll(async () => h?.close());

async function enroll(name: string, osPlatform: string, machineTags: string[]) {
  const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
  const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: name, osPlatform, machineTags } });
  expect(res.statusCode, res.body).toBe(201);
  const e = res.json() as { deviceId: string; deviceCredential: string };
  credentials.set(e.deviceId, e.deviceCredential);
  return e.deviceId;
}

const machine = async (id: string) => {
  const res = await h.app.inject({ method: 'GET', url: `/api/machines/${id}`, headers: { authorization: `Bearer ${writer}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { rbacGroupId: number; rbacGroupName: string | null };
};

describe('device-group membership', () => {
  it('places an enrolling device by its rules, first group by rank', async () => {
    const lab = await enroll('lab-07.example.com', 'Linux', []);
    const labTier0 = await enroll('lab-08.example.com', 'Linux', ['tier0']);
    const mac = await enroll('lab-09.example.com', 'macOS', []);
    expect(await machine(lab)).toMatchObject({ rbacGroupId: 2, rbacGroupName: 'Lab Linux' });
    expect(await machine(labTier0)).toMatchObject({ rbacGroupId: 1, rbacGroupName: 'Tier 0' });
    expect(await machine(mac)).toMatchObject({ rbacGroupId: 0, rbacGroupName: null });
    const res = await h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${writer}` }, payload: { Query: `DeviceInfo | where DeviceId in ('${labTier0}', '${mac}') | project DeviceId, MachineGroup` } });
    expect(res.statusCode, res.body).toBe(200);
    const rows = (res.json() as { Results: { DeviceId: string; MachineGroup: string }[] }).Results;
    expect(Object.fromEntries(rows.map((r) => [r.DeviceId, r.MachineGroup]))).toEqual({ [labTier0]: 'Tier 0', [mac]: 'UnassignedGroup' });
  });

  it('moves a device when its tags change, and a group scope sees only its devices', async () => {
    const id = await enroll('lab-10', 'Linux', []);
    expect(await machine(id)).toMatchObject({ rbacGroupId: 2 });
    const res = await h.app.inject({ method: 'POST', url: `/api/machines/${id}/tags`, headers: { authorization: `Bearer ${writer}` }, payload: { Value: 'TIER0', Action: 'Add' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rbacGroupId: 1, rbacGroupName: 'Tier 0' });
    const bulk = await h.app.inject({ method: 'POST', url: '/api/machines/AddOrRemoveTagForMultipleMachines', headers: { authorization: `Bearer ${writer}` }, payload: { Value: 'tier0', Action: 'Remove', MachineIds: [id] } });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(await machine(id)).toMatchObject({ rbacGroupId: 2, rbacGroupName: 'Lab Linux' });
    const inLab = await h.state.devices.list(h.tenantId, { top: 100, skip: 0, count: false, orderBy: [] }, [2], new Date());
    expect(inLab.items.length).toBeGreaterThan(0);
    expect(inLab.items.every((d) => d.rbacGroupId === 2)).toBe(true);
  });

  it("moves a device's alerts and machine actions with it: its new group sees them, its old one no longer does", async () => {
    const id = await enroll('lab-12', 'Linux', []);
    const isolate = await h.app.inject({ method: 'POST', url: `/api/machines/${id}/isolate`, headers: { authorization: `Bearer ${await h.token(['Machine.Isolate'])}` }, payload: { Comment: 'contain', IsolationType: 'Full' } });
    expect(isolate.statusCode, isolate.body).toBe(201);
    const actionId = (isolate.json() as { id: string }).id;
    await h.state.alerts.insert({
      tenantId: h.tenantId, id: 'da-move-1', incidentId: null, investigationId: null, investigationState: 'UnsupportedAlertType', assignedTo: null, severity: 'High', status: 'New',
      classification: null, determination: null, detectionSource: 'CustomDetection', detectorId: null, category: 'Execution', threatFamilyName: null, threatName: null,
      title: 'moved with its device', description: 'd', recommendedAction: null, alertCreationTime: new Date().toISOString(), firstEventTime: null, lastEventTime: null,
      lastUpdateTime: new Date().toISOString(), resolvedTime: null, machineId: id, computerDnsName: 'lab-12', rbacGroupId: 2, rbacGroupName: 'Lab Linux',
      mitreTechniques: [], relatedUser: null, loggedOnUsers: [], comments: [], evidence: [], dedupeKey: null, indicatorId: null,
    });
    const seen = async (scope: number[]) => ({
      alert: (await h.state.alerts.get(h.tenantId, 'da-move-1', scope))?.rbacGroupName ?? null,
      action: (await h.state.actions.get(h.tenantId, actionId, scope))?.rbacGroupId ?? null,
    });
    expect(await seen([2])).toEqual({ alert: 'Lab Linux', action: 2 });
    const res = await h.app.inject({ method: 'POST', url: `/api/machines/${id}/tags`, headers: { authorization: `Bearer ${writer}` }, payload: { Value: 'tier0', Action: 'Add' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await seen([1])).toEqual({ alert: 'Tier 0', action: 1 });
    expect(await seen([2])).toEqual({ alert: null, action: null });
  });

  it('moves a device whose heartbeat reports a new name or OS, and leaves it when nothing changed', async () => {
    const id = await enroll('ws-11', 'macOS', []);
    const beat = async (payload: Record<string, unknown>) => {
      const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: `Device ${id}:${credentials.get(id)}` }, payload });
      expect(res.statusCode, res.body).toBe(200);
    };
    await beat({ computerDnsName: 'ws-11', osPlatform: 'macOS' });
    expect(await machine(id)).toMatchObject({ rbacGroupId: 0 });
    await beat({ computerDnsName: 'LAB-11', osPlatform: 'macOS' });
    expect(await machine(id)).toMatchObject({ computerDnsName: 'lab-11', rbacGroupId: 0 });
    await beat({ osPlatform: 'Linux' });
    expect(await machine(id)).toMatchObject({ osPlatform: 'Linux', rbacGroupId: 2, rbacGroupName: 'Lab Linux' });
    const bad = await h.app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', headers: { authorization: `Device ${id}:${credentials.get(id)}` }, payload: { computerDnsName: 'no spaces!' } });
    expect(bad.statusCode).toBe(400);
  });

  it('regroups every device when a group is deleted', async () => {
    const { regrouped } = await groups.delete(h.operator(), 'Tier 0');
    expect(regrouped).toBeGreaterThan(0);
    const all = await h.state.devices.list(h.tenantId, { top: 1000, skip: 0, count: false, orderBy: [] }, 'all', new Date());
    expect(all.items.filter((d) => d.rbacGroupName === 'Tier 0')).toEqual([]);
    expect((await groups.list(h.operator())).map((g) => [g.name, g.rank])).toEqual([['Lab Linux', 1]]);
  });
});
