/**
 * `palisade hunt --login` against a real `palisade serve`: the CLI asks for a device code and shows
 * the message, headless Chromium completes the verification page (the code, then a local user's
 * name and password), the CLI's poll gets the token and the query runs in that user's context; the
 * refresh token is cached in a 0600 file under XDG_CONFIG_HOME, so the next run asks nothing. A
 * user whose roles do not allow hunting is refused by the API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/console-browser.ts';
import { BIN, ROOT, startServerProcess, type ServerProcess } from '../support/server-process.ts';

let srv: ServerProcess;
let browser: Browser;
let config = '';
const users: Record<string, string> = {};

beforeAll(async () => {
  srv = await startServerProcess();
  config = mkdtempSync(join(tmpdir(), 'palisade-cli-config-'));
  await srv.enrollDevice('ny-web-01');
  await srv.cli(['admin', 'device-group', 'create', '--name', 'New York', '--name-pattern', 'ny-*']);
  await srv.cli(['admin', 'role', 'create', '--name', 'NY hunters', '--permission', 'viewData.securityOperations', '--device-group', 'New York']);
  for (const [upn, role] of [['hunter@contoso.com', ['--role', 'NY hunters']], ['nobody@contoso.com', []]] as const) {
    users[upn] = (JSON.parse(await srv.cli(['admin', 'user', 'create', '--upn', upn, ...role, '--json'])) as { password: string }).password;
  }
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
  rmSync(config, { recursive: true, force: true });
});

/** Runs `palisade hunt --login QUERY`; when it shows a device code, `onCode` completes the sign-in. */
function huntLogin(query: string, onCode: (uri: string, code: string) => Promise<void>, configDir = config): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'hunt', '--login', query], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PALISADE_URL: srv.url, PALISADE_TENANT: srv.tenantId, PALISADE_CA: join(srv.dataDir, 'tls', 'ca.pem'), XDG_CONFIG_HOME: configDir },
    });
    let out = '', err = '', asked = false;
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => {
      err += String(d);
      const m = /(https:\/\/\S+?)\s.*?code ([A-Z0-9-]{4,})/s.exec(err);
      if (m && !asked) {
        asked = true;
        onCode(m[1], m[2]).catch((e: unknown) => {
          child.kill('SIGTERM');
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      }
    });
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

/** Completes the device code verification page in a fresh browser as `upn`. */
const verifyAs = (upn: string) => async (uri: string, code: string) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.goto(uri);
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Email or user name').fill(upn);
    await page.getByLabel('Password').fill(users[upn]);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  } finally {
    await context.close();
  }
};

const never = async () => {
  throw new Error('the CLI asked for a device code although a refresh token was cached');
};

describe('palisade hunt --login', () => {
  it('signs in with the device code flow, runs the query as the user, and caches the refresh token for the next run', async () => {
    const first = await huntLogin('DeviceInfo | summarize Devices = dcount(DeviceId)', verifyAs('hunter@contoso.com'));
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/oauth2\/deviceauth/);
    expect(first.out).toMatch(/^Devices/m);
    const cache = join(config, 'palisade', 'tokens.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(cache, 'utf8')))).toHaveLength(1);
    const before = readFileSync(cache, 'utf8');
    const second = await huntLogin('DeviceInfo | take 1 | project DeviceName', never);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toBe('');
    // the refresh token rotated
    expect(readFileSync(cache, 'utf8')).not.toBe(before);
  }, 180_000);

  it('runs in the user\'s context: a user without a hunting permission is refused', async () => {
    const other = mkdtempSync(join(tmpdir(), 'palisade-cli-config-'));
    try {
      const r = await huntLogin('DeviceInfo | take 1', verifyAs('nobody@contoso.com'), other);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/Forbidden|403/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 180_000);
});
