/**
 * A simulated fleet against the real server over HTTPS: the sensor client enrolls devices from an
 * onboarding package, heartbeats, and posts the simulator's telemetry through the real gateway and
 * ingest pipeline. Every generated line must pass the server's own validation.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsMaterial } from '../../src/api/tls/certificates.ts';
import type { EncodedEventBatch, EventBatch, EventStore } from '../../src/domain/ports.ts';
import { createIngestPipeline } from '../../src/ingest/pipeline.ts';
import { enrollInfoOf, heartbeatOf } from '../../src/sensor/simulator/device-payloads.ts';
import { makeFleet } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator } from '../../src/sensor/simulator/telemetry.ts';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import type { OnboardingPackage } from '../../src/sensor/transport/onboarding-package.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** Keeps appended batches in memory (identity and row count), deduplicating by (tenant, device, batch id) like a real store. */
class MemoryEventStore implements EventStore {
  readonly batches: { tenantId: string; deviceId: string; batchId: string; rows: number }[] = [];
  private readonly seen = new Set<string>();
  private keep(batch: Omit<EventBatch, 'rows'>, rows: number): { duplicate: boolean; stored: number } {
    const key = `${batch.tenantId}|${batch.deviceId}|${batch.batchId}`;
    if (this.seen.has(key)) return { duplicate: true, stored: 0 };
    this.seen.add(key);
    this.batches.push({ tenantId: batch.tenantId, deviceId: batch.deviceId, batchId: batch.batchId, rows });
    return { duplicate: false, stored: rows };
  }
  async appendBatch(batch: EventBatch): Promise<{ duplicate: boolean; stored: number }> {
    return this.keep(batch, batch.rows.length);
  }
  async appendEncoded(batch: EncodedEventBatch): Promise<{ duplicate: boolean; stored: number }> {
    return this.keep(batch, batch.tables.reduce((n, t) => n + t.rows, 0));
  }
  async query(): Promise<never> {
    throw new Error('not used in this test');
  }
  async enforceRetention(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

let dir: string;
let h: Harness;
let store: MemoryEventStore;
let pkg: OnboardingPackage;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-simfleet-'));
  const tls = await ensureTlsMaterial(dir);
  store = new MemoryEventStore();
  const pipeline = createIngestPipeline({ eventStore: store });
  h = await startHarness({ https: { cert: tls.cert, key: tls.key }, ingest: (args) => pipeline.ingest(args) });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (h.app.server.address() as AddressInfo).port;
  const token = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
  pkg = { version: 1, serverUrl: `https://127.0.0.1:${port}`, tenantId: h.tenantId, caCertificate: tls.ca, enrollmentToken: token.token, expiresAt: token.expiresAt };
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulated fleet over the sensor protocol', () => {
  it('enrolls, heartbeats and streams telemetry that the server accepts line for line', async () => {
    const fleet = makeFleet(10, 77);
    const start = Date.now() - 10 * 60_000;
    let sent = 0;
    for (const device of fleet) {
      const client = SensorClient.fromOnboardingPackage(pkg, { retry: { attempts: 2, baseDelayMs: 5 } });
      try {
        const enrolled = await client.enroll(pkg, enrollInfoOf(device));
        expect(enrolled.tenantId).toBe(h.tenantId);
        device.deviceId = enrolled.deviceId;
        expect((await client.heartbeat(heartbeatOf(device))).heartbeatIntervalSeconds).toBeGreaterThan(0);
        const gen = makeEventGenerator(device, 5, { suspiciousRate: 3 });
        for (let minute = 1; minute <= 3; minute++) {
          const events = gen.next(new Date(start + minute * 60_000), 120);
          if (minute === 3) events.push(...gen.snapshot(new Date(start + minute * 60_000)));
          const res = await client.sendEvents(randomUUID(), events);
          expect(res.rejected).toEqual([]);
          expect(res.accepted).toBe(events.length);
          expect(res.duplicate).toBe(false);
          sent += events.length;
        }
      } finally {
        client.close();
      }
    }
    const stored = store.batches.filter((b) => !b.batchId.startsWith('hb-')).reduce((n, b) => n + b.rows, 0);
    expect(stored).toBe(sent);
    const ids = new Set(fleet.map((d) => d.deviceId));
    for (const b of store.batches) expect(ids.has(b.deviceId)).toBe(true);

    const bearer = await h.token(['Machine.Read.All']);
    const res = await h.app.inject({ method: 'GET', url: '/api/machines?$filter=healthStatus eq \'Active\'&$top=100', headers: { authorization: `Bearer ${bearer}` } });
    expect(res.statusCode).toBe(200);
    const names = (res.json().value as { computerDnsName: string }[]).map((m) => m.computerDnsName).sort();
    expect(names).toEqual(fleet.map((d) => d.computerDnsName).sort());
  });

  it('stores a retried batch once', async () => {
    const [device] = makeFleet(1, 1234);
    const client = SensorClient.fromOnboardingPackage(pkg);
    try {
      device!.deviceId = (await client.enroll(pkg, enrollInfoOf(device!))).deviceId;
      const events = makeEventGenerator(device!, 9).next(new Date(), 50);
      const batchId = randomUUID();
      const first = await client.sendEvents(batchId, events);
      const again = await client.sendEvents(batchId, events);
      expect(first).toMatchObject({ accepted: 50, duplicate: false });
      expect(again.duplicate).toBe(true);
      expect(store.batches.filter((b) => b.batchId === batchId)).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
