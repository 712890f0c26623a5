/**
 * Settings › Sign-in providers in headless Chromium against a real `palisade serve` and a real
 * OpenID provider (panva's oidc-provider on 127.0.0.1, an account whose `groups` claim holds
 * `secops-tier1` and `everyone`): an administrator adds the provider in the console (the secret
 * typed in a write-only field, the mapping row `secops-tier1` → a role chosen from the tenant's
 * roles, users created at first sign-in) and edits it (a second row); a person then presses `Sign
 * in with Corp` on the sign-in page, signs in at the provider and lands in the console holding the
 * mapped roles. The administrator disables the
 * provider (its button leaves the sign-in page) and deletes it after confirming. The audit log
 * names the administrator for each change and holds no secret; axe-core finds no serious violation.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleContext, launchChromium, screenshot, seriousViolations, signIn } from '../support/console-browser.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const ADMIN = { name: 'iris@palisade.test', displayName: 'Iris Admin' };
const PROVIDER_SECRET = 'console-provider-secret';
const ROLE = 'SOC responders';

let srv: ServerProcess;
let op: TestOidcProvider;
let browser: Browser;
let page: Page;

async function expectAccessible(p: Page, name: string): Promise<void> {
  await screenshot(p, name);
  expect(await seriousViolations(p), name).toEqual([]);
}

beforeAll(async () => {
  srv = await startServerProcess({ args: ['--no-throttle'] });
  op = await startOidcProvider({
    client: { clientId: 'palisade-console', clientSecret: PROVIDER_SECRET, redirectUris: [`${srv.url}/${srv.tenantId}/oauth2/v2.0/federation/callback`] },
    accounts: { dana: { preferred_username: 'dana@corp.example', name: 'Dana Scully', email: 'dana@corp.example', email_verified: true, groups: ['secops-tier1', 'everyone'] } },
  });
  await srv.cli(['admin', 'role', 'create', '--name', ROLE, '--permission', 'viewData.securityOperations', '--permission', 'alertsInvestigation', '--all-device-groups']);
  await srv.cli(['admin', 'role', 'create', '--name', 'Auditors', '--permission', 'viewData.securityOperations', '--all-device-groups']);
  const made = JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', ADMIN.name, '--display-name', ADMIN.displayName, '--role', 'Palisade Administrator', '--json']));
  browser = await launchChromium();
  page = await (await consoleContext(browser)).newPage();
  page.setDefaultTimeout(30_000);
  await signIn(page, srv.url, { name: ADMIN.name, password: made.password });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await op?.stop();
  await srv?.stop();
  srv?.cleanup();
});

describe('sign-in providers in the console', () => {
  it('adds a provider with a mapping row chosen from the tenant\'s roles; the secret field is write-only', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Sign-in providers' }).click();
    await page.getByRole('heading', { name: 'Sign-in providers', level: 2 }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Sign-in providers' }).textContent()).toContain('No sign-in providers yet.');
    await expect.poll(() => page.locator('main').textContent()).toContain(`/${srv.tenantId}/oauth2/v2.0/federation/callback`);

    const form = page.getByRole('region', { name: 'Add a sign-in provider' });
    await form.getByLabel('Name (shown as “Sign in with …”)').fill('Corp');
    await form.getByLabel('Issuer URL').fill(op.issuer);
    await form.getByLabel('Client id').fill('palisade-console');
    const secret = form.getByLabel('Client secret');
    expect(await secret.getAttribute('type')).toBe('password');
    await secret.fill(PROVIDER_SECRET);
    await form.getByLabel('Scopes (separated by spaces)').fill('openid profile email groups');
    await form.getByLabel('Claim holding the groups or roles').fill('groups');
    await form.getByRole('button', { name: 'Add a mapping row' }).click();
    await form.getByLabel('Claim value 1').fill('secops-tier1');
    expect(await form.getByLabel('Role 1').locator('option').allTextContents()).toEqual(expect.arrayContaining([ROLE, 'Auditors', 'Palisade Administrator']));
    await form.getByLabel('Role 1').selectOption(ROLE);
    // a second row added and removed again, from the keyboard
    await form.getByRole('button', { name: 'Add a mapping row' }).focus();
    await page.keyboard.press('Enter');
    await form.getByLabel('Claim value 2').waitFor();
    await form.getByRole('button', { name: 'Remove mapping row 2' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => form.getByLabel('Claim value 2').count()).toBe(0);
    await form.getByLabel('Create a Palisade user at a person\'s first sign-in').check();
    await expectAccessible(page, 'settings-sign-in-providers-form');
    await form.getByRole('button', { name: 'Add provider' }).click();

    const grid = page.getByRole('table', { name: 'Sign-in providers' });
    await expect.poll(() => grid.locator('tbody tr', { hasText: 'Corp' }).count()).toBe(1);
    const row = await grid.locator('tbody tr', { hasText: 'Corp' }).textContent();
    expect(row).toContain(op.issuer);
    expect(row).toContain('(secret set)');
    expect(row).toContain(`secops-tier1 → ${ROLE}`);
    expect(row).toContain('Created at first sign-in');
    expect(row).not.toContain(PROVIDER_SECRET);

    // editing shows the mapping, never the secret
    await page.getByRole('button', { name: 'Edit sign-in provider Corp' }).click();
    const edit = page.getByRole('region', { name: 'Edit sign-in provider Corp' });
    expect(await edit.getByLabel('New client secret').inputValue()).toBe('');
    expect(await edit.getByLabel('Claim value 1').inputValue()).toBe('secops-tier1');
    expect(await edit.getByLabel('Role 1').inputValue()).toBe(ROLE);
    expect(await edit.getByLabel('Issuer URL').getAttribute('readonly')).not.toBeNull();
    await expectAccessible(page, 'settings-sign-in-providers');
    // a second row: everyone is an auditor too
    await edit.getByRole('button', { name: 'Add a mapping row' }).click();
    await edit.getByLabel('Claim value 2').fill('everyone');
    await edit.getByLabel('Role 2').selectOption('Auditors');
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await expect.poll(() => grid.locator('tbody tr', { hasText: 'Corp' }).textContent()).toContain('everyone → Auditors');
    expect(await page.getByRole('region', { name: 'Add a sign-in provider' }).count()).toBe(1);
  });

  it('lets a person sign in with the provider and land in the console with the mapped roles', async () => {
    const context = await consoleContext(browser);
    try {
      const person = await context.newPage();
      person.setDefaultTimeout(30_000);
      await person.goto(`${srv.url}/console/`);
      await person.getByRole('button', { name: 'Sign in with Corp' }).click();
      // the provider's own development pages: any password, then consent (asked the first time only)
      await person.locator('input[name="login"]').fill('dana');
      await person.locator('input[name="password"]').fill('whatever the provider accepts');
      await person.getByRole('button', { name: 'Sign-in' }).click();
      const main = person.getByRole('navigation', { name: 'Main' });
      await Promise.race([main.waitFor(), person.getByRole('button', { name: 'Continue' }).click().then(() => main.waitFor())]);
      expect(new URL(person.url()).pathname).toMatch(/^\/console\//);
      await expect.poll(() => person.getByText('Dana Scully').count()).toBeGreaterThanOrEqual(1);
      // the mapped roles let her see alerts, not the settings
      expect(await main.getByRole('link', { name: 'Alerts' }).count()).toBe(1);
      expect(await main.getByRole('link', { name: 'Settings' }).count()).toBe(0);
      await screenshot(person, 'sign-in-provider-signed-in');
    } finally {
      await context.close();
    }
    const users = JSON.parse(await srv.cli(['admin', 'user', 'list', '--json'])) as { userPrincipalName: string; roles: string[] }[];
    expect(users.find((u) => u.userPrincipalName === 'dana@corp.example')?.roles).toEqual(['Auditors', ROLE]);
  });

  it('disables the provider (its button leaves the sign-in page) and deletes it after confirming; the audit log names the administrator', async () => {
    await page.getByRole('button', { name: 'Disable sign-in provider Corp' }).click();
    const grid = page.getByRole('table', { name: 'Sign-in providers' });
    await expect.poll(() => grid.locator('tbody tr', { hasText: 'Corp' }).textContent()).toContain('Disabled');
    const context = await consoleContext(browser);
    try {
      const person = await context.newPage();
      await person.goto(`${srv.url}/console/`);
      await person.getByLabel('Email or user name').waitFor();
      expect(await person.getByRole('button', { name: 'Sign in with Corp' }).count()).toBe(0);
    } finally {
      await context.close();
    }

    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Delete sign-in provider Corp' }).click();
    expect(await grid.locator('tbody tr', { hasText: 'Corp' }).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete sign-in provider Corp' }).click();
    await expect.poll(() => grid.textContent()).toContain('No sign-in providers yet.');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Audit records' });
    await page.getByLabel('Action starts with').fill('idp.');
    await expect.poll(() => log.locator('tbody tr', { hasText: ADMIN.name }).count()).toBe(4);
    const text = await log.textContent();
    for (const action of ['idp.add', 'idp.update', 'idp.remove']) expect(text).toContain(action);
    expect(text).not.toContain(PROVIDER_SECRET);
    await expectAccessible(page, 'audit-log-sign-in-providers');
  });
});
