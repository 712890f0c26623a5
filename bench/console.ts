/**
 * Benchmark `console`: time to interactive of the web console's device inventory and alert queue
 * with 10,000 devices and 10,000 alerts, in headless Chromium (Debian's, through playwright-core).
 *
 * 1. Seeds a data directory in process: D devices (10,000; a mix of OS, health, risk and tags) and
 *    A alerts (10,000; through AlertService.raiseMany, so they are grouped into incidents and have
 *    their AlertInfo rows), then starts one real `palisade serve` on it (127.0.0.1, no quotas).
 * 2. Creates a local user with the built-in administrator role and signs in through the sign-in
 *    page, as a person does (authorization code + PKCE).
 * 3. For each of R rounds (5), a fresh load of each page, timed from navigation start (the page's
 *    own `performance.now()`) until it is interactive:
 *    - baseline: the console's "page not found" page (the same shell, code and sign-in, no data);
 *    - inventory: `/console/devices` until its grid shows its first page of devices and is no
 *      longer busy;
 *    - alert queue: `/console/alerts` likewise.
 *    The first round warms the caches and is left out.
 *
 * Prints p50 and max per page and the ratio of each to the baseline (goal: inventory and alert
 * queue < 1 s each).
 *
 * Options: --devices D (10000) --alerts A (10000) --rounds R (5)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataPaths } from '../src/cli/data-dir.ts';
import { compose } from '../src/compose.ts';
import { operatorCtx, systemCtx } from '../src/domain/context.ts';
import type { AlertDraft } from '../src/domain/alert.ts';
import { deviceRecord } from '../test/support/harness.ts';
import { consoleContext, launchChromium, signIn } from '../test/support/console-browser.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { numberArg } from './support/args.ts';

const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
const TITLES = ['Suspicious PowerShell command line', 'Known malware detected', 'Credential dumping attempt', 'Connection to a known bad domain', 'Ransomware behaviour', 'Unusual logon'];

/** Seeds `devices` devices and `alerts` alerts into a fresh data directory; returns the tenant id. */
async function seed(dir: string, devices: number, alerts: number): Promise<string> {
  const paths = dataPaths(dir);
  const palisade = await compose({
    state: paths.sqlite,
    events: { path: paths.events, retentionDays: 30, feedDir: paths.feed },
    files: paths.files,
    http: { throttle: false },
  });
  try {
    const tenant = await palisade.tenants.createTenant(operatorCtx(randomUUID(), 'bench'), 'Default');
    const now = Date.now();
    const ids: string[] = [];
    await palisade.state.tx(async (r) => {
      for (let i = 0; i < devices; i++) {
        const d = deviceRecord(tenant.id, {
          computerDnsName: `host-${String(i).padStart(5, '0')}.corp.example`,
          osPlatform: i % 5 === 0 ? 'Linux' : i % 5 === 1 ? 'WindowsServer2022' : 'Windows11',
          sensorHealth: i % 10 === 8 ? 'ImpairedCommunication' : 'Active',
          lastSeen: new Date(now - (i % 10 === 9 ? 9 * 86400_000 : (i % 3600) * 1000)).toISOString(),
          riskScore: (['None', 'Low', 'Medium', 'High'] as const)[i % 4],
          machineTags: i % 4 === 0 ? ['prod'] : i % 7 === 0 ? ['vip', 'finance'] : [],
        });
        d.id = (i.toString(16).padStart(8, '0') + 'c'.repeat(32)).slice(0, 40);
        ids.push(d.id);
        await r.devices.insert(d);
      }
    });
    const ctx = systemCtx(tenant.id);
    for (let start = 0; start < alerts; start += 1000) {
      const drafts: AlertDraft[] = [];
      for (let i = start; i < Math.min(alerts, start + 1000); i++) {
        const at = new Date(now - (i % (29 * 24)) * 3600_000).toISOString();
        drafts.push({
          dedupeKey: `bench:${i}`, title: TITLES[i % TITLES.length], description: 'Seeded by bench console', severity: SEVERITIES[i % 4],
          category: 'Malware', detectionSource: 'CustomDetection', machineId: ids[(i * 7) % ids.length], firstEventTime: at, lastEventTime: at,
        });
      }
      const r = await palisade.alerts.raiseMany(ctx, drafts);
      if (r.rejected.length) throw new Error(`seeding refused alerts: ${r.rejected[0].reason}`);
    }
    return tenant.id;
  } finally {
    await palisade.close();
  }
}

/** What makes a page interactive: its data grid (by label) shows rows and is not busy; or, for the baseline, the "page not found" heading. */
type Ready = { grid: string } | { heading: string };

/** Runs in the page: the page's clock (ms since navigation start) once it is ready, else false. */
function readyAt(r: Ready): number | false {
  let ready: boolean;
  if ('heading' in r) ready = Array.from(document.querySelectorAll('h1')).some((h) => h.textContent === r.heading);
  else {
    const grid = document.querySelector(`table[aria-label="${r.grid}"]`);
    ready = !!grid && grid.closest('.grid')?.getAttribute('aria-busy') === 'false' && grid.querySelectorAll('tbody tr a').length > 0;
  }
  return ready ? performance.now() : false;
}

/** Loads `url` fresh and returns the ms from navigation start until the page is ready (the page's own clock). */
async function timeToInteractive(page: Page, url: string, ready: Ready): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const at = await page.waitForFunction(readyAt, ready, { polling: 'raf', timeout: 60_000 });
  return (await at.jsonValue()) as number;
}

const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export async function main(args: string[]): Promise<void> {
  const nDevices = numberArg(args, 'devices', 10_000);
  const nAlerts = numberArg(args, 'alerts', 10_000);
  const rounds = numberArg(args, 'rounds', 5);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-console-'));
  const t0 = performance.now();
  await seed(dir, nDevices, nAlerts);
  console.log(`seeded ${nDevices} devices and ${nAlerts} alerts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const srv = await startServerProcess({ dataDir: dir, args: ['--no-throttle', '--log-level', 'error'] });
  const browser = await launchChromium();
  try {
    const made = JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', 'bench@palisade.test', '--display-name', 'Bench Analyst', '--role', 'Palisade Administrator', '--json'])) as { password: string };
    const context = await consoleContext(browser);
    const page = await context.newPage();
    await signIn(page, srv.url, { name: 'bench@palisade.test', password: made.password });
    const runs = { baseline: [] as number[], inventory: [] as number[], alerts: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      const b = await timeToInteractive(page, `${srv.url}/console/no-such-page`, { heading: 'Page not found' });
      const inv = await timeToInteractive(page, `${srv.url}/console/devices`, { grid: 'Devices' });
      const al = await timeToInteractive(page, `${srv.url}/console/alerts`, { grid: 'Alerts' });
      if (round === 0) continue;
      runs.baseline.push(b);
      runs.inventory.push(inv);
      runs.alerts.push(al);
    }
    const total = await page.evaluate(() => document.querySelector('.pager span')?.textContent ?? '');
    const base = percentile(runs.baseline, 50);
    const line = (name: string, xs: number[]) => `${name.padEnd(36)} p50 ${percentile(xs, 50).toFixed(0).padStart(5)} ms   max ${Math.max(...xs).toFixed(0).padStart(5)} ms   ratio to baseline ${(percentile(xs, 50) / base).toFixed(2)}`;
    console.log(`\nbench console — ${nDevices} devices, ${nAlerts} alerts, ${rounds} rounds, headless Chromium 1366×768, HTTPS on 127.0.0.1`);
    console.log(line('baseline (console, no data)', runs.baseline));
    console.log(line('device inventory (/console/devices)', runs.inventory) + `   goal < 1000 ms: ${percentile(runs.inventory, 50) < 1000 ? 'met' : 'MISSED'}`);
    console.log(line('alert queue (/console/alerts)', runs.alerts) + `   goal < 1000 ms: ${percentile(runs.alerts, 50) < 1000 ? 'met' : 'MISSED'}`);
    console.log(`(last alert queue pager: ${total})`);
    await context.close();
  } finally {
    await browser.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
