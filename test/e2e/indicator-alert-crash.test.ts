/**
 * Indicator alerts survive a crash: a real server is killed (SIGKILL) right after it commits a batch
 * whose event matches a custom indicator, before the batch reaches the committed-batch feed (the
 * test-only hook PALISADE_TEST_KILL_AFTER_COMMITS). The alert drafts were committed with the rows,
 * so after the restart the feed's `indicator-alerts` group raises the alert; the sensor's retry of
 * the unacknowledged batch is a duplicate and raises nothing more: exactly one alert.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsPost, httpsRequest, startServerProcess, type DeviceCredentials, type ServerProcess } from '../support/server-process.ts';

let srv: ServerProcess;
let creds: { tenantId: string; clientId: string; clientSecret: string };
let device: DeviceCredentials;
const SHA1 = '5e0b8a6d2c1f4e3a9b7c6d5e4f3a2b1c0d9e8f7a';

async function bearer(): Promise<string> {
  const tok = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, new URLSearchParams({
    grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default',
  }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  expect(tok.status, tok.body).toBe(200);
  return `Bearer ${JSON.parse(tok.body).access_token}`;
}

function sendBatch(): Promise<{ status: number; body: string }> {
  const row = {
    Timestamp: new Date('2026-12-05T01:00:00.1234567Z').toISOString(), ActionType: 'ProcessCreated', FileName: 'dropper', FolderPath: '/tmp/dropper',
    SHA1, ProcessId: 4711, ProcessCommandLine: '/tmp/dropper --run', AccountName: 'root', ReportId: 31,
  };
  return httpsPost(`${srv.url}/sensor/v1/events`, srv.ca, `${JSON.stringify({ table: 'DeviceProcessEvents', row })}\n`, {
    authorization: `Device ${device.deviceId}:${device.deviceCredential}`, 'content-type': 'application/x-ndjson', 'x-batch-id': 'ioc-crash-0001',
  });
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'palisade-e2e-ioc-crash-'));
  srv = await startServerProcess({ dataDir });
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'ioc-crash', '--permissions', 'Ti.ReadWrite.All,Alert.Read.All', '--json']));
  device = await srv.enrollDevice('ioc-crash-host');
  const created = await httpsRequest('POST', `${srv.url}/api/indicators`, srv.ca, { authorization: await bearer(), 'content-type': 'application/json' }, JSON.stringify({
    indicatorValue: SHA1, indicatorType: 'FileSha1', action: 'Audit', generateAlert: true, severity: 'Medium', title: 'crash test: known dropper', description: 'indicator alerts survive kill -9',
  }));
  expect(created.status, created.body).toBe(200);
  await srv.stop();
}, 180_000);
afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

describe('kill -9 right after a matching batch is committed', () => {
  it('raises its alert after the restart, once, although the sensor sends the batch again', async () => {
    srv = await startServerProcess({ dataDir: srv.dataDir, env: { PALISADE_TEST_KILL_AFTER_COMMITS: '1' } });
    const died = new Promise<void>((r) => srv.child.once('exit', () => r()));
    const first = await sendBatch().catch((e: Error) => ({ status: 0, body: e.message }));
    await died;
    expect(srv.child.signalCode).toBe('SIGKILL');
    expect(first.status, 'the sensor got no acknowledgement').toBe(0);

    srv = await startServerProcess({ dataDir: srv.dataDir });
    const retry = await sendBatch();
    expect(retry.status, retry.body).toBe(200);
    expect(JSON.parse(retry.body)).toMatchObject({ duplicate: true });

    const auth = await bearer();
    type AlertJson = { id: string; title: string; machineId: string; detectionSource: string; evidence: { entityType: string; sha1: string | null }[] };
    const list = async () => {
      const res = await httpsRequest('GET', `${srv.url}/api/alerts?$filter=${encodeURIComponent("detectionSource eq 'CustomerTI'")}&$expand=evidence`, srv.ca, { authorization: auth });
      expect(res.status, res.body).toBe(200);
      return (JSON.parse(res.body).value as AlertJson[]).filter((a) => a.machineId === device.deviceId);
    };
    const by = Date.now() + 30_000;
    let alerts = await list();
    while (alerts.length === 0 && Date.now() < by) {
      await new Promise((r) => setTimeout(r, 500));
      alerts = await list();
    }
    expect(alerts.map((a) => a.title)).toEqual(['crash test: known dropper']);
    expect(alerts[0].evidence.find((e) => e.entityType === 'File')).toMatchObject({ sha1: SHA1 });
    // a later look still finds one: nothing raised it a second time
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await list()).map((a) => a.id)).toEqual([alerts[0].id]);
  }, 180_000);
});
