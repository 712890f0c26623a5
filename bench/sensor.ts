/**
 * Benchmark `sensor`: what the reference sensor costs a busy host (run as root). One real
 * `palisade serve` on 127.0.0.1 and one `palisade sensor` (process, network, file and logon
 * collectors; `--watch` on a temporary folder):
 *
 * 1. Idle: the sensor's CPU (its node process and its native helpers) and RSS over I seconds (20).
 * 2. R rounds (3), each: the busy workload — one shell loop starting N short-lived processes
 *    (`/bin/true <marker>-i`, 2,000) as fast as it can, writing a file in the watched folder at each
 *    step — first with the sensor stopped (the baseline), then with it running: processes per second
 *    both ways, the sensor's CPU (share of one core) during the loop and in all until its events were
 *    in, its RSS peak, and how many of the N processes reached the server (hunted in
 *    DeviceProcessEvents by their marker). Alternating rounds spread the machine's other load over both.
 *
 * 3. In the same rounds, a system-call workload — `dd` copying S bytes one at a time from /dev/zero to
 *    /dev/null (2·S system calls, S = 1,000,000) — without the sensor and then with it, once its
 *    events are in: the process collector's eBPF program runs at every system call of the host
 *    (native/exec-args.h), and this prints what that adds per call.
 *
 * Prints the figures and the ratio of the workload's median throughput with the sensor to without.
 *
 * Options: --processes N (2000) --rounds R (3) --idle-seconds I (20) --syscall-bytes S (1000000)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSensorProcess, type SensorProcess } from '../test/support/sensor-process.ts';
import { httpsPost, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { numberArg } from './support/args.ts';
import { cpuSecondsOf, memoryOf } from './support/proc-status.ts';

const run = promisify(execFile);

/** `pid` and every process below it (the sensor's native helpers). */
function treeOf(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** CPU seconds used so far by the sensor and its helpers, and their summed RSS in MiB. */
function sensorUsage(pid: number): { cpu: number; rssMiB: number } {
  let cpu = 0;
  let rss = 0;
  for (const p of treeOf(pid)) {
    cpu += cpuSecondsOf(p) ?? 0;
    rss += memoryOf(p).rssMiB ?? 0;
  }
  return { cpu, rssMiB: rss };
}

/** Runs the workload: `n` processes in one shell loop, a file write in `watchDir` at each; resolves with seconds taken. */
async function workload(marker: string, n: number, watchDir: string): Promise<number> {
  const t0 = performance.now();
  await run('/bin/sh', ['-c', `i=0; while [ $i -lt ${n} ]; do /bin/true ${marker}-$i; echo $i > "${watchDir}/f$((i % 50))"; i=$((i+1)); done`]);
  return (performance.now() - t0) / 1000;
}

/** Runs `dd` over `bytes` one-byte reads and writes (2·bytes system calls); resolves with seconds taken. */
async function syscallWorkload(bytes: number): Promise<number> {
  const t0 = performance.now();
  await run('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${bytes}`, 'status=none']);
  return (performance.now() - t0) / 1000;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(args: string[]): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench sensor runs as root (the process collector subscribes to the kernel)');
  const n = numberArg(args, 'processes', 2000);
  const rounds = numberArg(args, 'rounds', 3);
  const idleSeconds = numberArg(args, 'idle-seconds', 20);
  const syscallBytes = numberArg(args, 'syscall-bytes', 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-sensor-'));
  const watchDir = mkdtempSync(join(tmpdir(), 'palisade-bench-watch-'));
  let srv: ServerProcess | undefined;
  let sensor: SensorProcess | undefined;
  try {
    srv = await startServerProcess({ dataDir: join(dir, 'server'), args: ['--no-throttle', '--log-level', 'error'] });
    const creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'bench-sensor', '--permissions', 'AdvancedQuery.Read.All', '--json'])) as { tenantId: string; clientId: string; clientSecret: string };
    const pkg = join(dir, 'onboarding.json');
    await srv.cli(['admin', 'onboarding-package', '--out', pkg, '--expires', '2h']);
    const tok = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca,
      new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' });
    const bearer = `Bearer ${(JSON.parse(tok.body) as { access_token: string }).access_token}`;
    const caughtOf = async (marker: string) => {
      const r = await httpsPost(`${srv!.url}/api/advancedqueries/run`, srv!.ca, JSON.stringify({ Query: `DeviceProcessEvents | where FileName == "true" and ProcessCommandLine has "${marker}" | distinct ProcessCommandLine | count` }), { 'content-type': 'application/json', authorization: bearer });
      return ((JSON.parse(r.body) as { Results: { Count: number }[] }).Results[0]?.Count) ?? 0;
    };
    const startSensor = () => startSensorProcess({ stateDir: join(dir, 'state'), onboarding: pkg, args: ['--watch', watchDir, '--log-level', 'error'] });

    // idle: a fresh sensor, settled for 3 s, then watched for I seconds
    sensor = await startSensor();
    let pid = sensor.child.pid!;
    await new Promise((r) => setTimeout(r, 3000));
    const idle0 = sensorUsage(pid);
    let idlePeak = idle0.rssMiB;
    const idleEnd = Date.now() + idleSeconds * 1000;
    while (Date.now() < idleEnd) {
      await new Promise((r) => setTimeout(r, 1000));
      idlePeak = Math.max(idlePeak, sensorUsage(pid).rssMiB);
    }
    const idle1 = sensorUsage(pid);
    await sensor.stop();
    sensor = undefined;

    // rounds, each: the workload without the sensor (baseline), then with it (and until its events are in)
    const base: number[] = [];
    const busy: number[] = [];
    const loadCpu: number[] = [];
    const allCpu: number[] = [];
    const sysBase: number[] = [];
    const sysBusy: number[] = [];
    let busyPeak = 0;
    let caught = 0;
    for (let r = 0; r < rounds; r++) {
      base.push(n / await workload(`bnone${r}x${Date.now().toString(36)}`, n, watchDir));
      sysBase.push(await syscallWorkload(syscallBytes));
      sensor = await startSensor();
      pid = sensor.child.pid!;
      await new Promise((res) => setTimeout(res, 2000));
      const marker = `bsen${r}x${Date.now().toString(36)}`;
      const u0 = sensorUsage(pid);
      busyPeak = Math.max(busyPeak, u0.rssMiB);
      const sampler = setInterval(() => { busyPeak = Math.max(busyPeak, sensorUsage(pid).rssMiB); }, 250);
      const seconds = await workload(marker, n, watchDir);
      const u1 = sensorUsage(pid);
      let got = 0;
      const end = Date.now() + 60_000;
      while (Date.now() < end) {
        got = await caughtOf(marker);
        if (got >= n) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      const u2 = sensorUsage(pid);
      clearInterval(sampler);
      sysBusy.push(await syscallWorkload(syscallBytes));
      busy.push(n / seconds);
      loadCpu.push((u1.cpu - u0.cpu) / seconds);
      allCpu.push(u2.cpu - u0.cpu);
      caught += got;
      await sensor.stop();
      sensor = undefined;
    }

    const pct = (share: number) => `${(share * 100).toFixed(1)}% of one core`;
    process.stdout.write([
      `sensor benchmark: ${rounds} rounds of ${n} short-lived processes (one shell loop, a watched-file write each); the sensor runs its process, network, file and logon collectors`,
      `  idle sensor:      CPU ${pct((idle1.cpu - idle0.cpu) / idleSeconds)} over ${idleSeconds} s; RSS ${idle1.rssMiB.toFixed(1)} MiB (peak ${idlePeak.toFixed(1)} MiB), node and its helpers`,
      `  without sensor:   ${base.map((x) => x.toFixed(0)).join(', ')} processes/s (median ${median(base).toFixed(0)})`,
      `  with sensor:      ${busy.map((x) => x.toFixed(0)).join(', ')} processes/s (median ${median(busy).toFixed(0)})`,
      `  sensor under load: CPU ${loadCpu.map(pct).join(', ')} during the loop; ${allCpu.map((x) => x.toFixed(1)).join(', ')} CPU s per round until its events were in; RSS peak ${busyPeak.toFixed(1)} MiB`,
      `  delivered:        ${caught} of ${rounds * n} processes reached the server (${((caught / (rounds * n)) * 100).toFixed(1)}%)`,
      `  system calls:     ${(2 * syscallBytes).toLocaleString('en-US')} one-byte reads and writes took ${sysBase.map((x) => x.toFixed(2)).join(', ')} s without the sensor, ${sysBusy.map((x) => x.toFixed(2)).join(', ')} s with it: ${(((median(sysBusy) - median(sysBase)) * 1e9) / (2 * syscallBytes)).toFixed(0)} ns added per system call (medians; ratio ${(median(sysBusy) / median(sysBase)).toFixed(2)})`,
      `  ratio: the workload ran at ${(median(busy) / median(base)).toFixed(2)}× its speed without the sensor (medians)`,
      '',
    ].join('\n'));
  } finally {
    await sensor?.stop();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(watchDir, { recursive: true, force: true });
  }
}
