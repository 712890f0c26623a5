/**
 * The console's advanced hunting page in headless Chromium against a real `palisade serve`: a user
 * signs in on the sign-in page, types a query in the Kusto editor (with completion over Palisade's
 * tables), runs it and sees its rows and a chart; an engine error becomes a marker; a long query
 * shows progress and is cancelled; a query is saved, exported as CSV and turned into a detection
 * rule; axe-core finds no serious violation.
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
  const device = await srv.enrollDevice('web-01.corp.example.com');
  const sensor = new SensorClient({ serverUrl: srv.url, caCertificate: srv.ca, credentials: device, retry: { attempts: 1 }, timeoutMs: 30_000 });
  const now = Date.now();
  const rows = Array.from({ length: 60 }, (_, i) => ({
    table: 'DeviceProcessEvents',
    row: { Timestamp: new Date(now - i * 5 * 60_000).toISOString(), ActionType: 'ProcessCreated', FileName: ['bash', 'curl', 'python3'][i % 3], ProcessCommandLine: `${['bash', 'curl', 'python3'][i % 3]} --run ${i}`, ReportId: 1000 + i },
  }));
  try {
    expect((await sensor.sendEvents('console-hunting-0001', rows as never)).accepted).toBe(60);
  } finally {
    sensor.close();
  }
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

  it('saves a query, opens it again and exports the rows as CSV', async () => {
    await typeQuery('DeviceProcessEvents | where FileName == "curl" | project Timestamp, DeviceId, ReportId, FileName');
    await page.getByLabel('Save as').fill('Curl starts');
    await page.getByRole('button', { name: 'Save query' }).click();
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
