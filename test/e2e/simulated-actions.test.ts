/**
 * Machine actions end to end on a real `palisade serve` (127.0.0.1, stopped by PID at the end) with
 * simulated devices speaking the action protocol over HTTPS: `palisade simulate --actions` devices
 * take an isolate each and report it Succeeded; a device that was offline when its action was
 * created gets it when it starts polling; an action whose device never polls times out (the server
 * runs with a short `--action-expiry-hours`); a device's long-poll gets a new action well within a
 * second (the issue's bound for an online device).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/cli/simulate.ts';
import { holdWork } from '../../src/sensor/simulator/actions.ts';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import type { WireAction } from '../../src/sensor/transport/protocol.ts';
import { httpsPost, httpsRequest, startServerProcess, type ServerProcess } from '../support/server-process.ts';

/** 18 s: long enough for a device to take an action, short enough to watch one time out. */
const EXPIRY_HOURS = 0.005;

let srv: ServerProcess;
let bearer: string;

const api = async (method: 'GET' | 'POST', path: string, body?: object) => {
  const r = body === undefined
    ? await httpsRequest(method, `${srv.url}${path}`, srv.ca, { authorization: `Bearer ${bearer}` })
    : await httpsPost(`${srv.url}${path}`, srv.ca, JSON.stringify(body), { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' });
  return { status: r.status, json: JSON.parse(r.body || 'null') };
};

async function until<T>(what: string, f: () => Promise<T | null>, ms = 40_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const statusOf = async (id: string) => (await api('GET', `/api/machineactions/${id}`)).json.status as string;

beforeAll(async () => {
  srv = await startServerProcess({ args: ['--action-expiry-hours', String(EXPIRY_HOURS), '--no-throttle'] });
  const app = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'responder', '--permissions', 'Machine.Read.All,Machine.Isolate,Machine.Scan', '--json']));
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' });
  const t = await httpsPost(`${srv.url}/${app.tenantId}/oauth2/v2.0/token`, srv.ca, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  bearer = JSON.parse(t.body).access_token;
}, 120_000);

afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

function deviceClient(creds: { deviceId: string; deviceCredential: string }): SensorClient {
  return new SensorClient({ serverUrl: srv.url, caCertificate: srv.ca, credentials: creds });
}

describe('simulated devices carry out actions', () => {
  it('palisade simulate --actions: every device takes its isolate and reports it Succeeded', async () => {
    const pkgPath = join(srv.dataDir, 'sim-onboarding.json');
    await srv.cli(['admin', 'onboarding-package', '--out', pkgPath]);
    expect(JSON.parse(readFileSync(pkgPath, 'utf8')).serverUrl).toBe(srv.url);
    const stop = new AbortController();
    const run = simulate({ onboarding: pkgPath, devices: 5, eventsPerSec: 0, seed: 3, heartbeatInterval: 60, concurrency: 8, batchSize: 100, quiet: true, actions: true }, stop.signal);
    try {
      const machines = await until('the simulated fleet', async () => {
        const list = (await api('GET', '/api/machines')).json.value as { id: string; computerDnsName: string }[];
        return list.length >= 5 ? list : null;
      });
      const ids: string[] = [];
      for (const m of machines) {
        const r = await api('POST', `/api/machines/${m.id}/isolate`, { Comment: 'simulated', IsolationType: 'Full' });
        expect(r.status).toBe(201);
        ids.push(r.json.id);
      }
      for (const id of ids) await until(`action ${id} Succeeded`, async () => ((await statusOf(id)) === 'Succeeded' ? true : null));
    } finally {
      stop.abort();
    }
    const totals = await run;
    expect(totals).toMatchObject({ enrolled: 5, actionsReceived: 5, actionsSucceeded: 5 });
  }, 120_000);

  it('delivers an action created while the device was offline once it polls, and times out one never taken', async () => {
    const offline = await srv.enrollDevice('late-host');
    const never = await srv.enrollDevice('never-host');
    const late = (await api('POST', `/api/machines/${offline.deviceId}/runAntiVirusScan`, { Comment: 'while offline', ScanType: 'Quick' })).json;
    const lost = (await api('POST', `/api/machines/${never.deviceId}/runAntiVirusScan`, { Comment: 'never taken', ScanType: 'Quick' })).json;
    expect([late.status, lost.status]).toEqual(['Pending', 'Pending']);
    const stop = new AbortController();
    const client = deviceClient(offline);
    const work = holdWork(client, 'late-host', stop.signal);
    try {
      await until('the late device to finish its action', async () => ((await statusOf(late.id)) === 'Succeeded' ? true : null));
      await until('the untaken action to time out', async () => ((await statusOf(lost.id)) === 'TimeOut' ? true : null), EXPIRY_HOURS * 3_600_000 + 30_000);
    } finally {
      stop.abort();
      await work;
      client.close();
    }
    expect((await api('GET', `/api/machineactions/${lost.id}`)).json).toMatchObject({ status: 'TimeOut', errorHResult: -2145844840 });
  }, 120_000);

  it('hands a new action to a waiting long-poll within a second', async () => {
    const creds = await srv.enrollDevice('fast-host');
    const client = deviceClient(creds);
    const stop = new AbortController();
    const received = new Map<string, number>();
    const work = holdWork(client, 'fast-host', stop.signal, { onAction: (a: WireAction) => received.set(a.id, Date.now()) });
    const delays: number[] = [];
    try {
      // the poll is open before the first request
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 5; i++) {
        const t0 = Date.now();
        const r = await api('POST', `/api/machines/${creds.deviceId}/isolate`, { Comment: `fast ${i}` });
        expect(r.status).toBe(201);
        const at = await until('the action to arrive', async () => received.get(r.json.id) ?? null, 10_000);
        delays.push(at - t0);
        await until('Succeeded', async () => ((await statusOf(r.json.id)) === 'Succeeded' ? true : null));
      }
    } finally {
      stop.abort();
      await work;
      client.close();
    }
    process.stdout.write(`POST isolate → received by the polling device: ${delays.map((d) => `${d} ms`).join(', ')}\n`);
    expect(Math.max(...delays)).toBeLessThan(1_000);
  }, 120_000);
});
