/**
 * MSAL for Node's public-client flows against a real `palisade serve`, with nothing changed but the
 * authority (`https://127.0.0.1:PORT/{tenant}`, knownAuthorities; the server's CA trusted through a
 * custom network client): the authorization code flow with PKCE (by hand, and through
 * acquireTokenInteractive's loopback listener), its sign-in page filled in by headless Chromium
 * (Debian's, through playwright-core), and the device code flow with the browser
 * completing the verification page, and the password grant (acquireTokenByUsernamePassword, renewed
 * through acquireTokenSilent) with MDE's documented v1 request beside it. The tokens are the user's: their calls see only the machines of the
 * user's device groups. The sign-in pages pass an axe-core check.
 */
import { CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, seriousViolations } from '../support/console-browser.ts';
import { httpsPost, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { caNetworkClient, getJson } from '../support/msal-network.ts';

const MDE_SCOPE = 'https://api.securitycenter.microsoft.com/.default';

let srv: ServerProcess;
let browser: Browser;
let redirectServer: Server;
let redirectPort: number;
let clientId: string;
const cli = async (args: string[]) => JSON.parse(await srv.cli([...args, '--json']));
/** The generated password of each user. */
const passwords = new Map<string, string>();

beforeAll(async () => {
  srv = await startServerProcess();
  // the app's redirect target: a local listener, as a native app or CLI runs one
  redirectServer = createServer((_req, res) => res.end('signed in'));
  await new Promise<void>((r) => redirectServer.listen(0, '127.0.0.1', r));
  redirectPort = (redirectServer.address() as AddressInfo).port;
  for (const name of ['alpha-1', 'alpha-2', 'beta-1']) await srv.enrollDevice(name);
  await cli(['admin', 'device-group', 'create', '--name', 'Alpha', '--name-pattern', 'alpha-*']);
  await cli(['admin', 'device-group', 'create', '--name', 'Beta', '--name-pattern', 'beta-*']);
  await cli(['admin', 'role', 'create', '--name', 'Alpha analysts', '--permission', 'viewData.securityOperations', '--device-group', 'Alpha']);
  await cli(['admin', 'role', 'create', '--name', 'Beta analysts', '--permission', 'viewData.securityOperations', '--device-group', 'Beta']);
  await createUser('alice@contoso.com', 'Alpha analysts');
  await createUser('bob@contoso.com', 'Beta analysts');
  clientId = (await cli(['admin', 'app', 'create', '--name', 'msal-native', '--public', '--redirect-uri', 'http://127.0.0.1/redirect', '--redirect-uri', 'http://localhost'])).clientId;
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => redirectServer?.close(r));
  await srv?.stop();
  srv?.cleanup();
});

async function createUser(upn: string, role: string): Promise<void> {
  const made = await cli(['admin', 'user', 'create', '--upn', upn, '--role', role]);
  passwords.set(upn, made.password);
}
function pca(): PublicClientApplication {
  const host = `127.0.0.1:${srv.port}`;
  return new PublicClientApplication({
    auth: { clientId, authority: `https://${host}/${srv.tenantId}`, knownAuthorities: [host] },
    system: { networkClient: caNetworkClient(srv.ca) },
  });
}

async function fillSignIn(page: Page, upn: string): Promise<void> {
  await page.getByLabel('Email or user name').fill(upn);
  await page.getByLabel('Password').fill(passwords.get(upn)!);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const machineNames = async (accessToken: string) => {
  const res = await getJson(`https://127.0.0.1:${srv.port}/api/machines`, srv.ca, accessToken);
  expect(res.status).toBe(200);
  return (res.body.value as { computerDnsName: string }[]).map((m) => m.computerDnsName).sort();
};

describe('MSAL public client against palisade serve', () => {
  it('signs a user in with the authorization code flow and PKCE; the token sees only the user\'s device groups', async () => {
    const app = pca();
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const redirectUri = `http://127.0.0.1:${redirectPort}/redirect`;
    const url = await app.getAuthCodeUrl({ scopes: [MDE_SCOPE], redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'msal-state' });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(url);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'identity-sign-in');
      await fillSignIn(page, 'alice@contoso.com');
      await page.waitForURL(/\/redirect\?/);
      const back = new URL(page.url());
      expect(back.searchParams.get('state')).toBe('msal-state');
      const result = await app.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: [MDE_SCOPE], redirectUri, codeVerifier: verifier });
      expect(result.account?.username).toBe('alice@contoso.com');
      expect(result.idTokenClaims).toMatchObject({ preferred_username: 'alice@contoso.com', tid: srv.tenantId });
      expect(await machineNames(result.accessToken)).toEqual(['alpha-1', 'alpha-2']);

      // MSAL's cache renews the token with the rotated refresh token
      const silent = await app.acquireTokenSilent({ account: result.account!, scopes: [MDE_SCOPE], forceRefresh: true });
      expect(silent.accessToken).not.toBe(result.accessToken);
      expect(await machineNames(silent.accessToken)).toEqual(['alpha-1', 'alpha-2']);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('signs a user in with acquireTokenInteractive (MSAL\'s own loopback listener and PKCE)', async () => {
    const app = pca();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const result = await app.acquireTokenInteractive({
        scopes: [MDE_SCOPE],
        openBrowser: async (url) => {
          const page = await context.newPage();
          await page.goto(url);
          await fillSignIn(page, 'bob@contoso.com');
        },
        successTemplate: 'Signed in.',
        errorTemplate: 'Sign-in failed.',
      });
      expect(result.account?.username).toBe('bob@contoso.com');
      expect(await machineNames(result.accessToken)).toEqual(['beta-1']);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('gets a token with the password grant (acquireTokenByUsernamePassword), renews it silently, and answers MDE\'s v1 request', async () => {
    const app = pca();
    const result = await app.acquireTokenByUsernamePassword({ scopes: [MDE_SCOPE], username: 'alice@contoso.com', password: passwords.get('alice@contoso.com')! });
    expect(result?.account?.username).toBe('alice@contoso.com');
    expect(await machineNames(result!.accessToken)).toEqual(['alpha-1', 'alpha-2']);
    const silent = await app.acquireTokenSilent({ account: result!.account!, scopes: [MDE_SCOPE], forceRefresh: true });
    expect(silent.accessToken).not.toBe(result!.accessToken);
    expect(await machineNames(silent.accessToken)).toEqual(['alpha-1', 'alpha-2']);
    // a wrong password is MSAL's invalid_grant
    await expect(app.acquireTokenByUsernamePassword({ scopes: [MDE_SCOPE], username: 'alice@contoso.com', password: 'not the password at all' }))
      .rejects.toMatchObject({ errorCode: 'invalid_grant' });

    // MDE's documented v1 request, as a script sends it with only the host changed
    const v1 = await httpsPost(`https://127.0.0.1:${srv.port}/${srv.tenantId}/oauth2/token`, srv.ca, new URLSearchParams({
      resource: 'https://api.securitycenter.microsoft.com', client_id: clientId, grant_type: 'password', username: 'bob@contoso.com', password: passwords.get('bob@contoso.com')!,
    }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(v1.status, v1.body).toBe(200);
    const answer = JSON.parse(v1.body);
    expect(answer).toMatchObject({ token_type: 'Bearer', resource: 'https://api.securitycenter.microsoft.com', expires_on: expect.stringMatching(/^\d+$/) });
    expect(await machineNames(answer.access_token)).toEqual(['beta-1']);
  }, 60_000);

  it('signs a user in with the device code flow, the browser completing the verification page', async () => {
    const app = pca();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      let browserDone: Promise<void> = Promise.resolve();
      const result = await app.acquireTokenByDeviceCode({
        scopes: [MDE_SCOPE],
        deviceCodeCallback: (r) => {
          browserDone = (async () => {
            const page = await context.newPage();
            await page.goto(r.verificationUri);
            expect(await seriousViolations(page)).toEqual([]);
            await page.getByLabel('Code').fill(r.userCode);
            await page.getByRole('button', { name: 'Next' }).click();
            await fillSignIn(page, 'bob@contoso.com');
            await page.getByText('You have signed in to msal-native on your device').waitFor();
          })();
        },
      });
      await browserDone;
      expect(result?.account?.username).toBe('bob@contoso.com');
      expect(await machineNames(result!.accessToken)).toEqual(['beta-1']);
    } finally {
      await context.close();
    }
  }, 120_000);
});
