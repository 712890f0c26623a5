/**
 * The web console in headless Chromium (Debian's, through playwright-core) against a real
 * `palisade serve` (127.0.0.1, stopped by PID at the end): a local user signs in through the
 * sign-in page (authorization code + PKCE), finds and tags a device, isolates a simulated device (`palisade
 * simulate`'s action protocol, in process) and watches the status reach Succeeded, resolves an
 * alert raised by an indicator match, and imports indicators from a CSV file. Every page passes an
 * axe-core check with no serious or critical violation; the audit log names the user for each of
 * those changes. Screenshots go to test-artifacts/console/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/cli/simulate.ts';
import { consoleContext, launchChromium, screenshot, seriousViolations, signIn } from '../support/console-browser.ts';
import { httpsPost, httpsRequest, startServerProcess, type DeviceCredentials, type ServerProcess } from '../support/server-process.ts';

const SHA1 = '0e7b3c2a9d8f6e5d4c3b2a1f0e9d8c7b6a5f4e3d';
const USER = { name: 'ana@palisade.test', displayName: 'Ana Analyst' };

let srv: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let password: string;
let appToken: string;
let iocDevice: DeviceCredentials;
let isolatedId = '';
const simulation = new AbortController();
let simulated: Promise<unknown> | null = null;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

async function api(method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; json: any }> {
  const headers = { authorization: `Bearer ${appToken}`, 'content-type': 'application/json' };
  const r = body === undefined ? await httpsRequest(method, `${srv.url}${path}`, srv.ca, { authorization: headers.authorization }) : await httpsPost(`${srv.url}${path}`, srv.ca, JSON.stringify(body), headers);
  return { status: r.status, json: JSON.parse(r.body || 'null') };
}

async function until<T>(what: string, f: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The page passes axe-core's WCAG A/AA rules without a serious or critical violation. */
async function accessible(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousViolations(page), name).toEqual([]);
}

beforeAll(async () => {
  srv = await startServerProcess({ args: ['--no-throttle'] });
  const app = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'seeder', '--permissions', 'Ti.ReadWrite.All,Alert.Read.All,Machine.Read.All', '--json']));
  const t = await httpsPost(`${srv.url}/${app.tenantId}/oauth2/v2.0/token`, srv.ca, new URLSearchParams({
    grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default',
  }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  appToken = JSON.parse(t.body).access_token;
  password = JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', USER.name, '--display-name', USER.displayName, '--role', 'Palisade Administrator', '--json'])).password;

  // simulated devices that carry out actions, and one device whose event matches an indicator (an alert)
  const pkg = join(srv.dataDir, 'console-onboarding.json');
  await srv.cli(['admin', 'onboarding-package', '--out', pkg]);
  simulated = simulate({ onboarding: pkg, devices: 3, eventsPerSec: 0, seed: 14, heartbeatInterval: 60, concurrency: 4, batchSize: 100, quiet: true, actions: true }, simulation.signal);
  iocDevice = await srv.enrollDevice('finance-laptop-7');
  const ioc = await api('POST', '/api/indicators', { indicatorValue: SHA1, indicatorType: 'FileSha1', action: 'Audit', generateAlert: true, severity: 'High', title: 'Known dropper', description: 'console test' });
  expect(ioc.status).toBe(200);
  const row = { Timestamp: new Date().toISOString(), ActionType: 'ProcessCreated', FileName: 'dropper', FolderPath: '/tmp/dropper', SHA1, ProcessId: 4242, ProcessCommandLine: '/tmp/dropper --run', AccountName: 'root', ReportId: 7 };
  const sent = await httpsPost(`${srv.url}/sensor/v1/events`, srv.ca, `${JSON.stringify({ table: 'DeviceProcessEvents', row })}\n`, {
    authorization: `Device ${iocDevice.deviceId}:${iocDevice.deviceCredential}`, 'content-type': 'application/x-ndjson', 'x-batch-id': 'console-ioc-0001',
  });
  expect(sent.status, sent.body).toBeLessThan(300);
  await until('the indicator alert', async () => ((await api('GET', '/api/alerts')).json.value.length > 0 ? true : null));
  await until('the simulated fleet', async () => ((await api('GET', '/api/machines')).json.value.length >= 4 ? true : null));

  browser = await launchChromium();
  context = await consoleContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 180_000);

afterAll(async () => {
  simulation.abort();
  await simulated?.catch(() => {});
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

describe('the web console', () => {
  it('signs a local user in through the sign-in page and shows the dashboard', async () => {
    await page.goto(`${srv.url}/console/`);
    await page.getByLabel('Email or user name').waitFor();
    await accessible('sign-in');
    await signIn(page, srv.url, { name: USER.name, password });
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await expect.poll(() => page.getByText(USER.displayName).count()).toBe(1);
    await page.getByRole('heading', { name: 'Device health' }).waitFor();
    await page.getByRole('table', { name: 'Devices by health status' }).waitFor();
    await accessible('dashboard');
  });

  it('works from the keyboard: skip link, navigation, focus on the new page, sorting', async () => {
    await page.goto(`${srv.url}/console/`);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const focused = () => page.evaluate(() => (document.activeElement?.textContent ?? '').trim());
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Shift+Tab');
    for (let i = 0; i < 10 && (await focused()) !== 'Devices'; i++) await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Devices');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('descending');
  });

  it('finds a device by name, tags it from the inventory, finds it by the tag and opens it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.getByRole('searchbox', { name: 'Name starts with' }).fill('finance-');
    const grid = page.getByRole('table', { name: 'Devices' });
    await expect.poll(() => grid.getByRole('link').allTextContents()).toEqual(['finance-laptop-7']);
    expect(new URL(page.url()).searchParams.get('name')).toBe('finance-');
    await accessible('devices');
    // tag the device from the inventory, then find it by its tag
    await grid.getByRole('checkbox', { name: 'Select row 1' }).check();
    await page.getByRole('form', { name: 'Tag the selected devices' }).getByLabel('Tag').fill('vip');
    await page.getByRole('button', { name: 'Add tag to selected' }).click();
    await expect.poll(() => grid.getByText('vip', { exact: true }).count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Name starts with' }).fill('');
    await page.getByRole('searchbox', { name: 'Tag' }).fill('vip');
    await expect.poll(() => grid.getByRole('link').allTextContents()).toEqual(['finance-laptop-7']);
    await grid.getByRole('link', { name: 'finance-laptop-7' }).click();
    await page.getByRole('heading', { name: 'finance-laptop-7', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Timeline (7 days)' }).waitFor();
    expect(await page.getByRole('region', { name: 'Tags' }).getByRole('button', { name: 'Remove tag vip' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('list', { name: 'Events, newest first' }).getByText('/tmp/dropper --run').count()).toBeGreaterThan(0);
    await accessible('device');
  });

  it('isolates a simulated device and quarantines a file on it, watching each action reach Succeeded', async () => {
    const machines = (await api('GET', '/api/machines')).json.value as { id: string; computerDnsName: string }[];
    const sim = machines.find((m) => m.id !== iocDevice.deviceId)!;
    isolatedId = sim.id;
    await page.goto(`${srv.url}/console/devices/${sim.id}`);
    await page.getByRole('heading', { name: sim.computerDnsName, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Isolate device' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Comment').fill('Contain the host while we investigate');
    await dialog.getByRole('button', { name: 'Isolate device' }).click();
    const status = page.getByRole('table', { name: 'Actions on this device' }).getByLabel('Isolate status');
    await status.waitFor();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Succeeded');
    await screenshot(page, 'device-isolated');
    await page.getByRole('button', { name: 'Stop and quarantine file' }).click();
    await dialog.getByLabel('SHA-1 of the file').fill(SHA1);
    await dialog.getByLabel('Comment').fill('Quarantine the dropper');
    await dialog.getByRole('button', { name: 'Stop and quarantine file' }).click();
    const quarantine = page.getByRole('table', { name: 'Actions on this device' }).getByLabel('StopAndQuarantineFile status');
    await expect.poll(() => quarantine.textContent(), { timeout: 60_000 }).toBe('Succeeded');
    const actions = (await api('GET', `/api/machines/${sim.id}/machineactions`)).json.value as { type: string; requestor: string; status: string }[];
    expect(actions).toContainEqual(expect.objectContaining({ type: 'Isolate', requestor: USER.name, status: 'Succeeded' }));
  });

  it('cancels a pending action and downloads an investigation package in the action center', async () => {
    // the indicator device never polls for work: its scan stays Pending until cancelled
    await page.goto(`${srv.url}/console/devices/${iocDevice.deviceId}`);
    await page.getByRole('button', { name: 'Run antivirus scan' }).click();
    await page.getByRole('dialog').getByLabel('Comment').fill('Scan it');
    await page.getByRole('dialog').getByRole('button', { name: 'Run antivirus scan' }).click();
    await page.getByRole('table', { name: 'Actions on this device' }).getByLabel('RunAntiVirusScan status').waitFor();
    // a simulated device collects and uploads its package
    await page.goto(`${srv.url}/console/devices/${isolatedId}`);
    await page.getByRole('button', { name: 'Collect investigation package' }).click();
    await page.getByRole('dialog').getByLabel('Comment').fill('Collect evidence');
    await page.getByRole('dialog').getByRole('button', { name: 'Collect investigation package' }).click();
    const collected = page.getByRole('table', { name: 'Actions on this device' }).getByLabel('CollectInvestigationPackage status');
    await expect.poll(() => collected.textContent(), { timeout: 60_000 }).toBe('Succeeded');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Action center' }).click();
    const grid = page.getByRole('table', { name: 'Machine actions' });
    await grid.getByRole('button', { name: 'Cancel RunAntiVirusScan on finance-laptop-7' }).click();
    await expect.poll(() => grid.getByRole('row').filter({ hasText: 'RunAntiVirusScan' }).getByText('Cancelled').count()).toBe(1);
    const download = page.waitForEvent('download');
    await grid.getByRole('button', { name: /^Download package of / }).click();
    const file = await (await download).path();
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await accessible('action-center');
  });

  it('resolves an alert from the queue', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    const grid = page.getByRole('table', { name: 'Alerts' });
    await grid.getByRole('link', { name: 'Known dropper' }).first().click();
    const details = page.getByRole('region', { name: 'Known dropper' });
    await details.waitFor();
    await accessible('alerts');
    await details.getByLabel('Comment').fill('Confirmed: test binary');
    await details.getByLabel('Classification').selectOption('TruePositive');
    await details.getByLabel('Determination').selectOption('SecurityTesting');
    await details.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => details.getByText('Confirmed: test binary').count()).toBe(1);
    await details.getByRole('button', { name: 'Resolve alert' }).click();
    await expect.poll(() => details.getByRole('button', { name: 'Resolve alert' }).count()).toBe(0);
    const alerts = (await api('GET', '/api/alerts')).json.value as { title: string; status: string; classification: string; determination: string; comments: { createdBy: string }[] }[];
    expect(alerts.find((a) => a.title === 'Known dropper')).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'SecurityTesting', comments: [expect.objectContaining({ createdBy: USER.name })] });
    await expect.poll(() => grid.getByText('Resolved').count()).toBeGreaterThan(0);
    await screenshot(page, 'alert-resolved');
  });

  it('assigns the selected incidents in one go', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
    const grid = page.getByRole('table', { name: 'Incidents' });
    await grid.getByRole('checkbox', { name: 'Select all rows on this page' }).check();
    const bulk = page.getByRole('region', { name: /^Selected incidents/ });
    await bulk.getByRole('button', { name: 'Assign to me' }).click();
    await bulk.getByLabel('Comment').fill('Taking these');
    await bulk.getByRole('button', { name: 'Apply to selected' }).click();
    await expect.poll(() => grid.getByRole('cell', { name: USER.name, exact: true }).count()).toBeGreaterThan(0);
    expect(await grid.getByRole('cell', { name: '—', exact: true }).count()).toBe(0);
    await accessible('incidents-assigned');
  });

  it('imports indicators from a CSV file with progress and shows each refusal', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Indicators' }).click();
    await page.getByRole('heading', { name: 'Indicators', level: 1 }).waitFor();
    const csv = 'IndicatorType,IndicatorValue,Action,Severity,Title,Description\n'
      + 'DomainName,bad.example,Block,High,Phishing site,From the console test\n'
      + 'IpAddress,203.0.113.77,Audit,Medium,Scanner,From the console test\n'
      + 'FileSha256,not-a-hash,Block,High,Broken row,From the console test\n';
    await page.getByLabel(/CSV file/).setInputFiles({ name: 'iocs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).textContent()).toBe('Imported 2 of 3 indicators from iocs.csv; 1 refused.');
    await page.getByRole('table', { name: 'Refused rows' }).getByRole('cell', { name: 'not-a-hash', exact: true }).waitFor();
    const grid = page.getByRole('table', { name: 'Indicators' });
    await expect.poll(() => grid.getByText('bad.example').count()).toBe(1);
    await expect.poll(() => grid.getByText('203.0.113.77').count()).toBe(1);
    await accessible('indicators');
  });

  it('passes the accessibility check on the other pages; no page threw or broke the CSP, the hunting editor included', async () => {
    for (const [path, heading] of [['incidents', 'Incidents'], ['actions', 'Action center']] as const) {
      await page.goto(`${srv.url}/console/${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('.grid[aria-busy="false"]').first().waitFor();
      await accessible(path);
    }
    // Monaco's workers and styles run under the console's CSP
    await page.goto(`${srv.url}/console/hunting`);
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    await expect.poll(() => page.locator('.monaco-editor .view-lines span[class*="mtk"]').count()).toBeGreaterThan(1);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it("shows each of the user's actions in the audit log under the user's name", async () => {
    const records = await page.evaluate(async (upn) => {
      const { accessToken } = JSON.parse(sessionStorage.getItem('palisade.tokens')!) as { accessToken: string };
      const q = new URLSearchParams({ $filter: `actorName eq '${upn}'`, $top: '200' });
      const r = await fetch(`/api/auditlogs?${q}`, { headers: { authorization: `Bearer ${accessToken}` } });
      return (await r.json()) as { value: { action: string; actorKind: string; actorName: string; result: string; target: string }[] };
    }, USER.name);
    expect(records.value.every((r) => r.actorKind === 'user' && r.actorName === USER.name)).toBe(true);
    const alertId = ((await api('GET', '/api/alerts')).json.value as { id: string; title: string }[]).find((a) => a.title === 'Known dropper')!.id;
    expect(records.value.map((r) => ({ action: r.action, target: r.target, result: r.result }))).toEqual(expect.arrayContaining([
      { action: 'machine.tag.bulk', target: iocDevice.deviceId, result: 'success' },
      { action: 'machineAction.create', target: isolatedId, result: 'success' },
      { action: 'alert.update', target: alertId, result: 'success' },
      { action: 'indicator.import', target: '3 indicators', result: 'success' },
    ]));
    expect(records.value.filter((r) => r.action === 'alert.update')).toHaveLength(2);
  });

  it('refreshes an access token about to expire with the refresh token, and keeps working', async () => {
    const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem('palisade.tokens')!) as { accessToken: string; refreshToken: string; expiresAt: number });
    expect(before.refreshToken).toBeTruthy();
    await page.evaluate(() => {
      const t = JSON.parse(sessionStorage.getItem('palisade.tokens')!);
      sessionStorage.setItem('palisade.tokens', JSON.stringify({ ...t, expiresAt: Date.now() + 10_000 }));
    });
    const refreshed = page.waitForRequest((r) => r.url().endsWith('/oauth2/v2.0/token') && (r.postData() ?? '').includes('grant_type=refresh_token'));
    await page.goto(`${srv.url}/console/devices`);
    expect((await (await refreshed).response())?.status()).toBe(200);
    await page.getByRole('table', { name: 'Devices' }).getByRole('link', { name: 'finance-laptop-7' }).waitFor();
    const after = await page.evaluate(() => JSON.parse(sessionStorage.getItem('palisade.tokens')!) as { accessToken: string; expiresAt: number });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 60_000);
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('palisade.tokens'))).toBeNull();
  });

  it('offers a read-only user only what the roles allow', async () => {
    await srv.cli(['admin', 'role', 'create', '--name', 'Viewer', '--permission', 'viewData.securityOperations', '--all-device-groups']);
    const viewer = JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', 'vic@palisade.test', '--display-name', 'Vic Viewer', '--role', 'Viewer', '--json'])) as { password: string };
    const other = await consoleContext(browser);
    try {
      const p = await other.newPage();
      await signIn(p, srv.url, { name: 'vic@palisade.test', password: viewer.password });
      const nav = p.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Devices' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Indicators' }).count()).toBe(0);
      await nav.getByRole('link', { name: 'Devices' }).click();
      const grid = p.getByRole('table', { name: 'Devices' });
      await grid.getByRole('link', { name: 'finance-laptop-7' }).click();
      await p.getByRole('heading', { name: 'finance-laptop-7', level: 1 }).waitFor();
      expect(await p.getByRole('button', { name: 'Isolate device' }).isDisabled()).toBe(true);
      expect(await p.getByRole('button', { name: 'Add tag' }).count()).toBe(0);
      await p.goto(`${srv.url}/console/alerts`);
      await p.getByRole('table', { name: 'Alerts' }).getByRole('link', { name: 'Known dropper' }).first().click();
      await p.getByRole('region', { name: 'Known dropper' }).waitFor();
      expect(await p.getByRole('button', { name: 'Resolve alert' }).count()).toBe(0);
      expect(await p.getByRole('form', { name: 'Triage' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('asks for the tenant when the server holds several, then signs in to it', async () => {
    await srv.cli(['admin', 'tenant', 'create', '--name', 'Second']);
    const other = await consoleContext(browser);
    try {
      const p = await other.newPage();
      await p.goto(`${srv.url}/console/`);
      await p.getByLabel('Tenant id').fill(srv.tenantId);
      await p.getByRole('button', { name: 'Continue' }).click();
      await p.getByLabel('Email or user name').fill(USER.name);
      await p.getByLabel('Password').fill(password);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      expect(await seriousViolations(p)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
