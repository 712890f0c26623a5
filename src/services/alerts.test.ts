import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertDraft } from '../domain/alert.ts';
import { systemCtx, type Ctx } from '../domain/context.ts';
import type { Device } from '../domain/device.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { EventWrite, EventWriter, StateStore } from '../domain/ports.ts';
import { openStateStore } from '../store/state/open.ts';
import { AlertService, checkAlertUpdate, correlationKeys } from './alerts.ts';

const T = '11111111-1111-1111-1111-111111111111';
const M1 = 'a'.repeat(40);
const M2 = 'b'.repeat(40);

function device(id: string, name: string, rbacGroupId = 0): Device {
  return {
    tenantId: T, id, computerDnsName: name, firstSeen: '2026-12-01T00:00:00.000Z', lastSeen: '2026-12-04T00:00:00.000Z', osPlatform: 'Linux',
    osVersion: null, version: null, osProcessor: 'x64', osArchitecture: '64-bit', osBuild: null, lastIpAddress: '10.0.0.1', lastExternalIpAddress: null,
    agentVersion: '1.0', sensorHealth: 'Active', onboardingStatus: 'Onboarded', rbacGroupId, rbacGroupName: rbacGroupId ? `group ${rbacGroupId}` : null,
    riskScore: 'None', exposureLevel: null, deviceValue: 'Normal', aadDeviceId: null, isAadJoined: false, machineTags: [], ipAddresses: [],
    managedBy: 'Palisade', managedByStatus: 'Success', defenderAvStatus: 'Updated', credentialHash: 'x',
  };
}

const draft = (over: Partial<AlertDraft> = {}): AlertDraft => ({
  dedupeKey: 'ioc:1:evt-1', title: 'Known bad file executed', description: 'A file matching indicator 1 ran', severity: 'High',
  category: 'Malware', detectionSource: 'CustomerTI', machineId: M1, indicatorId: '1',
  evidence: [{ entityType: 'File', sha1: 'c'.repeat(40), fileName: 'evil.exe', filePath: '/tmp' }],
  ...over,
});

const app = (perms: string[], deviceGroups: 'all' | number[] = 'all'): Ctx => ({
  tenantId: T, principal: { kind: 'app', id: 'client-1', name: 'SOC app', permissions: new Set(perms) as Ctx['principal']['permissions'], deviceGroups }, authz: { checked: false },
});

describe('AlertService', () => {
  let store: StateStore;
  let writes: EventWrite[];
  let now: Date;
  let alerts: AlertService;

  beforeEach(async () => {
    store = await openStateStore(':memory:');
    await store.tenants.create({ id: T, name: 'Contoso', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.devices.insert(device(M1, 'host-1'));
    await store.devices.insert(device(M2, 'host-2', 7));
    writes = [];
    const events: EventWriter = { write: async (w) => { writes.push(w); return { accepted: w.rows.length, rejected: [] }; } };
    now = new Date('2026-12-04T12:00:00.1234567Z');
    alerts = new AlertService({ store, events, clock: () => now });
  });
  afterEach(() => store.close());

  it('raises an alert with MDE ids, the machine copied, evidence filled out, once per dedupe key', async () => {
    const first = await alerts.raise(systemCtx(T), draft());
    expect(first.created).toBe(true);
    const a = first.alert;
    expect(a.id).toMatch(/^da\d{18}_\d+$/);
    expect(a.id.slice(2, 20)).toBe('639319824001230000');
    expect(a).toMatchObject({ status: 'New', severity: 'High', machineId: M1, computerDnsName: 'host-1', rbacGroupId: 0, incidentId: 1, detectionSource: 'CustomerTI' });
    expect(a.evidence[0]).toMatchObject({ entityType: 'File', sha1: 'c'.repeat(40), sha256: null, processId: null, evidenceCreationTime: a.alertCreationTime });
    const again = await alerts.raise(systemCtx(T), draft({ title: 'other' }));
    expect(again).toEqual({ alert: a, created: false });
    expect(writes).toHaveLength(1);
    expect(writes[0].rows.map((r) => r.table)).toEqual(['AlertInfo', 'AlertEvidence', 'AlertEvidence']);
    expect(writes[0].rows[0].row).toMatchObject({ AlertId: a.id, Title: a.title, Severity: 'High', DetectionSource: 'CustomerTI', Category: 'Malware' });
    expect(writes[0].rows[2].row).toMatchObject({ AlertId: a.id, EntityType: 'File', SHA1: 'c'.repeat(40), FileName: 'evil.exe' });
    expect((await store.audit.list(T, 10)).map((r) => r.action)).toEqual(['alert.raise']);
  });

  it('groups alerts sharing a machine or file within the window into one incident, and opens a new one after it', async () => {
    const a = (await alerts.raise(systemCtx(T), draft())).alert;
    now = new Date(now.getTime() + 3600_000);
    const b = (await alerts.raise(systemCtx(T), draft({ dedupeKey: 'k2', machineId: M2, indicatorId: null }))).alert;
    expect(b.incidentId).toBe(a.incidentId);
    now = new Date(now.getTime() + 60_000);
    const c = (await alerts.raise(systemCtx(T), draft({ dedupeKey: 'k3', machineId: M2, evidence: [], indicatorId: null }))).alert;
    expect(c.incidentId).toBe(a.incidentId);
    now = new Date(now.getTime() + 25 * 3600_000);
    const d = (await alerts.raise(systemCtx(T), draft({ dedupeKey: 'k4' }))).alert;
    expect(d.incidentId).toBe(2);
    const inc = await store.incidents.get(T, 1, 'all');
    expect(inc?.alerts.map((x) => x.alertId)).toEqual([a.id, b.id, c.id]);
  });

  it('raises many drafts in one call: one incident per shared machine, one alert per key, refused drafts skipped, rows written again for known ones', async () => {
    const known = (await alerts.raise(systemCtx(T), draft({ dedupeKey: 'm0' }))).alert;
    writes = [];
    const out = await alerts.raiseMany(systemCtx(T), [
      draft({ dedupeKey: 'm0' }),
      draft({ dedupeKey: 'm1', indicatorId: null, evidence: [] }),
      draft({ dedupeKey: 'm1', title: 'same key again' }),
      draft({ dedupeKey: 'm2', indicatorId: null, evidence: [] }),
      draft({ dedupeKey: 'm3', machineId: 'f'.repeat(40) }),
      draft({ dedupeKey: '' }),
    ]);
    expect(out.alerts.map((a) => [a.alert.dedupeKey, a.created])).toEqual([['m0', false], ['m1', true], ['m2', true]]);
    expect(out.alerts[0].alert).toEqual(known);
    expect(out.alerts.map((a) => a.alert.incidentId)).toEqual([known.incidentId, known.incidentId, known.incidentId]);
    expect(out.rejected.map((r) => [r.draft.dedupeKey, r.reason])).toEqual([['', "'dedupeKey' must not be empty"], ['m3', `Machine ${'f'.repeat(40)} was not found`]]);
    // the known alert's rows go again (the event store keeps one copy per alert), and each new alert's once
    expect(writes.map((w) => w.batchId).sort()).toEqual(out.alerts.map((a) => `alert-${a.alert.id}`).sort());
    expect((await store.audit.list(T, 10)).filter((r) => r.action === 'alert.raise').map((r) => r.target).sort()).toEqual(['m0', 'm1', 'm2']);
    const again = await alerts.raiseMany(systemCtx(T), [draft({ dedupeKey: 'm1' }), draft({ dedupeKey: 'm2' })]);
    expect(again.alerts.every((a) => !a.created)).toBe(true);
  });

  it('refuses a draft for an unknown machine and a bad severity, storing nothing', async () => {
    await expect(alerts.raise(systemCtx(T), draft({ machineId: 'f'.repeat(40) }))).rejects.toMatchObject({ code: 'ResourceNotFound' });
    await expect(alerts.raise(systemCtx(T), draft({ severity: 'Severe' as 'High' }))).rejects.toMatchObject({ code: 'InvalidRequestBody' });
    expect((await store.alerts.list(T, { top: 10, skip: 0, count: true, orderBy: [] }, 'all')).total).toBe(0);
  });

  it('needs Alert.ReadWrite for callers other than the system', async () => {
    await expect(alerts.raise(app(['Alert.Read.All']), draft())).rejects.toMatchObject({ code: 'Forbidden' });
    expect((await alerts.raise(app(['Alert.ReadWrite.All']), draft())).created).toBe(true);
  });

  it('updates: both capitalisations, comment appended, resolvedTime on Resolved, lastUpdateTime on every change', async () => {
    const { alert } = await alerts.raise(systemCtx(T), draft());
    now = new Date('2026-12-04T13:00:00.000Z');
    const u = await alerts.update(app(['Alert.ReadWrite.All']), alert.id, { Status: 'Resolved', classification: 'TruePositive', Determination: 'Malware', comment: 'done' });
    expect(u).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', resolvedTime: '2026-12-04T13:00:00.000Z', lastUpdateTime: '2026-12-04T13:00:00.000Z' });
    expect(u.comments).toEqual([{ comment: 'done', createdBy: 'SOC app', createdTime: '2026-12-04T13:00:00.000Z' }]);
    now = new Date('2026-12-04T14:00:00.000Z');
    const v = await alerts.update(app(['Alert.ReadWrite.All']), alert.id, { Comment: 'again' });
    expect(v.comments.map((c) => c.comment)).toEqual(['done', 'again']);
    expect(v.resolvedTime).toBe('2026-12-04T13:00:00.000Z');
    expect(v.lastUpdateTime).toBe('2026-12-04T14:00:00.000Z');
  });

  it('refuses invalid enums with InvalidRequestBody and changes nothing', async () => {
    const { alert } = await alerts.raise(systemCtx(T), draft());
    for (const body of [{ status: 'Closed' }, { classification: 'Benign' }, { determination: 'Apt' }, {}, { status: 'Resolved', determination: 'SecurityPersonnel' }]) {
      const err = await alerts.update(app(['Alert.ReadWrite.All']), alert.id, body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PalisadeError);
      expect((err as PalisadeError).code).toBe('InvalidRequestBody');
    }
    expect((await alerts.get(app(['Alert.Read.All']), alert.id)).status).toBe('New');
  });

  it('accepts both determination spellings', () => {
    for (const d of ['ConfirmedActivity', 'ConfirmedUserActivity', 'NotMalicious', 'Clean']) expect(checkAlertUpdate({ determination: d }).determination).toBe(d);
  });

  it('batch-updates all listed alerts or none', async () => {
    const a = (await alerts.raise(systemCtx(T), draft())).alert;
    const b = (await alerts.raise(systemCtx(T), draft({ dedupeKey: 'k2' }))).alert;
    const w = app(['Alert.ReadWrite.All']);
    await expect(alerts.batchUpdate(w, { alertIds: [a.id, 'da1_1'], status: 'Resolved' })).rejects.toMatchObject({ code: 'ResourceNotFound' });
    expect((await alerts.get(w, a.id)).status).toBe('New');
    await alerts.batchUpdate(w, { alertIds: [a.id, b.id], status: 'InProgress', assignedTo: 'soc@contoso.com' });
    expect((await alerts.get(w, b.id))).toMatchObject({ status: 'InProgress', assignedTo: 'soc@contoso.com' });
  });

  it('hides alerts of machines outside the caller\'s device groups', async () => {
    const a = (await alerts.raise(systemCtx(T), draft({ machineId: M2 }))).alert;
    await expect(alerts.get(app(['Alert.Read'], [1]), a.id)).rejects.toMatchObject({ code: 'ResourceNotFound' });
    expect((await alerts.get(app(['Alert.Read'], [7]), a.id)).id).toBe(a.id);
  });

  it('derives grouping keys from machine, user, files and indicator', () => {
    expect(correlationKeys({ machineId: M1.toUpperCase(), relatedUser: { userName: 'Bob', domainName: 'CORP' }, indicatorId: '5', evidence: [{ entityType: 'File', sha1: 'AB', sha256: null } as never] }))
      .toEqual([`machine:${M1}`, 'user:corp\\bob', 'sha1:ab', 'indicator:5']);
  });
});
