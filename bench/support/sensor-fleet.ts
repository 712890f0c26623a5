/**
 * Simulated sensors for the benchmarks: a fleet enrolled with an onboarding package through the
 * sensor protocol client, its telemetry generated ahead of time, and event batches posted over one
 * shared keep-alive HTTPS pool — either through SensorClient.sendEvents (the sensor encodes each
 * batch while the clock runs) or as bodies gzip-encoded before timing and posted with the same
 * protocol request, so that the figure is the server's and not the load generator's.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import { enrollInfoOf } from '../../src/sensor/simulator/device-payloads.ts';
import { makeFleet, type SimDevice } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator, type SimEvent } from '../../src/sensor/simulator/telemetry.ts';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import type { OnboardingPackage } from '../../src/sensor/transport/onboarding-package.ts';
import type { DeviceCredentials, EventsResult } from '../../src/sensor/transport/protocol.ts';

/** An enrolled simulated device with its protocol client. */
export interface BenchDevice {
  device: SimDevice;
  client: SensorClient;
  credentials: DeviceCredentials;
}

/** Runs `tasks` with at most `n` at once; resolves with their results in order. */
export async function inParallel<T>(n: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return out;
}

/** Makes `n` simulated devices (seeded) and enrolls each with the package; all share `agent`. */
export async function enrollFleet(pkg: OnboardingPackage, n: number, seed: number, agent: https.Agent): Promise<BenchDevice[]> {
  const fleet = makeFleet(n, seed);
  return inParallel(16, fleet.map((device) => async () => {
    const client = new SensorClient({ serverUrl: pkg.serverUrl, caCertificate: pkg.caCertificate, agent });
    const r = await client.enroll(pkg, enrollInfoOf(device));
    device.deviceId = r.deviceId;
    return { device, client, credentials: { deviceId: r.deviceId, deviceCredential: r.deviceCredential } };
  }));
}

/**
 * `count` events of one device spread evenly over the `minutes` minutes before `end`, in time order
 * (makeEventGenerator, seeded per device).
 */
export function generateEvents(device: SimDevice, seed: number, count: number, end: Date, minutes: number): SimEvent[] {
  const gen = makeEventGenerator(device, seed * 7919 + device.index);
  const out: SimEvent[] = [];
  const steps = Math.max(1, Math.min(minutes, count));
  for (let s = 0; s < steps; s++) {
    const n = Math.floor((count * (s + 1)) / steps) - Math.floor((count * s) / steps);
    const at = new Date(end.getTime() - (steps - 1 - s) * 60_000);
    for (const e of gen.next(at, n)) out.push(e);
  }
  return out;
}

/** The body SensorClient.sendEvents would send: NDJSON of `{"table","row"}` lines, gzip-compressed. */
export function encodeBatch(events: readonly SimEvent[]): Buffer {
  const ndjson = events.map((e) => JSON.stringify({ table: e.table, row: e.row })).join('\n') + (events.length > 0 ? '\n' : '');
  return gzipSync(Buffer.from(ndjson));
}

/**
 * POST /sensor/v1/events with an already encoded body, exactly as the protocol client sends it
 * (gzip NDJSON, X-Batch-Id, Device authorization). Rejects on a non-200 answer.
 */
export function postEncodedBatch(agent: https.Agent, serverUrl: string, creds: DeviceCredentials, body: Buffer, batchId: string = randomUUID()): Promise<EventsResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL('/sensor/v1/events', serverUrl), {
      method: 'POST',
      agent,
      headers: {
        'Content-Type': 'application/x-ndjson',
        'Content-Encoding': 'gzip',
        'Content-Length': String(body.length),
        'X-Batch-Id': batchId,
        Authorization: `Device ${creds.deviceId}:${creds.deviceCredential}`,
        Accept: 'application/json',
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`POST /sensor/v1/events answered ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text) as EventsResult);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
