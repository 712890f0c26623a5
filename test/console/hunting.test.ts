/**
 * The console's advanced hunting, settings and audit-log pages in headless Chromium against a real
 * `palisade serve`: a user signs in on the sign-in page, types a query in the Kusto editor (with
 * completion over Palisade's tables), runs it and sees its rows and a chart; an engine error becomes
 * a marker; a long query shows progress and is cancelled; a query is saved, exported as CSV and
 * turned into a detection rule. In the settings, device groups are created and ranked, a role over
 * one of them and a user holding it are created; that user signs in with the password shown once
 * and hunts over his group only; he is disabled. The audit log shows those changes under the
 * admin's name. axe-core finds no serious violation on any of these pages.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import { consoleContext, launchChromium, screenshot, seriousViolations, signIn } from '../support/console-browser.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const USER = { name: 'hedda@example.com', displayName: 'Hedda Hunter' };

let srv: ServerProcess;
let browser: Browser;
let page: Page;
let device: { deviceId: string; deviceCredential: string };

/** Sends `n` process starts of the test's device, the last one a minute ago, as batch `batchId`. */
async function sendProcessStarts(batchId: string, n: number, firstReportId: number): Promise<void> {
  const sensor = new SensorClient({ serverUrl: srv.url, caCertificate: srv.ca, credentials: device, retry: { attempts: 1 }, timeoutMs: 30_000 });
  const now = Date.now() - 60_000;
  const names = ['bash', 'curl', 'python3'];
  const rows = Array.from({ length: n }, (_, i) => ({
    table: 'DeviceProcessEvents',
    row: { Timestamp: new Date(now - i * 5 * 60_000).toISOString(), ActionType: 'ProcessCreated', FileName: names[i % 3], ProcessCommandLine: `${names[i % 3]} --run ${i}`, ReportId: firstReportId + i },
  }));
  try {
    expect((await sensor.sendEvents(batchId, rows as never)).accepted).toBe(n);
  } finally {
    sensor.close();
  }
}

/** Replaces the editor's text by typing `query` as a person would, closing any completion list. */
async function typeQuery(query: string): Promise<void> {
  await page.locator('.kusto-editor-host .monaco-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(query);
  await page.keyboard.press('Escape');
}

async function expectAccessible(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousViolations(page), name).toEqual([]);
}

beforeAll(async () => {
  srv = await startServerProcess();
  const made = JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', USER.name, '--display-name', USER.displayName, '--role', 'Palisade Administrator', '--json']));
  // 60 process starts over five hours on one device: 20 each of bash, curl and python3
  device = await srv.enrollDevice('web-01.corp.example.com');
  await sendProcessStarts('console-hunting-0001', 60, 1000);
  browser = await launchChromium();
  page = await (await consoleContext(browser)).newPage();
  page.setDefaultTimeout(30_000);
  await signIn(page, srv.url, { name: USER.name, password: made.password });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

describe('advanced hunting', () => {
  it('offers our tables\' columns while typing, runs the query and shows its rows and a chart', async () => {
    await page.getByRole('link', { name: 'Advanced hunting' }).click();
    await page.locator('.kusto-editor-host[data-state="ready"]').waitFor({ timeout: 60_000 });
    await typeQuery('DeviceProcessEvents | where FileN');
    await page.keyboard.press('Control+Space');
    await expect.poll(() => page.locator('.suggest-widget .monaco-list-row').allTextContents(), { timeout: 15_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('FileName')]));
    await page.keyboard.press('Escape');

    await typeQuery('DeviceProcessEvents | summarize Starts = count() by FileName | sort by FileName asc');
    await page.getByRole('button', { name: 'Run query' }).click();
    const grid = page.getByRole('table', { name: 'Query results' });
    await expect.poll(() => grid.locator('tbody tr').count(), { timeout: 30_000 }).toBe(3);
    expect(await grid.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['bash', '20']);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'rows in' }).textContent()).toMatch(/^3 rows in/);
    const chart = page.getByLabel('Chart of the results');
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    expect(await chart.locator('figcaption').textContent()).toBe('1 series over 3 values of FileName: Starts (total 60).');
    await expectAccessible('hunting-results');
  });

  it('charts a time series split by a column', async () => {
    await typeQuery('DeviceProcessEvents | summarize n = count() by bin(Timestamp, 1h), FileName | render timechart');
    await page.keyboard.press('Control+Enter');
    const caption = page.getByLabel('Chart of the results').locator('figcaption');
    await expect.poll(() => caption.textContent(), { timeout: 30_000 }).toMatch(/^3 series over Timestamp from .*: (bash|curl|python3) \(total 20\)/);
    await screenshot(page, 'hunting-timechart');
  });

  it('shows the engine\'s error at its place in the editor', async () => {
    await typeQuery('DeviceProcessEvents | where NoSuchColumn == 1');
    await page.getByRole('button', { name: 'Run query' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'NoSuchColumn' }).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('.kusto-editor-host .squiggly-error').count()).toBeGreaterThan(0);
  });

  it('shows a running query\'s progress and cancels it', async () => {
    await typeQuery('range x from 1 to 100000000000 step 1 | summarize s = sum(x)');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('progressbar', { name: 'Running query' }).waitFor();
    await page.getByRole('button', { name: 'Cancel query' }).click();
    await page.getByRole('alert').filter({ hasText: 'The query was cancelled.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Run query' }).isEnabled()).toBe(true);
    expect(await page.getByRole('progressbar').count()).toBe(0);
  });

  it('saves a query on the server, shared with the team, opens it again and exports the rows as CSV', async () => {
    await typeQuery('DeviceProcessEvents | where FileName == "curl" | project Timestamp, DeviceId, ReportId, FileName');
    await page.getByLabel('Save as').fill('Curl starts');
    await page.getByLabel('Share with the team').check();
    await page.getByRole('button', { name: 'Save query' }).click();
    await page.getByText('Query "Curl starts" saved and shared').waitFor({ timeout: 30_000 });
    // kept on the server, not in this browser: a reload with the browser's storage emptied still has it
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('.kusto-editor-host[data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByRole('option', { name: 'Curl starts' }).waitFor({ state: 'attached', timeout: 30_000 });
    await typeQuery('DeviceInfo');
    await page.getByLabel('Saved queries').selectOption({ label: 'Curl starts' });
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: 'Run query' }).click();
    const grid = page.getByRole('table', { name: 'Query results' });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'rows in' }).textContent(), { timeout: 30_000 }).toMatch(/^20 rows in/);
    expect(await grid.locator('tbody tr').count()).toBe(20);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('Timestamp,DeviceId,ReportId,FileName');
    expect(csv.filter((l) => l.endsWith(',curl'))).toHaveLength(20);
  });

  it('turns the query into a custom detection rule', async () => {
    await page.getByRole('button', { name: 'Create detection rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create detection rule' });
    await dialog.getByLabel('Rule name').fill('Curl on servers');
    await dialog.getByLabel('Severity').selectOption('low');
    await dialog.getByLabel('MITRE techniques').fill('T1105');
    await expectAccessible('hunting-rule-dialog');
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('Detection rule "Curl on servers" created').waitFor({ timeout: 30_000 });
    expect(await dialog.isVisible()).toBe(false);
  });
});

describe('settings', () => {
  it('creates a role with permission options and device groups', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Device groups' }).click();
    await page.getByLabel('Group name').fill('Linux servers');
    await page.getByLabel('OS').fill('Linux');
    await page.getByRole('button', { name: 'Create device group' }).click();
    const groups = page.getByRole('table', { name: 'Device groups' });
    await groups.getByText('Linux servers').waitFor({ timeout: 30_000 });
    await page.getByLabel('Group name').fill('Web front ends');
    await page.getByLabel('Device name').fill('web-*, www-*');
    await page.getByLabel('Remediation level').selectOption('Full remediation');
    await page.getByRole('button', { name: 'Create device group' }).click();
    await groups.getByText('Web front ends').waitFor({ timeout: 30_000 });
    // ranked: the second group moves up to rank 1
    await page.getByRole('button', { name: 'Move Web front ends up (rank 1)' }).click();
    await expect.poll(() => groups.locator('tbody tr').first().textContent(), { timeout: 30_000 }).toContain('Web front ends');
    expect(await groups.locator('tbody tr').nth(1).textContent()).toContain('Linux servers');
    await expectAccessible('settings-device-groups');
    await page.getByRole('button', { name: 'Move Web front ends down (rank 2)' }).click();
    await expect.poll(() => groups.locator('tbody tr').first().textContent(), { timeout: 30_000 }).toContain('Linux servers');

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByLabel('Role name').fill('Tier 1');
    await page.getByLabel('View data: security operations').check();
    await page.getByLabel('Alerts investigation').check();
    await page.getByLabel('Only these device groups:').check();
    await page.getByLabel('Linux servers').check();
    await page.getByRole('button', { name: 'Create role' }).click();
    const row = page.getByRole('table', { name: 'Roles' }).locator('tr', { hasText: 'Tier 1' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('Linux servers');
    await expectAccessible('settings-roles');
  });

  it('creates a user holding the role and shows its password once; the user signs in with it and hunts in its group', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('User name (name@domain)').fill('tom@example.com');
    await page.getByLabel('Display name').fill('Tom Tier-One');
    await page.getByRole('group', { name: 'Roles of the new user' }).getByLabel('Tier 1').check();
    await page.getByRole('button', { name: 'Create user' }).click();
    const password = page.locator('code.secret');
    await password.waitFor({ timeout: 30_000 });
    expect((await password.textContent())!.length).toBeGreaterThanOrEqual(12);
    const row = page.getByRole('table', { name: 'Users' }).locator('tr', { hasText: 'tom@example.com' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Tier 1');
    await expectAccessible('settings-users');
    const tomPassword = (await password.textContent())!;
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await password.count()).toBe(0);

    // Tom signs in with that password: his role lists hunting but not the settings, and his rows
    // are those of the Linux servers group: the events the Linux device sent since it joined it
    await sendProcessStarts('console-hunting-0002', 6, 2000);
    const tom = await (await consoleContext(browser)).newPage();
    tom.setDefaultTimeout(30_000);
    try {
      await signIn(tom, srv.url, { name: 'tom@example.com', password: tomPassword });
      const nav = tom.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link', { name: 'Advanced hunting' }).count()).toBe(1);
      expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await nav.getByRole('link', { name: 'Advanced hunting' }).click();
      await tom.locator('.kusto-editor-host[data-state="ready"]').waitFor({ timeout: 60_000 });
      await tom.locator('.kusto-editor-host .monaco-editor').click();
      await tom.keyboard.press('Control+A');
      await tom.keyboard.press('Delete');
      await tom.keyboard.type('DeviceProcessEvents | summarize n = count()');
      await tom.keyboard.press('Escape');
      await tom.getByRole('button', { name: 'Run query' }).click();
      await expect.poll(() => tom.getByRole('table', { name: 'Query results' }).locator('tbody td').allTextContents(), { timeout: 30_000 }).toEqual(['6']);
    } finally {
      await tom.context().close();
    }

    await page.getByRole('button', { name: 'Disable tom@example.com' }).click();
    const tomRow = page.getByRole('table', { name: 'Users' }).locator('tr', { hasText: 'tom@example.com' });
    await expect.poll(() => tomRow.textContent(), { timeout: 30_000 }).toContain('Disabled');
    expect(await page.getByRole('button', { name: 'Enable tom@example.com' }).count()).toBe(1);

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('table', { name: 'Apps' }).waitFor();
    await expectAccessible('settings-apps');
  });
});

describe('audit log', () => {
  it('shows the changes made in the console under the user\'s name', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const grid = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => grid.locator('tbody tr', { hasText: USER.name }).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    const text = await grid.textContent();
    for (const target of ['Tier 1', 'tom@example.com', 'Linux servers', 'Web front ends']) expect(text).toContain(target);
    for (const action of ['detectionRule.create', 'role.create', 'user.create', 'user.update', 'deviceGroup.create']) expect(text).toContain(action);
    await expectAccessible('audit-log');
    await page.getByLabel('Action starts with').fill('role.');
    await expect.poll(() => grid.locator('tbody tr').allTextContents(), { timeout: 30_000 }).toEqual([expect.stringContaining('role.create')]);
  });
});
