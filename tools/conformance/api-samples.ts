/**
 * The `api-samples` conformance mode: Palisade against real MDE payloads (the corpus folder
 * api-samples, one argument). Each sample is a case:
 * - every Machine object of the samples (machines/*.ndjson lines; swimlane/*.json bodies whose
 *   `@odata.context` is the Machines entity set) passes when the machine Palisade returns from
 *   `GET /api/machines/{id}` has each of its keys, with the same JSON type or null;
 * - every streaming record of a sensor-written table (streaming/*.ndjson, `{category:
 *   "AdvancedHunting-<Table>", properties}`) passes when the ingest pipeline accepts it as a sensor
 *   line (its timestamps moved into the retention window; MachineGroup, a streaming-only property,
 *   left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTable } from '../../src/schema/registry.ts';
import { startHarness } from '../../test/support/harness.ts';
import type { ModeResult } from './mode.ts';

type Json = Record<string, unknown>;

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const lines = (path: string): Json[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);
const files = (dir: string, ext: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
};

/** Every Machine object of the samples, named by file (and index). */
export function sampleMachines(dir: string): { name: string; machine: Json }[] {
  const out: { name: string; machine: Json }[] = [];
  for (const f of files(join(dir, 'machines'), '.ndjson')) lines(f).forEach((m, i) => out.push({ name: `${f}#${i + 1}`, machine: m }));
  for (const f of files(join(dir, 'swimlane'), '.json')) {
    const recs = JSON.parse(readFileSync(f, 'utf8')) as { json_body?: Json }[];
    recs.forEach((rec, i) => {
      const b = rec.json_body;
      const ctx = typeof b?.['@odata.context'] === 'string' ? b['@odata.context'] : '';
      if (!b || !/#Machines(\/\$entity)?$/.test(ctx)) return;
      const { '@odata.context': _c, ...one } = b;
      const ms = Array.isArray(b.value) ? (b.value as Json[]) : [one];
      ms.forEach((m, j) => out.push({ name: `${f}[${i}]#${j + 1}`, machine: m }));
    });
  }
  return out;
}

/** Keys of `sample` that `ours` lacks, or has with another JSON type (null matches any type). */
export function shapeProblems(ours: Json, sample: Json): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(sample)) {
    if (!(k in ours)) problems.push(`missing key ${k}`);
    else if (ours[k] !== null && v !== null && jsonType(ours[k]) !== jsonType(v)) problems.push(`${k}: ${jsonType(ours[k])} vs sample ${jsonType(v)}`);
  }
  return problems;
}

/** Runs the mode over the api-samples folder. */
export async function runApiSamplesConformance(args: string[]): Promise<ModeResult> {
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) throw new Error('usage: conformance api-samples DIR [--min-pass RATIO]');
  const h = await startHarness();
  let passed = 0;
  let failed = 0;
  const fail = (name: string, why: string) => {
    failed++;
    console.log(`  FAIL ${name}: ${why}`);
  };
  try {
    const token = await h.token(['Machine.Read.All']);
    const device = await h.addDevice({ computerDnsName: 'shape-check', machineTags: ['a'], rbacGroupName: 'group' });
    const res = await h.app.inject({ method: 'GET', url: `/api/machines/${device.id}`, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`GET /api/machines/{id} answered ${res.statusCode}: ${res.body}`);
    const ours = res.json() as Json;
    const machines = sampleMachines(dir);
    for (const s of machines) {
      const p = shapeProblems(ours, s.machine);
      if (p.length) fail(s.name, p.join('; '));
      else passed++;
    }
    console.log(`machines: ${machines.length} samples`);

    let records = 0;
    for (const f of files(join(dir, 'streaming'), '.ndjson')) {
      const recs = lines(f).map((r, i) => ({ i, table: String(r.category ?? '').replace(/^AdvancedHunting-/, ''), row: (r.properties ?? {}) as Json }))
        .filter((r) => getTable(r.table) && getTable(r.table)!.writtenBy !== 'service');
      if (!recs.length) continue;
      const body = recs.map((r) => {
        const { MachineGroup: _mg, ...row } = r.row;
        // the record's datetimes move together, so that its Timestamp falls an hour ago
        const at = Date.parse(String(row.Timestamp));
        const shift = Number.isNaN(at) ? 0 : Date.now() - 3600_000 - at;
        for (const [k, v] of Object.entries(row)) {
          if (getTable(r.table)!.columns.find((c) => c.name === k)?.type === 'datetime' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) {
            row[k] = new Date(Date.parse(v) + shift).toISOString();
          }
        }
        return JSON.stringify({ table: r.table, row });
      }).join('\n');
      const out = await h.events.ingest({ tenantId: h.tenantId, deviceId: device.id, deviceName: device.computerDnsName, rbacGroupId: 0, batchId: `samples-${records}`, body: Buffer.from(body), gzip: false });
      const rejected = new Map(out.rejected.map((r) => [r.line, r.reason]));
      recs.forEach((r, n) => {
        const why = rejected.get(n + 1);
        if (why) fail(`${f}#${r.i + 1} (${r.table})`, why);
        else passed++;
      });
      records += recs.length;
    }
    console.log(`streaming: ${records} records of sensor-written tables`);
  } finally {
    await h.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return { passed, failed, problems: [] };
}
