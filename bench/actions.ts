/**
 * Benchmark `actions`: how soon an online device receives an action, and what a fleet of online
 * devices costs the server while nothing happens. One real `palisade serve` process (no quotas) on
 * 127.0.0.1:
 *
 * 1. D simulated devices (5,000) enroll, then each holds `GET /sensor/v1/work?wait=25` open, as an
 *    online sensor does (the simulator's work loop: a new long-poll as soon as one answers), over
 *    its own keep-alive connection; devices come online 100 at a time.
 * 2. Idle: with every long-poll held, the server's RSS and CPU (from /proc) over I seconds (30).
 * 3. Baseline, in the same conditions: R plain `GET /healthz` round trips on a warm keep-alive
 *    connection (200), p50 and p99.
 * 4. A actions (1,000): `POST /api/machines/{id}/isolate` to A distinct devices, P per second (20);
 *    for each, the time from just before the POST is sent to the moment its device's long-poll
 *    delivers the action (same process, same monotonic clock), p50/p99/max (goal p99 < 1 s); each
 *    device then reports InProgress and Succeeded, as the simulator does. Also the POST's own round trip.
 *
 * Prints the figures and the ratio of the receive latency to the plain GET round trip.
 *
 * 5. Then, as root, the real sensor's own CPU and RSS idle and on a busy host: `bench sensor`
 *    (bench/sensor.ts) with its defaults, after the fleet is gone; `--no-sensor` skips it.
 *
 * Options: --devices D (5000) --actions A (1000) --rate P (20) --idle-seconds I (30) --rtt-samples R (200)
 *   --seed S (1) --cpu-prof DIR (write the server's CPU profile there) --no-sensor (skip step 5)
 */
import { setMaxListeners } from 'node:events';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readOnboardingPackage } from '../src/sensor/transport/onboarding-package.ts';
import { holdWork } from '../src/sensor/simulator/actions.ts';
import { SensorClient } from '../src/sensor/transport/client.ts';
import { httpsPost, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { numberArg, stringArg } from './support/args.ts';
import { cpuSecondsOf, memoryOf } from './support/proc-status.ts';
import { enrollFleet } from './support/sensor-fleet.ts';

/** One HTTPS request over `agent`; resolves with status and body text. */
function request(agent: https.Agent, url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

export async function main(args: string[]): Promise<void> {
  const nDevices = numberArg(args, 'devices', 5000);
  const nActions = numberArg(args, 'actions', 1000);
  const rate = numberArg(args, 'rate', 20);
  const idleSeconds = numberArg(args, 'idle-seconds', 30);
  const rttSamples = numberArg(args, 'rtt-samples', 200);
  const seed = numberArg(args, 'seed', 1);
  if (nActions > nDevices) throw new Error('--actions must not exceed --devices (one action per device)');

  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-actions-'));
  const env: Record<string, string> = {};
  const cpuProf = stringArg(args, 'cpu-prof');
  if (cpuProf) {
    mkdirSync(resolve(cpuProf), { recursive: true });
    // node refuses --cpu-prof in NODE_OPTIONS; a preloaded module runs the same sampling profiler
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'support/cpu-profile-preload.mjs')}`.trim();
    env.PALISADE_CPU_PROF_DIR = resolve(cpuProf);
  }
  const srv: ServerProcess = await startServerProcess({ dataDir: dir, args: ['--no-throttle', '--log-level', 'error'], env });
  const agents: https.Agent[] = [];
  let stopLoops = () => {};
  const loops: Promise<void>[] = [];
  try {
    const pid = srv.child.pid!;
    const creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'bench-actions', '--permissions', 'Machine.Isolate,Machine.Read.All', '--json'])) as { tenantId: string; clientId: string; clientSecret: string };
    const tok = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca,
      new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' });
    const bearer = { authorization: `Bearer ${JSON.parse(tok.body).access_token}`, accept: 'application/json' };

    const pkgPath = join(dir, 'onboarding.json');
    await srv.cli(['admin', 'onboarding-package', '--out', pkgPath, '--expires', '2h']);
    const pkg = await readOnboardingPackage(pkgPath);
    const enrollAgent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: pkg.caCertificate });
    // a connection per device for its long-poll, as each real sensor has its own, and a few more for progress reports
    const pollAgent = new https.Agent({ keepAlive: true, maxSockets: nDevices + 64, maxFreeSockets: nDevices + 64, ca: pkg.caCertificate, timeout: 120_000 });
    const apiAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: srv.ca });
    agents.push(enrollAgent, pollAgent, apiAgent);

    const t0 = performance.now();
    const fleet = await enrollFleet(pkg, nDevices, seed, enrollAgent);
    console.log(`enrolled ${fleet.length} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // 1. every device holds a long-poll (the simulator's work loop, src/sensor/simulator/actions.ts);
    //    devices come online in batches, so that 5,000 TLS handshakes do not land at once
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const errors: string[] = [];
    let errorCount = 0;
    const noteError = (e: unknown) => {
      errorCount += 1;
      const at = ((performance.now() - t0) / 1000).toFixed(1);
      if (errors.length < 10) errors.push(`${at} s: ${e instanceof Error ? e.message : String(e)}`);
    };
    const clients = fleet.map((dev) => new SensorClient({ serverUrl: pkg.serverUrl, caCertificate: pkg.caCertificate, agent: pollAgent, credentials: dev.credentials }));
    const stop = new AbortController();
    // every device's long-poll listens on this one signal
    setMaxListeners(nDevices + 100, stop.signal);
    stopLoops = () => stop.abort();
    const inUse = () => Object.values(pollAgent.sockets).reduce((n, x) => n + (x?.length ?? 0), 0);
    // connections whose TLS handshake is done (the server's certificate checked)
    const connected = () => Object.values(pollAgent.sockets).reduce((n, x) => n + (x ?? []).filter((sock) => (sock as TLSSocket).authorized).length, 0);
    const t1 = performance.now();
    // devices come online 100 at a time, each batch once the previous one's connections are up
    for (let from = 0; from < fleet.length; from += 100) {
      for (let i = from; i < Math.min(from + 100, fleet.length); i++) {
        const id = fleet[i].credentials.deviceId;
        loops.push(holdWork(clients[i], fleet[i].device.computerDnsName, stop.signal, {
          onAction: (a) => {
            const sent = sentAt.get(id);
            if (a.type === 'Isolate' && sent !== undefined) latencies.push(performance.now() - sent);
          },
          onError: noteError,
        }));
      }
      const until = performance.now() + 10_000;
      while (connected() < Math.min(from + 100, fleet.length) && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`${inUse()} long-polls held by ${nDevices} devices (connections opened and polls started in ${((performance.now() - t1) / 1000).toFixed(1)} s)`);

    // the rows enrollment wrote (DeviceInfo) pass through the feed's consumer groups, one cursor
    // write each: the idle window starts once every group has caught up
    const backlog = async () => {
      const m = await request(apiAgent, new URL('/metrics', srv.url), 'GET', {});
      return [...m.body.matchAll(/^palisade_feed_backlog_batches\{[^}]*\} (\d+)/gm)].reduce((n, x) => n + Number(x[1]), 0);
    };
    const t3 = performance.now();
    while ((await backlog()) > 0 && performance.now() - t3 < 300_000) await new Promise((r) => setTimeout(r, 1000));
    console.log(`the feed's consumers caught up with the enrollment rows ${((performance.now() - t3) / 1000).toFixed(1)} s later`);

    // 2. idle: RSS and CPU of the server with every long-poll held
    const cpu0 = cpuSecondsOf(pid)!;
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpu = (cpuSecondsOf(pid)! - cpu0) / ((performance.now() - wall0) / 1000);
    const idleMem = memoryOf(pid);

    // 3. baseline: plain GET round trips on a warm keep-alive connection, in the same conditions
    const health = new URL('/healthz', srv.url);
    await request(apiAgent, health, 'GET', {});
    const rtts: number[] = [];
    for (let i = 0; i < rttSamples; i++) {
      const s = performance.now();
      const r = await request(apiAgent, health, 'GET', {});
      if (r.status !== 200) throw new Error(`GET /healthz answered ${r.status}`);
      rtts.push(performance.now() - s);
      await new Promise((res) => setTimeout(res, 5));
    }

    // 4. actions: isolate A distinct devices, P per second
    const targets = fleet.slice(0, nActions);
    const posts: number[] = [];
    const t2 = performance.now();
    for (const [i, dev] of targets.entries()) {
      const due = t2 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = dev.credentials.deviceId;
      const sent = performance.now();
      sentAt.set(id, sent);
      void request(apiAgent, new URL(`/api/machines/${id}/isolate`, srv.url), 'POST', bearer, JSON.stringify({ Comment: 'bench isolate', IsolationType: 'Full' }))
        .then((r) => {
          if (r.status !== 201) throw new Error(`POST isolate answered ${r.status}: ${r.body.slice(0, 200)}`);
          posts.push(performance.now() - sent);
        })
        .catch(noteError);
    }
    const deadline = performance.now() + 60_000;
    while (latencies.length < nActions && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // the status the devices reported, as the API shows it
    await new Promise((r) => setTimeout(r, 2000));
    const done = await request(apiAgent, new URL(`/api/machineactions?$filter=${encodeURIComponent("status eq 'Succeeded'")}&$count=true&$top=0`, srv.url), 'GET', bearer);
    const succeeded = done.status === 200 ? (JSON.parse(done.body) as { '@odata.count': number })['@odata.count'] : `? (${done.status})`;

    console.log(`\nbench actions — ${nDevices} simulated online devices holding GET /sensor/v1/work?wait=25 on a real palisade serve (HTTPS, 127.0.0.1, 2 cores shared with the load)`);
    console.log(`server while idle (${idleSeconds} s, every long-poll held, each re-armed every 25 s): RSS ${idleMem.rssMiB?.toFixed(0)} MiB (peak ${idleMem.peakMiB?.toFixed(0)} MiB), CPU ${(idleCpu * 100).toFixed(1)}% of one core`);
    console.log(`baseline plain GET /healthz round trip (${rtts.length}, keep-alive): p50 ${ms(percentile(rtts, 50))}, p99 ${ms(percentile(rtts, 99))}`);
    console.log(`POST isolate round trip (${posts.length}): p50 ${ms(percentile(posts, 50))}, p99 ${ms(percentile(posts, 99))}`);
    console.log(`POST isolate → device receives it, ${latencies.length}/${nActions} actions at ${rate}/s: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(Math.max(...latencies))} (goal p99 < 1000 ms)`);
    console.log(`ratio receive/plain GET: p50 ${(percentile(latencies, 50) / percentile(rtts, 50)).toFixed(2)}, p99 ${(percentile(latencies, 99) / percentile(rtts, 99)).toFixed(2)}`);
    console.log(`actions Succeeded as reported by the devices: ${succeeded}/${nActions}`);
    if (errorCount) console.log(`${errorCount} request errors of the simulated devices (each retried after a second); the first: ${errors.join(' | ')}`);
    if (latencies.length < nActions) process.exitCode = 1;
  } finally {
    stopLoops();
    for (const a of agents) a.destroy();
    await srv.stop();
    await Promise.allSettled(loops);
    rmSync(dir, { recursive: true, force: true });
  }
  if (!args.includes('--no-sensor')) {
    if (process.getuid?.() !== 0) console.log('\nthe real sensor\'s figures need root (bench sensor): skipped');
    else await (await import('./sensor.ts')).main([]);
  }
}
