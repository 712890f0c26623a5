/**
 * A seeded hunting data set: a simulated fleet's telemetry (every Device* table) plus the real
 * streaming records of the corpus (api-samples/streaming), moved into the last days so the 30-day
 * hunting window sees them. Loaded into an in-memory event stack for one tenant.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStack, type EventStack } from '../../src/compose.ts';
import { getTable } from '../../src/schema/registry.ts';
import { coerceValue } from '../../src/ingest/coerce.ts';
import { makeFleet } from '../../src/sensor/simulator/fleet.ts';
import { makeEventGenerator } from '../../src/sensor/simulator/telemetry.ts';

export const SEED_TENANT = '00000000-0000-4000-8000-000000000001';

/** Options of the data set. */
export interface SeedOptions {
  devices?: number;
  eventsPerDevice?: number;
  seed?: number;
  /** Folder with streaming NDJSON samples (records `{category: "AdvancedHunting-<Table>", properties}`). */
  streamingDir?: string;
  now?: Date;
}

/** Opens an in-memory event stack filled with the data set. */
export async function seedDataset(o: SeedOptions = {}): Promise<{ stack: EventStack; rows: number }> {
  const now = o.now ?? new Date();
  const stack = await openEventStack(':memory:', { retentionDays: 30, hunting: { timeoutMs: 30_000 } });
  let rows = 0;
  const fleet = makeFleet(o.devices ?? 40, o.seed ?? 1);
  for (const d of fleet) {
    d.deviceId = d.deviceId.toLowerCase();
    const gen = makeEventGenerator(d, (o.seed ?? 1) * 31 + d.index);
    // Spread each device's events over the last 20 days, a slice at a time.
    const slices = 20;
    const perSlice = Math.ceil((o.eventsPerDevice ?? 400) / slices);
    const lines: string[] = [];
    for (const e of gen.snapshot(new Date(now.getTime() - 20 * 86400_000))) lines.push(JSON.stringify(e));
    for (let s = slices - 1; s >= 0; s--) {
      for (const e of gen.next(new Date(now.getTime() - s * 86400_000 - 60_000), perSlice)) lines.push(JSON.stringify(e));
    }
    const r = await stack.ingest({ tenantId: SEED_TENANT, deviceId: d.deviceId, deviceName: d.computerDnsName, rbacGroupId: 0, batchId: `seed-${d.index}`, body: Buffer.from(lines.join('\n')), gzip: false });
    rows += r.accepted;
  }
  if (o.streamingDir) rows += await loadStreamingSamples(stack, o.streamingDir, now);
  return { stack, rows };
}

/** Loads streaming records, keeping declared columns and shifting their times to end 1 hour ago. */
async function loadStreamingSamples(stack: EventStack, dir: string, now: Date): Promise<number> {
  const records: { table: string; row: Record<string, unknown> }[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ndjson') || n.endsWith('.json'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let rec: { category?: string; properties?: Record<string, unknown> };
      try {
        rec = JSON.parse(line);
      } catch {
        continue;
      }
      const table = rec.category?.replace(/^AdvancedHunting-/, '');
      if (table && rec.properties && getTable(table)) records.push({ table, row: rec.properties });
    }
  }
  const times = records.map((r) => Date.parse(String(r.row.Timestamp))).filter((t) => !Number.isNaN(t));
  const shift = times.length ? now.getTime() - 3600_000 - Math.max(...times) : 0;
  const byDevice = new Map<string, { name: string; rows: { table: string; row: Record<string, unknown> }[] }>();
  for (const r of records) {
    const decl = getTable(r.table)!;
    const row: Record<string, unknown> = {};
    for (const c of decl.columns) {
      let v = r.row[c.name];
      if (v === undefined || v === null) continue;
      if (c.type === 'datetime') {
        const t = Date.parse(String(v));
        if (Number.isNaN(t)) continue;
        v = new Date(t + shift).toISOString();
      }
      const k = coerceValue(c.type, v);
      if (k.ok) row[c.name] = k.value;
    }
    const id = String(r.row.DeviceId ?? 'none');
    const entry = byDevice.get(id) ?? { name: String(r.row.DeviceName ?? ''), rows: [] };
    entry.rows.push({ table: r.table, row });
    byDevice.set(id, entry);
  }
  let n = 0;
  let i = 0;
  for (const [deviceId, e] of byDevice) {
    // Alert tables are written by the service, not by sensors: append them directly.
    const alertRows = e.rows.filter((r) => getTable(r.table)!.writtenBy === 'service');
    const deviceRows = e.rows.filter((r) => getTable(r.table)!.writtenBy !== 'service');
    if (deviceRows.length && /^[0-9a-f]{40}$/.test(deviceId)) {
      const res = await stack.ingest({ tenantId: SEED_TENANT, deviceId, deviceName: e.name, rbacGroupId: 0, batchId: `stream-${i++}`, body: Buffer.from(deviceRows.map((r) => JSON.stringify(r)).join('\n')), gzip: false });
      n += res.accepted;
    }
    if (alertRows.length) {
      const res = await stack.store.appendBatch({ tenantId: SEED_TENANT, deviceId, batchId: `stream-alerts-${i++}`, rows: alertRows });
      n += res.stored;
    }
  }
  return n;
}
