/**
 * The hunting benchmark's data: a complete Palisade data directory (SQLite state with a tenant and an
 * app allowed to hunt, plus the DuckDB event file) holding `size` events of a simulated fleet
 * (makeEventGenerator) spread over the 25 days before generation, written through the event store's
 * appendBatch. Generation is slow (minutes for 10M events), so the directory is cached under the OS
 * temp folder, keyed by size and seed, and reused while its data is recent enough to sit inside the
 * 30-day retention and look-back (3 days).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../src/cli/data-dir.ts';
import { newSigningKey } from '../../src/auth/token-service.ts';
import type { EventBatch } from '../../src/domain/ports.ts';
import { makeFleet } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator, type EventGenerator } from '../../src/sensor/simulator/telemetry.ts';
import { operatorCtx } from '../../src/domain/context.ts';
import { TenantService } from '../../src/services/tenants.ts';
import { openDuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';
import { openStateStore } from '../../src/store/state/open.ts';

/**
 * Bump when the generated data or its stored layout changes shape, so stale caches are rebuilt (2: each
 * table's Timestamp stored to the 100 ns tick, TIMESTAMP_NS).
 */
const DATASET_VERSION = 2;
const SPREAD_DAYS = 25;
const MAX_AGE_MS = 3 * 86_400_000;

/** A ready data directory and how to hunt in it. */
export interface HuntingDataset {
  dir: string;
  size: number;
  seed: number;
  devices: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** When the events were generated (ISO); they span the SPREAD_DAYS days before it. */
  generatedAt: string;
  /** Seconds the generation took (when it happened). */
  generationSeconds: number;
  /** Whether this call generated the data (false: reused from the cache). */
  generatedNow: boolean;
  /** Rows per table. */
  tables: Record<string, number>;
}

type Meta = Omit<HuntingDataset, 'dir' | 'generatedNow'> & { version: number };

/** Devices in the fleet for a data size: about 5,000 events per device, between 20 and 2,000 devices. */
export function fleetSizeFor(size: number): number {
  return Math.min(2000, Math.max(20, Math.round(size / 5000)));
}

function deviceId(seed: number, index: number): string {
  return createHash('sha1').update(`palisade-bench-hunting:${seed}:${index}`).digest('hex');
}

/** The cached dataset for (size, seed), generating it first when missing or too old. */
export async function ensureHuntingDataset(size: number, seed: number, log: (s: string) => void = () => {}): Promise<HuntingDataset> {
  // one directory per layout version, so that checkouts of another version keep their own copy
  const dir = join(tmpdir(), `palisade-bench-hunting-${size}-${seed}-v${DATASET_VERSION}`);
  const metaPath = join(dir, 'bench-dataset.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    if (meta.version === DATASET_VERSION && Date.now() - Date.parse(meta.generatedAt) < MAX_AGE_MS) {
      return { ...meta, dir, generatedNow: false };
    }
    log(`cached dataset in ${dir} is from ${meta.generatedAt}; generating it again`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = performance.now();
  const paths = dataPaths(dir);

  const state = await openStateStore(paths.sqlite);
  let creds: { tenantId: string; clientId: string; clientSecret: string };
  try {
    const tenants = new TenantService(state, (t) => newSigningKey(t));
    const t = await tenants.createTenant(operatorCtx(randomUUID(), 'bench'), 'Default');
    const app = await tenants.createApp(operatorCtx(t.id, 'bench'), 'bench-hunting', ['AdvancedQuery.Read.All']);
    creds = { tenantId: t.id, clientId: app.clientId, clientSecret: app.clientSecret };
  } finally {
    await state.close();
  }

  const nDevices = fleetSizeFor(size);
  const fleet = makeFleet(nDevices, seed);
  fleet.forEach((d, i) => (d.deviceId = deviceId(seed, i)));
  const gens: EventGenerator[] = fleet.map((d) => makeEventGenerator(d, seed * 7919 + d.index));
  const generatedAt = new Date();
  const end = generatedAt.getTime();
  const steps = SPREAD_DAYS * 24;
  const start = end - SPREAD_DAYS * 86_400_000;
  const tables: Record<string, number> = {};

  // A modest memory limit: DuckDB otherwise keeps every block it wrote cached (up to 80% of RAM).
  const store = await openDuckDbEventStore({ path: paths.events, retentionDays: 30, memoryLimit: '1GB' });
  try {
    let written = 0;
    let pending: EventBatch['rows'] = [];
    let batchNo = 0;
    const inFlight: Promise<unknown>[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      inFlight.push(store.appendBatch({ tenantId: creds.tenantId, deviceId: fleet[0].deviceId!, batchId: `gen-${batchNo++}`, rows }));
      // Two groups in flight keep both write lanes busy while the next one is generated.
      if (inFlight.length >= 2) await inFlight.shift();
    };
    let lastLog = performance.now();
    for (let s = 0; s < steps; s++) {
      const at = new Date(start + ((s + 1) * (end - start)) / steps);
      for (let i = 0; i < nDevices; i++) {
        // Device i's share of step s, so that every device ends with size/nDevices events.
        const k = s * nDevices + i;
        const count = Math.floor(((k + 1) * size) / (steps * nDevices)) - Math.floor((k * size) / (steps * nDevices));
        if (count === 0) continue;
        for (const e of gens[i].next(at, count)) {
          pending.push(e);
          tables[e.table] = (tables[e.table] ?? 0) + 1;
        }
        if (pending.length >= 50_000) await flush();
      }
      written = Math.floor(((s + 1) * size) / steps);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  generated ${written.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
    await flush();
    await Promise.all(inFlight);
    await store.checkpoint();
  } finally {
    await store.close();
  }
  const generationSeconds = (performance.now() - started) / 1000;
  const meta: Meta = { version: DATASET_VERSION, size, seed, devices: nDevices, ...creds, generatedAt: generatedAt.toISOString(), generationSeconds, tables };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { ...meta, dir, generatedNow: true };
}
