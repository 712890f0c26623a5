/**
 * Benchmark `ingest`: events/s from simulated sensors over HTTPS into the event store.
 * - A real `palisade serve` process on a fresh data directory; N simulated devices enroll with an
 *   onboarding package (`palisade admin onboarding-package`) and post gzip NDJSON batches of
 *   realistic telemetry (makeEventGenerator, generated before the clock starts) concurrently, one
 *   batch in flight per device. The figure is acknowledged rows/s, first request to last answer
 *   (an answer comes only after the rows are committed).
 * - The baseline, in the same run: DuckDB's own bulk load of the same rows, written as one NDJSON
 *   file per table and loaded by `INSERT INTO t SELECT * FROM read_ndjson(...)` into a fresh DuckDB
 *   file with the same DDL. The ratio server/baseline is printed (goal ≥ 0.5).
 * - Afterwards the server's file is opened and its row counts are checked against the acks.
 * Both are measured R times (--rounds, default 3) in the same run and compared by their medians.
 * Options: --events N (200000) --devices D (20) --batch-size B (1000) --seed S (1) --rounds R (3)
 *   --encode pre|client (pre: batch bodies are gzip-encoded before timing; client: each device's
 *   SensorClient.sendEvents encodes while the clock runs, on the same 2 cores as the server)
 *   --cpu-prof DIR (write a V8 CPU profile of the serve process into DIR) --keep (keep the temp dir)
 *   --node-options "…" (extra NODE_OPTIONS for the serve process, e.g. V8 heap flags).
 */
import https from 'node:https';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { dataPaths } from '../src/cli/data-dir.ts';
import { getTable } from '../src/schema/registry.ts';
import type { SimEvent } from '../src/sensor/simulator/telemetry.ts';
import { readOnboardingPackage } from '../src/sensor/transport/onboarding-package.ts';
import { HIDDEN_COLUMNS, quoteIdent } from '../src/store/events/duckdb/layout.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { flagArg, numberArg, stringArg } from './support/args.ts';
import { bulkLoadNdjson, writeTableFiles } from './support/ndjson-bulk-load.ts';
import { cpuSecondsOf, memoryOf } from './support/proc-status.ts';
import { encodeBatch, enrollFleet, generateEvents, postEncodedBatch, type BenchDevice } from './support/sensor-fleet.ts';

interface DeviceLoad {
  dev: BenchDevice;
  batches: SimEvent[][];
  bodies: Buffer[];
}

/** The row as the server stores it: stamped identity plus the hidden columns, for the baseline files. */
function storedRow(e: SimEvent, dev: BenchDevice, tenantId: string, ingestTime: string): Record<string, unknown> {
  const t = getTable(e.table)!;
  const row: Record<string, unknown> = { ...e.row };
  if (t.columns.some((c) => c.name === 'DeviceId')) row.DeviceId = dev.device.deviceId;
  if (t.columns.some((c) => c.name === 'DeviceName')) row.DeviceName = dev.device.computerDnsName;
  row[HIDDEN_COLUMNS.tenantId] = tenantId;
  row[HIDDEN_COLUMNS.rbacGroupId] = 0;
  row[HIDDEN_COLUMNS.ingestTime] = ingestTime;
  return row;
}

/** Rows per table committed at or after `since` (enrollment writes inventory rows before the timed phase). */
async function storedCounts(path: string, tables: readonly string[], since: Date): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await conn.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(t)} WHERE ${quoteIdent(HIDDEN_COLUMNS.ingestTime)} >= ?::TIMESTAMP`, [since.toISOString()]);
      out[t] = Number(r.getRows()[0][0]);
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;

export async function main(args: string[]): Promise<void> {
  const total = numberArg(args, 'events', 200_000);
  const nDevices = numberArg(args, 'devices', 20);
  const batchSize = numberArg(args, 'batch-size', 1000);
  const seed = numberArg(args, 'seed', 1);
  const encode = stringArg(args, 'encode', 'pre');
  if (encode !== 'pre' && encode !== 'client') throw new Error('--encode must be pre or client');
  const cpuProf = stringArg(args, 'cpu-prof');
  const keep = flagArg(args, 'keep');
  const rounds = numberArg(args, 'rounds', 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');

  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-ingest-'));
  const env: Record<string, string> = {};
  const nodeOptions = stringArg(args, 'node-options');
  if (nodeOptions) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim();
  if (cpuProf) {
    mkdirSync(resolve(cpuProf), { recursive: true });
    // node refuses --cpu-prof in NODE_OPTIONS; a preloaded module runs the same sampling profiler.
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'support/cpu-profile-preload.mjs')}`.trim();
    env.PALISADE_CPU_PROF_DIR = resolve(cpuProf);
  }
  const srv = await startServerProcess({ dataDir: dir, args: ['--no-throttle', '--log-level', 'error'], env });
  let stopped = false;
  try {
    const pkgPath = join(dir, 'onboarding.json');
    await srv.cli(['admin', 'onboarding-package', '--out', pkgPath, '--expires', '2h']);
    const pkg = await readOnboardingPackage(pkgPath);
    const agent = new https.Agent({ keepAlive: true, maxSockets: nDevices, ca: pkg.caCertificate });

    let t0 = performance.now();
    const fleet = await enrollFleet(pkg, nDevices, seed, agent);
    console.log(`enrolled ${fleet.length} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Generate (and, with --encode pre, encode) everything before the clock starts.
    t0 = performance.now();
    const end = new Date();
    const loads: DeviceLoad[] = fleet.map((dev, i) => {
      const count = Math.floor((total * (i + 1)) / nDevices) - Math.floor((total * i) / nDevices);
      const events = generateEvents(dev.device, seed, count, end, 60);
      const batches: SimEvent[][] = [];
      for (let k = 0; k < events.length; k += batchSize) batches.push(events.slice(k, k + batchSize));
      return { dev, batches, bodies: encode === 'pre' ? batches.map(encodeBatch) : [] };
    });
    const nBatches = loads.reduce((s, l) => s + l.batches.length, 0);
    const wireBytes = loads.reduce((s, l) => s + l.bodies.reduce((x, b) => x + b.length, 0), 0);
    console.log(`generated ${total} events in ${nBatches} batches in ${((performance.now() - t0) / 1000).toFixed(1)} s`
      + (encode === 'pre' ? ` (${(wireBytes / 1048576).toFixed(1)} MiB gzip on the wire)` : ''));

    // Timed, R rounds: every device posts its batches one after another; all devices at once. Each
    // round sends the same rows under new batch ids (so they are stored again).
    const timedFrom = new Date();
    const roundSeconds: number[] = [];
    const clientCpu = process.cpuUsage();
    const serverCpu0 = cpuSecondsOf(srv.child.pid!);
    for (let round = 0; round < rounds; round++) {
      let accepted = 0;
      let rejected = 0;
      const started = performance.now();
      await Promise.all(loads.map(async (l) => {
        for (let b = 0; b < l.batches.length; b++) {
          const r = encode === 'pre'
            ? await postEncodedBatch(agent, pkg.serverUrl, l.dev.credentials, l.bodies[b], randomUUID())
            : await l.dev.client.sendEvents(randomUUID(), l.batches[b]);
          accepted += r.accepted;
          rejected += r.rejected.length;
          if (r.rejected.length > 0 && rejected === r.rejected.length) console.log(`first rejected line: ${JSON.stringify(r.rejected[0])}`);
        }
      }));
      roundSeconds.push((performance.now() - started) / 1000);
      if (rejected > 0) throw new Error(`${rejected} lines were rejected`);
      if (accepted !== total) throw new Error(`round ${round + 1}: acknowledged ${accepted} rows, sent ${total}`);
    }
    const cpu = process.cpuUsage(clientCpu);
    const mem = memoryOf(srv.child.pid!);
    const serverCpu1 = cpuSecondsOf(srv.child.pid!);
    const serverCpu = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
    agent.destroy();

    await srv.stop();
    stopped = true;

    // What the server stored, and the baseline over the same rows.
    const ingestTime = new Date().toISOString();
    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const l of loads) {
      for (const batch of l.batches) {
        for (const e of batch) {
          let list = byTable.get(e.table);
          if (!list) byTable.set(e.table, (list = []));
          list.push(storedRow(e, l.dev, srv.tenantId, ingestTime));
        }
      }
    }
    const tables = [...byTable.keys()];
    const stored = await storedCounts(dataPaths(dir).events, tables, timedFrom);
    for (const t of tables) {
      const sent = byTable.get(t)!.length * rounds;
      if (stored[t] !== sent) throw new Error(`${t}: the server stored ${stored[t]} rows, ${sent} were sent`);
    }
    const ndjsonDir = join(dir, 'baseline');
    mkdirSync(ndjsonDir);
    const files = await writeTableFiles(ndjsonDir, byTable);
    // The baseline, R rounds as well: each loads the same files into a fresh DuckDB file.
    const baseSeconds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const base = await bulkLoadNdjson(join(ndjsonDir, `baseline-${round}.duckdb`), files);
      for (const t of tables) {
        if (base.counts[t] !== byTable.get(t)!.length) throw new Error(`${t}: baseline loaded ${base.counts[t]} rows, ${byTable.get(t)!.length} were sent`);
      }
      baseSeconds.push(base.seconds);
    }
    byTable.clear();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const seconds = median(roundSeconds);
    const baseRate = total / median(baseSeconds);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
    const rows = total * rounds;
    console.log(`\nbench ingest — ${total} events × ${rounds} rounds, ${nDevices} devices, batches of ${batchSize}, encode=${encode}, HTTPS on 127.0.0.1, ${tables.length} tables`);
    console.log(`palisade serve (acknowledged, end to end): ${list(roundSeconds)} s per round; median ${rate(total, seconds)}`
      + ` (server CPU ${serverCpu?.toFixed(1) ?? '?'} s = ${serverCpu === null ? '?' : ((serverCpu * 1e6) / rows).toFixed(0)} µs/row, peak RSS ${mem.peakMiB?.toFixed(0) ?? '?'} MiB; bench process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`);
    console.log(`baseline DuckDB read_ndjson bulk load:     ${list(baseSeconds)} s per round; median ${rate(total, median(baseSeconds))}`);
    console.log(`ratio palisade/baseline (medians): ${(total / seconds / baseRate).toFixed(3)} (goal ≥ 0.5)`);
    if (cpuProf) console.log(`CPU profile of the server written to ${resolve(cpuProf)}`);
  } finally {
    if (!stopped) await srv.stop();
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
