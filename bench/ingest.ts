/**
 * Benchmark `ingest`: events/s from simulated sensors over HTTPS into the event store.
 * - A real `palisade serve` process on a fresh data directory; N simulated devices enroll with an
 *   onboarding package (`palisade admin onboarding-package`) and post gzip NDJSON batches of
 *   realistic telemetry (makeEventGenerator, generated before the clock starts) concurrently, one
 *   batch in flight per device. The figure is acknowledged rows/s, from the first request until the
 *   last answer came (an answer comes only after the rows are committed) and the server went idle
 *   (so a checkpoint a round's WAL caused counts in that round).
 * - The baseline, in the same run: DuckDB's own bulk load of the same rows, written as one NDJSON
 *   file per table and loaded by `INSERT INTO t SELECT * FROM read_ndjson(...)` into a fresh DuckDB
 *   file with the same DDL. The ratio server/baseline is printed (goal ≥ 0.5).
 * - Afterwards the server is stopped (a graceful stop checkpoints the WAL; timed) and its file is
 *   opened and its row counts are checked against the acks. A second, sustained ratio counts every
 *   round plus that stop, against every baseline round.
 * Both are measured R times (--rounds, default 3) in the same run, a server round and a baseline round
 * in turn (on a shared machine both then see the same slow and fast phases), and compared by their
 * medians. Before the first round each device sends its first W batches untimed (--warmup, default
 * 2), so that the rounds measure a running server, not a cold one.
 * Options: --events N (200000) --devices D (20) --batch-size B (1000) --seed S (1) --rounds R (3) --warmup W (2)
 *   --encode pre|client (pre: batch bodies are gzip-encoded before timing; client: each device's
 *   SensorClient.sendEvents encodes while the clock runs, on the same 2 cores as the server)
 *   --cpu-prof DIR (write a V8 CPU profile of the serve process into DIR) --keep (keep the temp dir)
 *   --node-options "…" (extra NODE_OPTIONS for the serve process, e.g. V8 heap flags)
 *   --stalled-consumer (a committed-batch feed consumer that takes its first batch and never returns,
 *   the test-only hook PALISADE_TEST_FEED_STALL: ingest must keep its rate) --feed-backlog-mib N (serve's
 *   memory bound of the feed's backlog).
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
  row[HIDDEN_COLUMNS.batchSeq] = 1;
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

/**
 * Resolves with the moment `pid` went idle: the start of the first 100 ms in which it used at most
 * 10 ms of CPU (one clock tick), checked from now on for at most 60 s.
 */
async function untilIdle(pid: number): Promise<number> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const at = performance.now();
    const c0 = cpuSecondsOf(pid);
    await new Promise((r) => setTimeout(r, 100));
    const c1 = cpuSecondsOf(pid);
    if (c0 === null || c1 === null || c1 - c0 <= 0.0101 || performance.now() > deadline) return at;
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
  const warmup = numberArg(args, 'warmup', 2);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be a whole number of batches');
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
  if (flagArg(args, 'stalled-consumer')) env.PALISADE_TEST_FEED_STALL = '1';
  const backlogMib = stringArg(args, 'feed-backlog-mib');
  const serveArgs = ['--no-throttle', '--log-level', 'error', ...(backlogMib ? ['--feed-backlog-mib', backlogMib] : [])];
  const srv = await startServerProcess({ dataDir: dir, args: serveArgs, env });
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

    // The baseline's input, written before anything is timed: the same rows as the server stores
    // them, one NDJSON file per table.
    const baseIngestTime = new Date().toISOString();
    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const l of loads) {
      for (const batch of l.batches) {
        for (const e of batch) {
          let list = byTable.get(e.table);
          if (!list) byTable.set(e.table, (list = []));
          list.push(storedRow(e, l.dev, srv.tenantId, baseIngestTime));
        }
      }
    }
    const tables = [...byTable.keys()];
    const ndjsonDir = join(dir, 'baseline');
    mkdirSync(ndjsonDir);
    const files = await writeTableFiles(ndjsonDir, byTable);
    const sentPerTable = new Map([...byTable].map(([t, rows]) => [t, rows.length]));
    byTable.clear();

    // Warm-up, untimed: each device posts its first --warmup batches (under their own batch ids), so
    // that the rounds measure a running server rather than its first seconds (worker threads and
    // JIT-compiled code still cold). Its rows are stored before `timedFrom` and not counted below.
    const warmStarted = performance.now();
    await Promise.all(loads.map(async (l) => {
      for (let b = 0; b < Math.min(warmup, l.batches.length); b++) {
        await (encode === 'pre'
          ? postEncodedBatch(agent, pkg.serverUrl, l.dev.credentials, l.bodies[b], randomUUID())
          : l.dev.client.sendEvents(randomUUID(), l.batches[b]));
      }
    }));
    const warmRows = loads.reduce((s, l) => s + l.batches.slice(0, warmup).reduce((x, b) => x + b.length, 0), 0);
    await untilIdle(srv.child.pid!);
    if (warmup > 0) console.log(`warm-up: ${warmRows} events in ${((performance.now() - warmStarted) / 1000).toFixed(1)} s (untimed)`);

    // Timed, R rounds, the server's and the baseline's in turn, so that both see the same phases of
    // a noisy machine. A server round: every device posts its batches one after another, all devices
    // at once, each round the same rows under new batch ids (so they are stored again); it ends when
    // the last answer came and the server went idle, so that work a round leaves behind (a
    // checkpoint of its WAL) is counted in it. A baseline round loads the files into a fresh DuckDB file.
    // __IngestTime has millisecond resolution: step past the warm-up's last commit before counting from here.
    await new Promise((r) => setTimeout(r, 5));
    const timedFrom = new Date();
    const roundSeconds: number[] = [];
    const baseSeconds: number[] = [];
    let serverCpu: number | null = 0;
    let clientCpuMicros = 0;
    for (let round = 0; round < rounds; round++) {
      let accepted = 0;
      let rejected = 0;
      const clientCpu = process.cpuUsage();
      const cpu0 = cpuSecondsOf(srv.child.pid!);
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
      const idleAt = await untilIdle(srv.child.pid!);
      roundSeconds.push((idleAt - started) / 1000);
      const cpu1 = cpuSecondsOf(srv.child.pid!);
      serverCpu = serverCpu !== null && cpu0 !== null && cpu1 !== null ? serverCpu + (cpu1 - cpu0) : null;
      const c = process.cpuUsage(clientCpu);
      clientCpuMicros += c.user + c.system;
      if (rejected > 0) throw new Error(`${rejected} lines were rejected`);
      if (accepted !== total) throw new Error(`round ${round + 1}: acknowledged ${accepted} rows, sent ${total}`);

      const base = await bulkLoadNdjson(join(ndjsonDir, `baseline-${round}.duckdb`), files);
      for (const t of tables) {
        if (base.counts[t] !== sentPerTable.get(t)) throw new Error(`${t}: baseline loaded ${base.counts[t]} rows, ${sentPerTable.get(t)} were sent`);
      }
      baseSeconds.push(base.seconds);
    }
    const mem = memoryOf(srv.child.pid!);
    agent.destroy();

    // A graceful stop checkpoints what the WAL still holds: timed, so that the sustained figure
    // below counts the work the rounds left to the next checkpoint, whatever the threshold.
    const stopStarted = performance.now();
    await srv.stop();
    const stopSeconds = (performance.now() - stopStarted) / 1000;
    stopped = true;

    // What the server stored.
    const stored = await storedCounts(dataPaths(dir).events, tables, timedFrom);
    for (const t of tables) {
      const sent = sentPerTable.get(t)! * rounds;
      if (stored[t] !== sent) throw new Error(`${t}: the server stored ${stored[t]} rows, ${sent} were sent`);
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const seconds = median(roundSeconds);
    const baseRate = total / median(baseSeconds);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
    const rows = total * rounds;
    console.log(`\nbench ingest — ${total} events × ${rounds} rounds after a warm-up of ${warmup} batches per device, ${nDevices} devices, batches of ${batchSize}, encode=${encode}, HTTPS on 127.0.0.1, ${tables.length} tables`
      + (env.PALISADE_TEST_FEED_STALL ? `, a stalled feed consumer (backlog bound ${backlogMib ?? 'default'} MiB)` : ''));
    console.log(`palisade serve (acknowledged, until idle): ${list(roundSeconds)} s per round; median ${rate(total, seconds)}`
      + ` (server CPU ${serverCpu?.toFixed(1) ?? '?'} s = ${serverCpu === null ? '?' : ((serverCpu * 1e6) / rows).toFixed(0)} µs/row, peak RSS ${mem.peakMiB?.toFixed(0) ?? '?'} MiB; bench process CPU ${(clientCpuMicros / 1e6).toFixed(1)} s)`);
    console.log(`baseline DuckDB read_ndjson bulk load:     ${list(baseSeconds)} s per round; median ${rate(total, median(baseSeconds))}`);
    console.log(`ratio palisade/baseline (medians): ${(total / seconds / baseRate).toFixed(3)} (goal ≥ 0.5)`);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const sustained = rows / (sum(roundSeconds) + stopSeconds);
    console.log(`sustained, all rounds plus the stop that checkpoints the WAL (${stopSeconds.toFixed(2)} s): ${rate(rows, sum(roundSeconds) + stopSeconds)}`
      + ` against ${rate(rows, sum(baseSeconds))}; ratio ${(sustained / (rows / sum(baseSeconds))).toFixed(3)}`);
    if (cpuProf) console.log(`CPU profile of the server written to ${resolve(cpuProf)}`);
  } finally {
    if (!stopped) await srv.stop();
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
