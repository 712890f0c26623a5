/**
 * Sign-in through an external OpenID provider, end to end: a real provider (oidc-provider on
 * 127.0.0.1, an account whose `groups` claim holds `secops-tier1`), a real `palisade serve` with the
 * provider added (`secops-tier1` → a role over the "New York" device group, just-in-time users), and
 * headless Chromium going through MSAL for Node's public-client authorization code + PKCE flow (only
 * the authority changed) by pressing `Sign in with Corp`. The token's calls are limited to that role: only New York's machines, 403 on
 * isolate (the role lacks active remediation). When the provider drops the group, the next sign-in
 * drops the role. Each sign-in is audited. A forged callback gets an error page, not a 5xx.
 */
import { CryptoProvider, PublicClientApplication, type AuthenticationResult } from '@azure/msal-node';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateUrlFor } from '../../src/cli/data-dir.ts';
import { openStateStore } from '../../src/store/state/open.ts';
import { launchChromium } from '../support/console-browser.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { BIN, httpsRequest, ROOT, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { caNetworkClient } from '../support/msal-network.ts';

const SCOPES = ['https://api.securitycenter.microsoft.com/.default'];
const PROVIDER_SECRET = 'provider-secret-for-palisade';

let srv: ServerProcess;
let op: TestOidcProvider;
let browser: Browser;
const dana: Record<string, unknown> = { preferred_username: 'dana@corp.example', name: 'Dana Scully', email: 'dana@corp.example', email_verified: true, groups: ['secops-tier1', 'everyone'] };
const machines: Record<string, string> = {};
let publicClientId = '';

/** Runs `palisade admin …` against the server's data directory with `stdin` piped in. */
function adminWithStdin(args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'admin', ...args, '--data', srv.dataDir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`admin ${args.join(' ')} exited ${code}: ${err}`))));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  srv = await startServerProcess();
  op = await startOidcProvider({
    client: { clientId: 'palisade', clientSecret: PROVIDER_SECRET, redirectUris: [`${srv.url}/${srv.tenantId}/oauth2/v2.0/federation/callback`] },
    accounts: { dana },
  });
  for (const name of ['ny-web-01', 'ny-web-02', 'ldn-db-01']) machines[name] = (await srv.enrollDevice(name)).deviceId;
  await srv.cli(['admin', 'device-group', 'create', '--name', 'New York', '--name-pattern', 'ny-*']);
  await srv.cli(['admin', 'device-group', 'create', '--name', 'London', '--name-pattern', 'ldn-*']);
  await srv.cli(['admin', 'role', 'create', '--name', 'NY Tier 1', '--permission', 'viewData.securityOperations', '--permission', 'alertsInvestigation', '--device-group', 'New York']);
  await adminWithStdin(['idp', 'add', '--name', 'Corp', '--issuer', op.issuer, '--client-id', 'palisade', '--client-secret-stdin',
    '--scopes', 'openid profile email groups', '--roles-claim', 'groups', '--map', 'secops-tier1=NY Tier 1', '--jit'], `${PROVIDER_SECRET}\n`);
  publicClientId = (JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'Hunting notebook', '--public', '--redirect-uri', 'http://127.0.0.1/callback', '--json'])) as { clientId: string }).clientId;
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await op?.stop();
  await srv?.stop();
  srv?.cleanup();
});

/** A native app's loopback redirect listener (RFC 8252): resolves with the first authorization response it receives. */
async function loopbackListener(): Promise<{ redirectUri: string; response: Promise<URL>; close(): Promise<void> }> {
  let got: (u: URL) => void = () => undefined;
  const response = new Promise<URL>((resolve) => (got = resolve));
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You may close this window.');
    got(new URL(req.url ?? '/', 'http://127.0.0.1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    response,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * MSAL for Node's public-client authorization code flow with PKCE, only the authority changed, in a
 * fresh browser: the sign-in page's `Sign in with Corp` button, the provider's development login (any
 * password) and consent pages, the code back at the app's loopback redirect URI, redeemed by MSAL.
 */
async function signInWithCorp(): Promise<AuthenticationResult> {
  const host = new URL(srv.url).host;
  const pca = new PublicClientApplication({
    auth: { clientId: publicClientId, authority: `${srv.url}/${srv.tenantId}`, knownAuthorities: [host] },
    system: { networkClient: caNetworkClient(srv.ca) },
  });
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const loopback = await loopbackListener();
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const state = randomBytes(16).toString('base64url');
    const url = await pca.getAuthCodeUrl({ scopes: SCOPES, redirectUri: loopback.redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in with Corp' }).click();
    // the provider's own development pages: any password, then consent (asked the first time only)
    await page.locator('input[name="login"]').fill('dana');
    await page.locator('input[name="password"]').fill('whatever the provider accepts');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const back = await Promise.race([
      loopback.response,
      page.getByRole('button', { name: 'Continue' }).click({ timeout: 20_000 }).then(() => loopback.response),
    ]);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('code'), back.href).toBeTruthy();
    const result = await pca.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: SCOPES, redirectUri: loopback.redirectUri, codeVerifier: verifier });
    expect(result.accessToken).toBeTruthy();
    return result;
  } finally {
    await context.close();
    await loopback.close();
  }
}

const api = (method: string, path: string, token: string, body?: unknown) => httpsRequest(method, `${srv.url}${path}`, srv.ca,
  { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : undefined);

describe('sign-in through an external OpenID provider', () => {
  it('creates the user at the first sign-in with the mapped role, whose token sees only its device group and cannot isolate', async () => {
    const t = await signInWithCorp();
    expect(t.account?.username).toBe('dana@corp.example');
    const claims = JSON.parse(Buffer.from(t.accessToken.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.upn).toBe('dana@corp.example');
    const users = JSON.parse(await srv.cli(['admin', 'user', 'list', '--json'])) as { userPrincipalName: string; roles: string[]; external: unknown }[];
    expect(users.find((u) => u.userPrincipalName === 'dana@corp.example')).toMatchObject({ roles: ['NY Tier 1'], external: { issuer: op.issuer, subject: 'dana' } });

    const list = await api('GET', '/api/machines', t.accessToken);
    expect(list.status, list.body).toBe(200);
    expect((JSON.parse(list.body).value as { computerDnsName: string }[]).map((m) => m.computerDnsName).sort()).toEqual(['ny-web-01', 'ny-web-02']);
    expect((await api('GET', `/api/machines/${machines['ldn-db-01']}`, t.accessToken)).status).toBe(404);
    const isolate = await api('POST', `/api/machines/${machines['ny-web-01']}/isolate`, t.accessToken, { Comment: 'not allowed', IsolationType: 'Full' });
    expect(isolate.status, isolate.body).toBe(403);
    expect(JSON.parse(isolate.body).error.code).toBe('Forbidden');

    // audited: the user made just in time, the roles the provider's claim granted, and the sign-in itself
    const state = await openStateStore(stateUrlFor(srv.dataDir));
    try {
      const log = (await state.audit.list(srv.tenantId, 200)).filter((r) => r.target === 'dana@corp.example');
      expect(log.map((r) => `${r.action} ${r.result}`)).toEqual(expect.arrayContaining(['user.create success', 'idp.signin success', 'user.signin success']));
      expect(JSON.parse(log.find((r) => r.action === 'idp.signin')!.details!)).toMatchObject({ provider: 'Corp', subject: 'dana', roles: ['NY Tier 1'] });
      expect(log.find((r) => r.action === 'user.signin')!.details).toContain('Corp');
    } finally {
      await state.close();
    }
  }, 120_000);

  it('drops the role at the next sign-in once the provider drops the group', async () => {
    dana.groups = ['everyone'];
    try {
      const t = await signInWithCorp();
      const users = JSON.parse(await srv.cli(['admin', 'user', 'list', '--json'])) as { userPrincipalName: string; roles: string[] }[];
      expect(users.filter((u) => u.userPrincipalName === 'dana@corp.example').map((u) => u.roles)).toEqual([[]]);
      expect((await api('GET', '/api/machines', t.accessToken)).status).toBe(403);
    } finally {
      dana.groups = ['secops-tier1', 'everyone'];
    }
  }, 120_000);

  it('answers a forged or replayed callback with an error page, never a 5xx', async () => {
    const forged = await httpsRequest('GET', `${srv.url}/${srv.tenantId}/oauth2/v2.0/federation/callback?code=x&state=forged`, srv.ca);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('expired or was already used');
    const noState = await httpsRequest('GET', `${srv.url}/${srv.tenantId}/oauth2/v2.0/federation/callback?error=access_denied`, srv.ca);
    expect(noState.status).toBe(400);
    const start = await httpsRequest('GET', `${srv.url}/${srv.tenantId}/oauth2/v2.0/federation/start?provider=nope&request=nope`, srv.ca);
    expect(start.status).toBe(400);
  });
});
