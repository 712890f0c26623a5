/**
 * The console in headless Chromium for browser tests and the console benchmark: Debian's
 * /usr/bin/chromium driven by playwright-core (never a downloaded browser), a laptop-sized window
 * (1366×768) that trusts the test server's self-signed certificate, screenshots under
 * `test-artifacts/console/` (git-ignored; CI keeps the folder as its artifacts), the sign-in form of
 * the authorization endpoint filled in as a person would, and an axe-core check run inside the page
 * (axe's source evaluated in the page, so the console's CSP stays on).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './server-process.ts';

/** Where the browser tests put their screenshots. */
export const CONSOLE_ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** Debian's chromium. */
export const CHROMIUM = process.env.PALISADE_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium; close it in afterAll (it is a child of this process). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
}

/** A fresh browser context (its own sessionStorage) at 1366×768 trusting the server's certificate. */
export function consoleContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 } });
}

/** Saves a full-page screenshot as `test-artifacts/console/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(CONSOLE_ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Opens the console at `baseUrl`, is sent to the sign-in page, signs in with a local user's name
 * and password, and waits until the console's navigation shows.
 */
export async function signIn(page: Page, baseUrl: string, user: { name: string; password: string }, path = '/console/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Email or user name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** One accessibility violation axe found. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

/** The serious and critical axe-core violations of the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
