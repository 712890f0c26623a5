/**
 * Benchmark `detect`: what matching indicators on ingest costs, how soon a match is an alert, and
 * how fast alerts are listed with their evidence. One real `palisade serve` process (no quotas):
 *
 * 1. Ingest rate with 0 and with 15,000 active indicators, in the same run: simulated devices post
 *    gzip NDJSON batches of realistic telemetry (generated and encoded before the clock starts), R
 *    rounds of each in turn — a round without (the indicators batch-deleted), then a round with (15,000
 *    imported again: SHA1, SHA256, MD5, domains, IPs, URLs, none of which the telemetry hits, so the
 *    figure is the matching's cost, not alerting's), in the order without, with, with, without, … so
 *    that a drift of a shared machine weighs on both. Medians compared; goal ≥ 90% of the rate without.
 * 2. Event-to-alert latency: with 15,000 in place, one of them an indicator for a hash H, L events
 *    of a process with hash H are sent one batch each, spaced; each alert's `alertCreationTime` (the
 *    server's clock, same machine) minus the moment its batch was sent; p50 and p99 (goal p99 < 2 s).
 * 3. 10,000 alerts (N, events with hash H in batches of 1,000) listed with `$expand=evidence` page by
 *    page ($top=1000) and in one page of 10,000.
 *
 * Options: --events N (100000) --devices D (10) --batch-size B (1000) --rounds R (3) --seed S (1)
 *   --latency-events L (50) --alerts A (10000) --indicators I (15000); 0 skips phase 2 or 3
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnboardingPackage } from '../src/sensor/transport/onboarding-package.ts';
import type { SimEvent } from '../src/sensor/simulator/telemetry.ts';
import { httpsPost, httpsRequest, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { numberArg } from './support/args.ts';
import { encodeBatch, enrollFleet, generateEvents, postEncodedBatch, type BenchDevice } from './support/sensor-fleet.ts';

const hex = (n: number, width: number, salt: number) => {
  let s = '';
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  while (s.length < width) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += x.toString(16).padStart(8, '0');
  }
  return s.slice(0, width);
};

/** `n` indicators of every type, none of which the simulator's telemetry hits. */
function indicatorBodies(n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    const [indicatorType, indicatorValue, action] =
      k < 4 ? ['FileSha1', hex(i, 40, 1), 'Audit']
        : k < 6 ? ['FileSha256', hex(i, 64, 2), 'Block']
          : k === 6 ? ['FileMd5', hex(i, 32, 3), 'Audit']
            : k === 7 ? ['DomainName', `c2-${i}.bench-${i % 97}.example`, 'Block']
              : k === 8 ? ['IpAddress', `198.51.${(i >> 8) & 255}.${i & 255}`, 'Audit']
                : ['Url', `https://files-${i}.bench.example/payload/${i}`, 'Block'];
    out.push({ indicatorType, indicatorValue, action, generateAlert: true, severity: 'Medium', title: `bench ${i}`, description: 'bench indicator' });
  }
  return out;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs: number[]) => percentile(xs, 50);

export async function main(args: string[]): Promise<void> {
  const total = numberArg(args, 'events', 100_000);
  const nDevices = numberArg(args, 'devices', 10);
  const batchSize = numberArg(args, 'batch-size', 1000);
  const rounds = numberArg(args, 'rounds', 3);
  const seed = numberArg(args, 'seed', 1);
  const latencyEvents = numberArg(args, 'latency-events', 50);
  const nAlerts = numberArg(args, 'alerts', 10_000);
  const nIndicators = numberArg(args, 'indicators', 15_000);

  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-detect-'));
  const srv: ServerProcess = await startServerProcess({ dataDir: dir, args: ['--no-throttle', '--log-level', 'error'] });
  try {
    const creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'bench-detect', '--permissions', 'Ti.ReadWrite.All,Alert.ReadWrite.All', '--json'])) as { tenantId: string; clientId: string; clientSecret: string };
    const tok = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca,
      new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' });
    const auth = { authorization: `Bearer ${JSON.parse(tok.body).access_token}` };
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await httpsRequest(method, `${srv.url}${path}`, srv.ca, body === undefined ? auth : { ...auth, 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
      if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body.slice(0, 300)}`);
      return r.body ? JSON.parse(r.body) : null;
    };

    const pkgPath = join(dir, 'onboarding.json');
    await srv.cli(['admin', 'onboarding-package', '--out', pkgPath, '--expires', '2h']);
    const pkg = await readOnboardingPackage(pkgPath);
    const agent = new https.Agent({ keepAlive: true, maxSockets: nDevices, ca: pkg.caCertificate });
    const fleet = await enrollFleet(pkg, nDevices, seed, agent);
    const end = new Date();
    const loads = fleet.map((dev, i) => {
      const count = Math.floor((total * (i + 1)) / nDevices) - Math.floor((total * i) / nDevices);
      const events = generateEvents(dev.device, seed, count, end, 60);
      const bodies: Buffer[] = [];
      for (let k = 0; k < events.length; k += batchSize) bodies.push(encodeBatch(events.slice(k, k + batchSize)));
      return { dev, bodies };
    });
    console.log(`enrolled ${fleet.length} devices; ${total} events in batches of ${batchSize}, encoded before timing`);

    const bodies = indicatorBodies(nIndicators);
    const addIndicators = async () => {
      const ids: string[] = [];
      for (let i = 0; i < bodies.length; i += 500) {
        const r = await api('POST', '/api/indicators/import', { Indicators: bodies.slice(i, i + 500) }) as { value: { id: string | null; isFailed: boolean; failureReason: string | null }[] };
        const failed = r.value.find((x) => x.isFailed);
        if (failed) throw new Error(`an indicator import failed: ${failed.failureReason}`);
        ids.push(...r.value.map((x) => x.id!));
      }
      return ids;
    };
    const removeIndicators = async (ids: string[]) => {
      for (let i = 0; i < ids.length; i += 500) await api('POST', '/api/indicators/BatchDelete', { IndicatorIds: ids.slice(i, i + 500) });
    };
    const ingestRound = async () => {
      const started = performance.now();
      let accepted = 0;
      await Promise.all(loads.map(async (l) => {
        for (const b of l.bodies) {
          const r = await postEncodedBatch(agent, pkg.serverUrl, l.dev.credentials, b, randomUUID());
          accepted += r.accepted;
        }
      }));
      if (accepted !== total) throw new Error(`acknowledged ${accepted} rows, sent ${total}`);
      return total / ((performance.now() - started) / 1000);
    };

    // warm-up, untimed
    await ingestRound();
    const without: number[] = [];
    const withIndicators: number[] = [];
    let ids: string[] = [];
    // rounds in the order without, with, with, without, … so that a drift of the shared machine
    // weighs on both sides alike
    let first = true;
    const setIndicators = async (on: boolean) => {
      if (!on && ids.length) {
        await removeIndicators(ids);
        ids = [];
      } else if (on && !ids.length) {
        const t = performance.now();
        ids = await addIndicators();
        if (first) console.log(`imported ${ids.length} indicators in ${((performance.now() - t) / 1000).toFixed(1)} s (${ids.length / 500} imports of 500)`);
        first = false;
      }
    };
    // after each change one batch is sent untimed: the first batch after a change loads the new
    // snapshot (and each worker thread builds its matcher once), which is timed apart
    const settle: number[] = [];
    const warmBatch = async () => {
      const t = performance.now();
      await postEncodedBatch(agent, pkg.serverUrl, loads[0].dev.credentials, loads[0].bodies[0], randomUUID());
      return performance.now() - t;
    };
    for (let r = 0; r < rounds; r++) {
      for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
        await setIndicators(on);
        const ms = await warmBatch();
        if (on) settle.push(ms);
        (on ? withIndicators : without).push(await ingestRound());
      }
    }
    await setIndicators(true);
    const rate = (x: number) => `${Math.round(x).toLocaleString('en-US')} rows/s`;
    console.log(`\nbench detect — ${total} events × ${rounds} rounds each way, ${nDevices} devices, HTTPS on 127.0.0.1`);
    console.log(`ingest without indicators:          ${without.map(rate).join(' / ')}; median ${rate(median(without))}`);
    console.log(`ingest with ${nIndicators} indicators:       ${withIndicators.map(rate).join(' / ')}; median ${rate(median(withIndicators))}`);
    console.log(`ratio with/without (medians): ${(median(withIndicators) / median(without)).toFixed(3)} (goal ≥ 0.9)`);
    console.log(`first batch after the ${nIndicators} were imported (loads the new snapshot; untimed above): ${settle.map((x) => `${Math.round(x)} ms`).join(' / ')}`);

    if (latencyEvents === 0 && nAlerts === 0) return;
    // event-to-alert latency, the 15,000 in place
    const hash = hex(424242, 40, 9);
    // one of the 15,000 makes room for it (the cap)
    await api('DELETE', `/api/indicators/${ids[0]}`);
    await api('POST', '/api/indicators', { indicatorType: 'FileSha1', indicatorValue: hash, action: 'Audit', generateAlert: true, severity: 'High', title: 'bench hit', description: 'bench' });
    const dev: BenchDevice = fleet[0];
    const hitEvent = (n: number): SimEvent => ({
      table: 'DeviceProcessEvents',
      row: { Timestamp: new Date().toISOString(), ActionType: 'ProcessCreated', FileName: 'hit.exe', FolderPath: 'C:\\bench\\hit.exe', SHA1: hash, ProcessId: n, ProcessCommandLine: `hit.exe ${n}`, ReportId: n },
    });
    const since = new Date(Date.now() - 1000).toISOString();
    const sentAt = new Map<number, number>();
    for (let n = 1; n <= latencyEvents; n++) {
      sentAt.set(n, Date.now());
      await postEncodedBatch(agent, pkg.serverUrl, dev.credentials, encodeBatch([hitEvent(n)]), randomUUID());
      await new Promise((r) => setTimeout(r, 100));
    }
    type AlertJson = { alertCreationTime: string; evidence: { entityType: string; processId: number | null }[] };
    const latencies: number[] = [];
    const deadline = Date.now() + (latencyEvents ? 60_000 : 0);
    while (latencies.length < latencyEvents && Date.now() < deadline) {
      const page = await api('GET', `/api/alerts?$filter=${encodeURIComponent(`lastUpdateTime gt ${since}`)}&$expand=evidence&$top=10000`) as { value: AlertJson[] };
      latencies.length = 0;
      for (const a of page.value) {
        const n = a.evidence.find((e) => e.entityType === 'Process')?.processId;
        if (n && sentAt.has(n)) latencies.push(Date.parse(a.alertCreationTime) - sentAt.get(n)!);
      }
      if (latencies.length < latencyEvents) await new Promise((r) => setTimeout(r, 200));
    }
    if (latencyEvents) console.log(`event-to-alert latency over ${latencies.length}/${latencyEvents} events: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms (goal p99 < 2000 ms)`);

    if (nAlerts === 0) return;
    // 10,000 alerts, listed with their evidence
    const t0 = performance.now();
    for (let n = 0; n < nAlerts; n += 1000) {
      const batch = Array.from({ length: Math.min(1000, nAlerts - n) }, (_, i) => hitEvent(100_000 + n + i));
      await postEncodedBatch(agent, pkg.serverUrl, dev.credentials, encodeBatch(batch), randomUUID());
    }
    let have = 0;
    while (have < nAlerts + latencyEvents && performance.now() - t0 < 600_000) {
      have = (await api('GET', '/api/alerts?$count=true&$top=0') as { '@odata.count': number })['@odata.count'];
      if (have < nAlerts + latencyEvents) await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`raised ${have} alerts in all; the ${nAlerts} of this phase took ${((performance.now() - t0) / 1000).toFixed(1)} s from the first batch (${Math.round(nAlerts / ((performance.now() - t0) / 1000))} alerts/s)`);
    const t1 = performance.now();
    let listed = 0;
    let pages = 0;
    for (let skip = 0; ; skip += 1000) {
      const page = await api('GET', `/api/alerts?$expand=evidence&$top=1000&$skip=${skip}`) as { value: unknown[] };
      listed += page.value.length;
      pages += 1;
      if (page.value.length < 1000) break;
    }
    const paged = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    const one = await api('GET', '/api/alerts?$expand=evidence&$top=10000') as { value: unknown[] };
    const single = (performance.now() - t2) / 1000;
    console.log(`listed ${listed} alerts with $expand=evidence in ${pages} pages of 1,000: ${paged.toFixed(2)} s (${Math.round(listed / paged)} alerts/s); one page of ${one.value.length}: ${single.toFixed(2)} s`);
    agent.destroy();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
