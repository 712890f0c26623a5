/**
 * Custom detection rules end to end in the composed program (every role, files on disk): the
 * simulator's encoded-PowerShell events go through the ingest pipeline; a scheduled rule over them
 * raises one alert per event (detectionSource CustomDetection), grouped into one incident per
 * device; further runs, a restart of the whole program on the same data directory, and a
 * near-real-time rule over the same events raise none twice. Two programs sharing the state store
 * never run one rule at once. A failing query leaves the rule enabled with its error on it. The
 * rule's automatic action (isolate) becomes one machine action per device.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Palisade } from '../../src/compose.ts';
import { operatorCtx } from '../../src/domain/context.ts';
import type { DetectionRule } from '../../src/domain/detection-rule.ts';
import { makeFleet, type SimDevice } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator, type SimEvent } from '../../src/sensor/simulator/telemetry.ts';
import { deviceRecord } from '../support/harness.ts';

let dir: string;
let p: Palisade;
let tenantId: string;
const ENCODED = /\s-(enc|encodedcommand)\s/i;
/** Encoded-PowerShell events sent, by device id. */
const expected = new Map<string, number>();
const devices: SimDevice[] = [];

const RULE_QUERY = `DeviceProcessEvents
| where ProcessCommandLine matches regex @"(?i)\\s-(enc|encodedcommand)\\s"
| project Timestamp, DeviceId, DeviceName, ReportId, FileName, FolderPath, ProcessId, ProcessCommandLine, AccountName`;

function ruleBody(name: string, period: string) {
  return {
    displayName: name,
    queryCondition: { queryText: RULE_QUERY },
    schedule: { period },
    detectionAction: {
      alertTemplate: {
        title: 'Encoded PowerShell', description: 'PowerShell ran an encoded command', severity: 'high', category: 'Execution',
        mitreTechniques: ['T1059.001', 'T1027'],
        impactedAssets: [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }],
      },
      responseActions: [{ '@odata.type': '#microsoft.graph.security.isolateDeviceResponseAction', identifier: 'deviceId', isolationType: 'full' }],
    },
  };
}

async function open(): Promise<Palisade> {
  return compose({
    state: join(dir, 'state.db'),
    events: { path: join(dir, 'events.duckdb'), retentionDays: 30, feedDir: join(dir, 'feed') },
    http: { throttle: false },
    // the test drives the scheduler (runDue) itself
    detection: { tickMs: 3_600_000 },
  });
}

/** Sends a device's events as one batch through the ingest pipeline. */
async function send(prog: Palisade, d: SimDevice, batchId: string, events: SimEvent[]): Promise<void> {
  const body = Buffer.from(events.map((e) => JSON.stringify(e)).join('\n'));
  const r = await prog.events.ingest!({ tenantId, deviceId: d.deviceId!, deviceName: d.computerDnsName, rbacGroupId: 0, batchId, body, gzip: false });
  expect(r.rejected).toEqual([]);
}

async function customAlerts(prog: Palisade) {
  const page = await prog.state.alerts.list(tenantId, { top: 10_000, skip: 0, count: false, orderBy: [], filter: { kind: 'cmp', op: 'eq', field: 'detectionSource', value: 'CustomDetection' } }, 'all');
  return page.items;
}

const countOf = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-rules-'));
  p = await open();
  tenantId = (await p.tenants.createTenant(operatorCtx('00000000-0000-4000-8000-000000000001', 'test'), 'Rules')).id;
  const windows = makeFleet(12, 2024).filter((d) => d.osFamily === 'Windows').slice(0, 3);
  expect(windows.length).toBe(3);
  const start = Date.now() - 4 * 60_000;
  for (const [i, d] of windows.entries()) {
    d.deviceId = `${(i + 1).toString(16).padStart(2, '0')}${'c'.repeat(38)}`;
    await p.state.devices.insert(deviceRecord(tenantId, { id: d.deviceId, computerDnsName: d.computerDnsName }));
    const gen = makeEventGenerator(d, 7 + i, { suspiciousRate: 40 });
    const events = gen.next(new Date(start), 400);
    const hits = events.filter((e) => e.table === 'DeviceProcessEvents' && ENCODED.test(` ${String(e.row.ProcessCommandLine)} `)).length;
    expect(hits, `device ${i} emits encoded PowerShell`).toBeGreaterThan(0);
    expected.set(d.deviceId, hits);
    await send(p, d, `rules-${i}-a`, events);
    devices.push(d);
  }
}, 120_000);

afterAll(async () => {
  await p?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a custom detection rule over encoded PowerShell', () => {
  let rule: DetectionRule;

  it('raises one alert per event, one incident per device, detectionSource CustomDetection', async () => {
    rule = await p.app.services.detectionRules.create(operatorCtx(tenantId, 'test'), ruleBody('Encoded PowerShell', '5M'));
    expect(await p.detection!.runDue()).toBe(1);
    const alerts = await customAlerts(p);
    expect(countOf(expected)).toBeGreaterThanOrEqual(6);
    expect(alerts).toHaveLength(countOf(expected));
    for (const [deviceId, n] of expected) {
      const mine = alerts.filter((a) => a.machineId === deviceId);
      expect(mine, deviceId).toHaveLength(n);
      expect(new Set(mine.map((a) => a.incidentId)).size, `one incident for ${deviceId}`).toBe(1);
    }
    expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(expected.size);
    const a = alerts[0];
    expect(a).toMatchObject({ title: 'Encoded PowerShell', severity: 'High', category: 'Execution', detectorId: rule.id, mitreTechniques: ['T1059.001', 'T1027'] });
    expect(a.description).toMatch(/isolateDevice \(deviceId\)/);
    // the rule's automatic action ran: one Full isolation per device, requested by the rule
    const actions = (await p.state.actions.list(tenantId, { top: 100, skip: 0, count: false, orderBy: [] }, 'all')).items;
    expect(actions.map((x) => x.machineId).sort()).toEqual([...expected.keys()].sort());
    for (const x of actions) expect(x).toMatchObject({ type: 'Isolate', scope: 'Full', status: 'Pending', requestor: rule.id, requestSource: 'CustomDetection' });
    expect(a.evidence.find((e) => e.entityType === 'Process')?.processCommandLine).toMatch(ENCODED);
    const after = await p.state.detectionRules.get(tenantId, rule.id);
    expect(after).toMatchObject({ isEnabled: true, lastRunStatus: 'completed', lastRunErrorCode: null, leaseOwner: null });
    expect(Date.parse(after!.nextRunDateTime!)).toBeGreaterThan(Date.now() + 4 * 60_000);
  }, 120_000);

  it('raises none twice on later runs, new events alone raising new alerts', async () => {
    // due again at once, over a window that still holds every event
    await p.state.detectionRules.update(tenantId, rule.id, { nextRunDateTime: new Date(Date.now() - 1000).toISOString() });
    expect(await p.detection!.runDue()).toBe(1);
    expect(await customAlerts(p)).toHaveLength(countOf(expected));
    const d = devices[0];
    const more = makeEventGenerator(d, 99, { suspiciousRate: 40 }).next(new Date(Date.now() - 30_000), 300)
      .map((e): SimEvent => ({ ...e, row: { ...e.row, ReportId: Number(e.row.ReportId) + 1_000_000 } }));
    const extra = more.filter((e) => e.table === 'DeviceProcessEvents' && ENCODED.test(` ${String(e.row.ProcessCommandLine)} `)).length;
    await send(p, d, 'rules-0-b', more);
    expected.set(d.deviceId!, expected.get(d.deviceId!)! + extra);
    await p.state.detectionRules.update(tenantId, rule.id, { nextRunDateTime: new Date(Date.now() - 1000).toISOString() });
    await p.detection!.runDue();
    const alerts = await customAlerts(p);
    expect(alerts).toHaveLength(countOf(expected));
    expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(expected.size);
  }, 120_000);

  it('raises none twice after a restart of the program on the same data directory', async () => {
    await p.close();
    p = await open();
    await p.state.detectionRules.update(tenantId, rule.id, { nextRunDateTime: new Date(Date.now() - 1000).toISOString() });
    expect(await p.detection!.runDue()).toBe(1);
    expect(await customAlerts(p)).toHaveLength(countOf(expected));
    expect(await p.state.detectionRules.get(tenantId, rule.id)).toMatchObject({ lastRunStatus: 'completed' });
  }, 120_000);

  it('in near real time, raises alerts for a new batch as it is committed, and none for events already alerted', async () => {
    // the runner has just read the tenant's (no) near-real-time rules for a batch: a rule created
    // now applies to the very next batch all the same
    await send(p, devices[2], 'rules-2-quiet', makeEventGenerator(devices[2], 5, { suspiciousRate: 0 }).next(new Date(Date.now() - 10_000), 20)
      .map((e): SimEvent => ({ ...e, row: { ...e.row, ReportId: Number(e.row.ReportId) + 3_000_000 } })));
    const group = () => p.events.feed!.stats().groups.find((g) => g.group === 'detection-rules')!;
    while (group().cursor < p.events.feed!.stats().head) await new Promise((r) => setTimeout(r, 20));
    const nrt = await p.app.services.detectionRules.create(operatorCtx(tenantId, 'test'), ruleBody('Encoded PowerShell (NRT)', '0'));
    expect(nrt.nrtTable).toBe('DeviceProcessEvents');
    const d = devices[1];
    const fresh = makeEventGenerator(d, 123, { suspiciousRate: 40 }).next(new Date(Date.now() - 20_000), 300)
      .map((e): SimEvent => ({ ...e, row: { ...e.row, ReportId: Number(e.row.ReportId) + 2_000_000 } }));
    const n = fresh.filter((e) => e.table === 'DeviceProcessEvents' && ENCODED.test(` ${String(e.row.ProcessCommandLine)} `)).length;
    expect(n).toBeGreaterThan(0);
    await send(p, d, 'rules-1-nrt', fresh);
    const byNrt = async () => (await customAlerts(p)).filter((a) => a.detectorId === nrt.id).length;
    const deadline = Date.now() + 20_000;
    while ((await byNrt()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await byNrt()).toBe(n);
    // the scheduled rule then finds the same events: its own alerts for them, one each, none twice
    expected.set(d.deviceId!, expected.get(d.deviceId!)! + n);
    await p.state.detectionRules.update(tenantId, rule.id, { nextRunDateTime: new Date(Date.now() - 1000).toISOString() });
    await p.detection!.runDue();
    const mine = (await customAlerts(p)).filter((a) => a.detectorId === rule.id);
    expect(mine).toHaveLength(countOf(expected));
    expect((await p.state.detectionRules.get(tenantId, nrt.id))?.lastRunStatus).toBe('completed');
  }, 120_000);

  it('never runs one rule in two programs at once: the lease goes to one', async () => {
    const second = await compose({ state: join(dir, 'state.db'), events: { path: ':memory:', retentionDays: 30 }, http: { throttle: false }, detection: { tickMs: 3_600_000 } });
    try {
      await p.state.detectionRules.update(tenantId, rule.id, { nextRunDateTime: new Date(Date.now() - 1000).toISOString() });
      const [a, b] = await Promise.all([p.detection!.runDue(), second.detection!.runDue()]);
      expect(a + b).toBe(1);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('keeps a rule whose query fails enabled, with the error on it, and runs it again next period', async () => {
    const broken = await p.app.services.detectionRules.create(operatorCtx(tenantId, 'test'), ruleBody('Over budget', '5M'));
    // make the query fail at run time: the tenant's hunting CPU budget for this hour is spent
    await p.counters.reserve([{ key: `hunting-cpu ${tenantId}`, windowMs: 3_600_000, limit: Number.MAX_SAFE_INTEGER }], 10 * 60_000, Date.now());
    await p.detection!.runDue();
    const after = await p.state.detectionRules.get(tenantId, broken.id);
    expect(after).toMatchObject({ isEnabled: true, lastRunStatus: 'failed', lastRunErrorCode: 'queryExecutionThrottling' });
    expect(after?.lastRunFailureReason).toMatch(/quota/);
    expect(Date.parse(after!.nextRunDateTime!)).toBeGreaterThan(Date.now());
    const res = await p.app.inject({ method: 'GET', url: `/api/detectionrules/${broken.id}`, headers: { authorization: `Bearer ${await tokenFor(p)}` } });
    expect(res.json().lastRunDetails).toMatchObject({ status: 'failed', errorCode: 'queryExecutionThrottling' });
  }, 120_000);
});

async function tokenFor(prog: Palisade): Promise<string> {
  const c = await prog.tenants.createApp(operatorCtx(tenantId, 'test'), 'reader', ['Alert.Read.All']);
  const res = await prog.app.inject({
    method: 'POST', url: `/${tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'localhost:8443' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
  });
  return res.json().access_token as string;
}
