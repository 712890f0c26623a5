/**
 * Issue 12, "What it must show", item 1, against a real `palisade serve` process: an indicator for
 * a file hash is created through the API; a simulated device runs a process with that hash (an
 * event of the fleet simulator's telemetry, sent over the sensor protocol); an alert with file and
 * process evidence appears in `GET /api/alerts?$filter=lastUpdateTime gt …&$expand=evidence` within
 * 5 s; a PATCH resolves it with a classification; the SIEM pull (`/api/siem/alerts`) returns the
 * detection; a CEF line about it reaches a syslog listener the test runs (`serve --syslog udp://…`);
 * Microsoft Graph's `alerts_v2` list shows it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFleet } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator } from '../../src/sensor/simulator/telemetry.ts';
import { httpsPost, httpsRequest, startServerProcess, type ServerProcess } from '../support/server-process.ts';

let srv: ServerProcess;
let creds: { tenantId: string; clientId: string; clientSecret: string };
let bearer: string;
let graphBearer: string;
let syslog: Socket;
const syslogLines: string[] = [];

async function tokenFor(scope: string): Promise<string> {
  const res = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' });
  expect(res.status, res.body).toBe(200);
  return `Bearer ${JSON.parse(res.body).access_token}`;
}

beforeAll(async () => {
  syslog = createSocket('udp4');
  syslog.on('message', (m) => syslogLines.push(m.toString('utf8')));
  await new Promise<void>((r) => syslog.bind(0, '127.0.0.1', r));
  srv = await startServerProcess({ args: ['--syslog', `udp://127.0.0.1:${syslog.address().port}`] });
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'detect-e2e', '--permissions', 'Ti.ReadWrite.All,Alert.ReadWrite.All,SecurityAlert.Read.All', '--json']));
  bearer = await tokenFor('https://api.securitycenter.microsoft.com/.default');
  graphBearer = await tokenFor('https://graph.microsoft.com/.default');
}, 120_000);
afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
  syslog?.close();
});

/** An OData datetime literal with 7 fractional digits, as clients poll with. */
const odataTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

describe('an indicator matched on ingest', () => {
  it('raises an alert with file and process evidence within 5 s, which a PATCH resolves; the SIEM pull, a CEF line and Graph alerts_v2 show it', async () => {
    // a process the simulated device runs, with its image's hash
    const [device] = makeFleet(1, 12);
    const now = new Date();
    const events = makeEventGenerator(device, 12).next(now, 400);
    const proc = events.find((e) => e.table === 'DeviceProcessEvents' && typeof e.row.SHA1 === 'string');
    expect(proc, 'the simulator runs processes').toBeDefined();
    const sha1 = String(proc!.row.SHA1);

    const created = await httpsRequest('POST', `${srv.url}/api/indicators`, srv.ca, { authorization: bearer, 'content-type': 'application/json' }, JSON.stringify({
      indicatorValue: sha1, indicatorType: 'FileSha1', action: 'Audit', generateAlert: true, severity: 'High', title: 'e2e: known bad image', description: 'created by the detect end-to-end test',
    }));
    expect(created.status, created.body).toBe(200);
    const indicatorId = JSON.parse(created.body).id as string;

    const since = new Date(Date.now() - 1000);
    const dev = await srv.enrollDevice(device.computerDnsName);
    const row: Record<string, unknown> = { ...proc!.row, Timestamp: new Date().toISOString() };
    const sent = await httpsPost(`${srv.url}/sensor/v1/events`, srv.ca, `${JSON.stringify({ table: 'DeviceProcessEvents', row })}\n`, {
      authorization: `Device ${dev.deviceId}:${dev.deviceCredential}`, 'content-type': 'application/x-ndjson', 'x-batch-id': 'detect-e2e-0001',
    });
    expect(sent.status, sent.body).toBe(200);
    const sentAt = performance.now();

    type Evidence = { entityType: string; sha1: string | null; processId: number | null; fileName: string | null };
    type AlertJson = { id: string; detectionSource: string; machineId: string; severity: string; status: string; title: string; evidence: Evidence[]; classification: string | null; resolvedTime: string | null };
    let alert: AlertJson | undefined;
    const url = `${srv.url}/api/alerts?$filter=${encodeURIComponent(`lastUpdateTime gt ${odataTime(since)}`)}&$expand=evidence`;
    while (!alert && performance.now() - sentAt < 5_000) {
      const res = await httpsRequest('GET', url, srv.ca, { authorization: bearer });
      expect(res.status, res.body).toBe(200);
      alert = (JSON.parse(res.body).value as AlertJson[]).find((a) => a.detectionSource === 'CustomerTI' && a.machineId === dev.deviceId);
      if (!alert) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alert, 'an alert within 5 s of the event').toBeDefined();
    expect(alert!).toMatchObject({ severity: 'High', status: 'New', title: 'e2e: known bad image' });
    const file = alert!.evidence.find((e) => e.entityType === 'File');
    const process = alert!.evidence.find((e) => e.entityType === 'Process');
    expect(file).toMatchObject({ sha1, fileName: row.FileName });
    expect(process).toMatchObject({ sha1, processId: row.ProcessId });
    expect(indicatorId).toMatch(/^\d+$/);

    const patched = await httpsRequest('PATCH', `${srv.url}/api/alerts/${alert!.id}`, srv.ca, { authorization: bearer, 'content-type': 'application/json' },
      JSON.stringify({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', comment: 'confirmed by the e2e test' }));
    expect(patched.status, patched.body).toBe(200);
    expect(JSON.parse(patched.body)).toMatchObject({ id: alert!.id, status: 'Resolved', classification: 'TruePositive', determination: 'Malware' });
    const again = JSON.parse((await httpsRequest('GET', `${srv.url}/api/alerts/${alert!.id}`, srv.ca, { authorization: bearer })).body) as AlertJson;
    expect(again.status).toBe('Resolved');
    expect(again.resolvedTime).not.toBeNull();

    // the SIEM pull returns the detection
    const siem = await httpsRequest('GET', `${srv.url}/api/siem/alerts?sinceTimeUtc=${since.toISOString()}`, srv.ca, { authorization: bearer });
    expect(siem.status, siem.body).toBe(200);
    const detection = (JSON.parse(siem.body) as Record<string, unknown>[]).find((d) => d.AlertId === alert!.id);
    expect(detection).toMatchObject({ Source: 'CustomerTI', Sha1: sha1, DeviceID: dev.deviceId, AlertTitle: 'e2e: known bad image' });

    // a CEF line about it reaches the syslog listener (the forwarder polls every second)
    const cefBy = performance.now() + 10_000;
    while (!syslogLines.some((l) => l.includes('CEF:0|') && l.includes(alert!.id)) && performance.now() < cefBy) await new Promise((r) => setTimeout(r, 200));
    const cef = syslogLines.find((l) => l.includes('CEF:0|') && l.includes(alert!.id));
    expect(cef, 'a CEF line naming the alert').toBeDefined();
    expect(cef).toContain('|CustomerTI|e2e: known bad image|');

    // Graph's alerts_v2 lists it
    const graph = await httpsRequest('GET', `${srv.url}/v1.0/security/alerts_v2?$filter=${encodeURIComponent(`lastUpdateDateTime ge ${since.toISOString()}`)}`, srv.ca, { authorization: graphBearer });
    expect(graph.status, graph.body).toBe(200);
    const listed = (JSON.parse(graph.body).value as { providerAlertId?: string; id: string; title: string; status: string }[])
      .find((a) => a.providerAlertId === alert!.id || a.id === alert!.id);
    expect(listed).toMatchObject({ title: 'e2e: known bad image', status: 'resolved' });
  }, 60_000);
});
