/**
 * The sign-in flows over HTTP (in process): the authorization code flow with PKCE for the console
 * and for a public app, refresh token rotation, the device code flow, and every refusal — unknown
 * client or redirect URI (an error page, never a redirect), open-redirect attempts, missing PKCE,
 * a bad verifier, a reused code (revoking what it issued), a missing or foreign CSRF token,
 * throttling, a disabled user — with the audit records they leave.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../../src/auth/console-client.ts';
import { s256Challenge } from '../../src/auth/pkce.ts';
import { totpCode } from '../../src/auth/totp.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const HOST = 'localhost:8443';
const BASE = `http://${HOST}`;
const CONSOLE_REDIRECT = `${BASE}/console/`;
const SCOPE = 'https://api.securitycenter.microsoft.com/.default openid profile offline_access';
const PASSWORD = 'correct horse battery staple';

let h: Harness;
let offsetMs = 0;
let appClientId: string;

beforeAll(async () => {
  h = await startHarness({ clock: () => new Date(Date.now() + offsetMs) });
  const op = h.operator();
  await h.palisade.settings.roles.create(op, { name: 'Analysts', permissions: ['viewData.securityOperations'], deviceGroups: 'all' });
  for (const upn of ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com', 'erin@contoso.com']) {
    await h.palisade.settings.users.create(op, { userPrincipalName: upn, roles: ['Analysts'], password: PASSWORD });
  }
  appClientId = (await h.tenants.createPublicApp(op, 'cli', ['http://127.0.0.1/callback'])).clientId;
}, 60_000);
afterAll(async () => h?.close());

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded', host: HOST };

/** A PKCE pair. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}

function hidden(html: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
}

/** Opens the authorize page; the pending request, its CSRF token and the cookie. */
async function openPage(query: Record<string, string>) {
  const res = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/v2.0/authorize?${form(query)}`, headers: { host: HOST } });
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
  return { res, cookie, request: hidden(res.body, 'request'), csrf: hidden(res.body, 'csrf') };
}

function consoleQuery(challenge: string, extra: Record<string, string> = {}) {
  return { client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: CONSOLE_REDIRECT, scope: SCOPE, state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256', ...extra };
}

async function post(path: string, cookie: string, fields: Record<string, string>, address = '127.0.0.1') {
  return h.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: form(fields), remoteAddress: address });
}

/** Signs `upn` in through the console's page; the redirect's code. */
async function signIn(upn: string, challenge: string, address = '127.0.0.1'): Promise<string> {
  const page = await openPage(consoleQuery(challenge));
  const res = await post(`/${h.tenantId}/oauth2/v2.0/authorize`, page.cookie, { request: page.request, csrf: page.csrf, login: upn, password: PASSWORD }, address);
  expect(res.statusCode, res.body).toBe(302);
  const loc = new URL(String(res.headers.location));
  expect(`${loc.origin}${loc.pathname}`).toBe(CONSOLE_REDIRECT);
  expect(loc.searchParams.get('state')).toBe('st-1');
  return loc.searchParams.get('code')!;
}

async function token(fields: Record<string, string>) {
  return h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token`, headers: FORM, payload: form(fields) });
}

const redeem = (code: string, verifier: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: CONSOLE_REDIRECT, code_verifier: verifier, ...extra });

const machines = (accessToken: string) => h.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${accessToken}`, host: HOST } });

describe('authorization code flow with PKCE', () => {
  it('renders an accessible sign-in page under a strict CSP, and signs a user in to the console', async () => {
    const { verifier, challenge } = pkce();
    const page = await openPage(consoleQuery(challenge));
    expect(page.res.statusCode).toBe(200);
    expect(page.res.headers['content-type']).toMatch(/^text\/html/);
    expect(page.res.body).toContain('<label for="login">Email or user name</label>');
    expect(page.res.body).toContain('<label for="password">Password</label>');
    expect(page.res.body).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(page.res.body).not.toContain('<script');
    const csp = String(page.res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${BASE}`);
    expect(page.res.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Lax/);

    const code = await signIn('alice@contoso.com', challenge);
    const res = await redeem(code, verifier);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
    expect(body.refresh_token).toBeTruthy();
    const access = decodeJwt(body.access_token);
    expect(access).toMatchObject({ aud: 'https://api.securitycenter.microsoft.com', idtyp: 'user', upn: 'alice@contoso.com', appid: CONSOLE_CLIENT_ID });
    expect(String(access.scp).split(' ')).toEqual(expect.arrayContaining(['Machine.Read', 'Alert.Read', 'AdvancedQuery.Read']));
    expect(String(access.scp)).not.toContain('Machine.Isolate');
    expect(body.scope).toContain('https://api.securitycenter.microsoft.com/Machine.Read');
    expect(decodeJwt(body.id_token)).toMatchObject({ aud: CONSOLE_CLIENT_ID, nonce: 'n-1', preferred_username: 'alice@contoso.com' });
    expect((await machines(body.access_token)).statusCode).toBe(200);

    // refresh rotates: the new refresh token works, the old one is spent, and reusing it revokes the sign-in
    const refreshed = await token({ grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: body.refresh_token, scope: SCOPE });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json().refresh_token).not.toBe(body.refresh_token);
    const reused = await token({ grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: body.refresh_token });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error).toBe('invalid_grant');
    expect((await machines(refreshed.json().access_token)).statusCode).toBe(401);
    expect((await token({ grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: refreshed.json().refresh_token })).json().error).toBe('invalid_grant');
  });

  it('names only the delegated permissions asked for that the roles grant', async () => {
    const { verifier, challenge } = pkce();
    const page = await openPage(consoleQuery(challenge, { scope: 'https://api.securitycenter.microsoft.com/Machine.Read https://api.securitycenter.microsoft.com/Machine.Isolate' }));
    const res = await post(`/${h.tenantId}/oauth2/v2.0/authorize`, page.cookie, { request: page.request, csrf: page.csrf, login: 'bob@contoso.com', password: PASSWORD });
    const code = new URL(String(res.headers.location)).searchParams.get('code')!;
    const out = (await redeem(code, verifier)).json();
    expect(decodeJwt(out.access_token).scp).toBe('Machine.Read');
    expect(out.refresh_token).toBeUndefined();
    expect(out.id_token).toBeUndefined();
  });

  it('matches a public app\'s loopback redirect URI on any port', async () => {
    const { verifier, challenge } = pkce();
    const redirect = 'http://127.0.0.1:53123/callback';
    const page = await openPage({ ...consoleQuery(challenge), client_id: appClientId, redirect_uri: redirect });
    expect(page.res.statusCode).toBe(200);
    const res = await post(`/${h.tenantId}/oauth2/v2.0/authorize`, page.cookie, { request: page.request, csrf: page.csrf, login: 'bob@contoso.com', password: PASSWORD });
    expect(String(res.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:53123\/callback\?code=/);
    const code = new URL(String(res.headers.location)).searchParams.get('code')!;
    expect((await token({ grant_type: 'authorization_code', client_id: appClientId, code, redirect_uri: redirect, code_verifier: verifier })).statusCode).toBe(200);
  });

  it('posts the code to the redirect URI with response_mode=form_post', async () => {
    const { verifier, challenge } = pkce();
    const page = await openPage(consoleQuery(challenge, { response_mode: 'form_post' }));
    const res = await post(`/${h.tenantId}/oauth2/v2.0/authorize`, page.cookie, { request: page.request, csrf: page.csrf, login: 'bob@contoso.com', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<form method="post" action="${CONSOLE_REDIRECT}" id="post">`);
    expect(hidden(res.body, 'state')).toBe('st-1');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).toContain(`form-action ${BASE}`);
    expect((await redeem(hidden(res.body, 'code'), verifier)).statusCode).toBe(200);
  });

  it('answers an unknown client or an unregistered redirect URI with an error page, never a redirect', async () => {
    const { challenge } = pkce();
    const attempts: Record<string, string>[] = [
      { client_id: '00000000-0000-0000-0000-000000000000' },
      { client_id: 'not-a-guid' },
      { client_id: '' },
      { redirect_uri: 'https://evil.example/console/' },
      { redirect_uri: `${BASE}.evil.example/console/` },
      { redirect_uri: `${BASE}/console/../evil` },
      { redirect_uri: `${BASE}/console/?next=https://evil.example` },
      { redirect_uri: '//evil.example/console/' },
      { redirect_uri: 'javascript:alert(1)' },
      { redirect_uri: `${BASE}/console` },
      { redirect_uri: '' },
      { client_id: appClientId, redirect_uri: 'http://127.0.0.1.evil.example/callback' },
      { client_id: appClientId, redirect_uri: 'http://127.0.0.1:9/other' },
      { client_id: appClientId, redirect_uri: 'http://user@127.0.0.1:9/callback' },
    ];
    for (const a of attempts) {
      const { res } = await openPage({ ...consoleQuery(challenge), ...a });
      expect(res.statusCode, JSON.stringify(a)).toBe(400);
      expect(res.headers.location, JSON.stringify(a)).toBeUndefined();
      expect(res.body).toMatch(/Unknown application|Wrong redirect address/);
    }
    const other = await h.app.inject({ method: 'GET', url: `/00000000-0000-0000-0000-00000000abcd/oauth2/v2.0/authorize?${form(consoleQuery(challenge))}`, headers: { host: HOST } });
    expect(other.statusCode).toBe(400);
    expect(other.headers.location).toBeUndefined();
  });

  it('sends a known client\'s bad request back to its redirect URI as an error', async () => {
    const { challenge } = pkce();
    const cases: [Record<string, string>, string][] = [
      [{ code_challenge: '' }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'openid' }, 'invalid_scope'],
      [{ scope: 'https://evil.example/.default' }, 'invalid_scope'],
      [{ scope: 'https://api.securitycenter.microsoft.com/.default https://graph.microsoft.com/.default' }, 'invalid_scope'],
      [{ prompt: 'none' }, 'login_required'],
    ];
    for (const [q, error] of cases) {
      const { res } = await openPage({ ...consoleQuery(challenge), ...q });
      expect(res.statusCode, JSON.stringify(q)).toBe(302);
      const loc = new URL(String(res.headers.location));
      expect(`${loc.origin}${loc.pathname}`).toBe(CONSOLE_REDIRECT);
      expect(loc.searchParams.get('error'), JSON.stringify(q)).toBe(error);
      expect(loc.searchParams.get('state')).toBe('st-1');
    }
  });

  it('refuses a bad verifier, another redirect URI, another client, and a reused code (revoking its tokens)', async () => {
    const { verifier, challenge } = pkce();
    expect((await redeem(await signIn('carol@contoso.com', challenge), pkce().verifier)).json().error).toBe('invalid_grant');
    expect((await redeem(await signIn('carol@contoso.com', challenge), verifier, { redirect_uri: `${BASE}/other/` })).json().error).toBe('invalid_grant');
    expect((await redeem(await signIn('carol@contoso.com', challenge), verifier, { code_verifier: '' })).json().error).toBe('invalid_grant');
    expect((await token({ grant_type: 'authorization_code', client_id: appClientId, code: await signIn('carol@contoso.com', challenge), redirect_uri: CONSOLE_REDIRECT, code_verifier: verifier })).json().error).toBe('invalid_grant');
    expect((await redeem('made-up', verifier)).json().error).toBe('invalid_grant');
    expect((await token({ grant_type: 'authorization_code', client_id: '00000000-0000-0000-0000-000000000000', code: 'x' })).json().error).toBe('invalid_client');

    const code = await signIn('carol@contoso.com', challenge);
    const first = await redeem(code, verifier);
    expect(first.statusCode).toBe(200);
    expect((await machines(first.json().access_token)).statusCode).toBe(200);
    const replay = await redeem(code, verifier);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    expect((await machines(first.json().access_token)).statusCode).toBe(401);
    expect((await token({ grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: first.json().refresh_token })).json().error).toBe('invalid_grant');

    // a code lives 60 seconds
    const late = await signIn('carol@contoso.com', challenge);
    offsetMs += 61_000;
    try {
      expect((await redeem(late, verifier)).json().error).toBe('invalid_grant');
    } finally {
      offsetMs -= 61_000;
    }
  });

  it('refuses a form without its CSRF token, with another request\'s token, or from another browser', async () => {
    const { challenge } = pkce();
    const a = await openPage(consoleQuery(challenge));
    const b = await openPage(consoleQuery(challenge));
    const path = `/${h.tenantId}/oauth2/v2.0/authorize`;
    const creds = { login: 'alice@contoso.com', password: PASSWORD };
    for (const [cookie, fields] of [
      [a.cookie, { request: a.request, ...creds }],
      [a.cookie, { request: a.request, csrf: b.csrf, ...creds }],
      ['', { request: a.request, csrf: a.csrf, ...creds }],
      ['palisade_signin=' + randomBytes(32).toString('base64url'), { request: a.request, csrf: a.csrf, ...creds }],
      [a.cookie, { csrf: a.csrf, ...creds }],
    ] as [string, Record<string, string>][]) {
      const res = await post(path, cookie, fields);
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
    // the genuine form still works once, then the request is spent
    const ok = await post(path, a.cookie, { request: a.request, csrf: a.csrf, ...creds });
    expect(ok.statusCode).toBe(302);
    expect((await post(path, a.cookie, { request: a.request, csrf: a.csrf, ...creds })).statusCode).toBe(400);
  });

  it('says the same for a wrong password and an unknown user, then throttles the account and the address, audited', async () => {
    const { challenge } = pkce();
    const path = `/${h.tenantId}/oauth2/v2.0/authorize`;
    const page = await openPage(consoleQuery(challenge));
    const attempt = (login: string, password: string, address: string) => post(path, page.cookie, { request: page.request, csrf: page.csrf, login, password }, address);
    const wrong = await attempt('dave@contoso.com', 'not the password!', '10.9.0.1');
    const unknown = await attempt('nobody@contoso.com', PASSWORD, '10.9.0.1');
    const message = (html: string) => /role="alert" id="error">([^<]*)</.exec(html)?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect(message(wrong.body)).toMatch(/user name, password or verification code is incorrect/);
    // five failures on one account, from different addresses: the sixth try is refused even with the right password
    for (let i = 0; i < 4; i++) await attempt('dave@contoso.com', `wrong ${i} password`, `10.9.1.${i}`);
    const locked = await attempt('dave@contoso.com', PASSWORD, '10.9.2.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toMatch(/Too many failed sign-in attempts/);
    const audit = await h.state.audit.list(h.tenantId, 1000);
    const signIns = audit.filter((r) => r.action === 'user.signin' && r.target === 'dave@contoso.com');
    expect(signIns.filter((r) => r.result === 'failure').map((r) => JSON.parse(r.details ?? '{}').reason)).toEqual(expect.arrayContaining(['wrong password', 'throttled']));
    expect(signIns.find((r) => r.result === 'failure')?.actorId).toMatch(/^sign-in:10\.9\./);
    // after the lock the account signs in again
    offsetMs += 31_000;
    try {
      expect((await attempt('dave@contoso.com', PASSWORD, '10.9.2.1')).statusCode).toBe(302);
    } finally {
      offsetMs -= 31_000;
    }
  });

  it('asks for the authentication code after the password when the user has TOTP', async () => {
    const op = h.operator();
    await h.palisade.settings.users.create(op, { userPrincipalName: 'totp@contoso.com', roles: ['Analysts'], password: PASSWORD });
    const uri = (await h.palisade.settings.users.enrollTotp(op, 'totp@contoso.com')).otpauthUri;
    const secret = new URL(uri).searchParams.get('secret')!;
    await h.palisade.settings.users.confirmTotp(op, 'totp@contoso.com', totpCode(secret, Date.now() + offsetMs - 30_000));
    const { verifier, challenge } = pkce();
    const page = await openPage(consoleQuery(challenge));
    const path = `/${h.tenantId}/oauth2/v2.0/authorize`;
    const step1 = await post(path, page.cookie, { request: page.request, csrf: page.csrf, login: 'totp@contoso.com', password: PASSWORD });
    expect(step1.statusCode).toBe(200);
    expect(step1.body).toContain('<label for="otc">Authentication code</label>');
    expect(step1.body).not.toContain('name="password"');
    const bad = await post(path, page.cookie, { request: page.request, csrf: page.csrf, otc: '000000' });
    expect(bad.body).toMatch(/verification code is incorrect/);
    const good = await post(path, page.cookie, { request: page.request, csrf: page.csrf, otc: totpCode(secret, Date.now() + offsetMs) });
    expect(good.statusCode, good.body).toBe(302);
    const code = new URL(String(good.headers.location)).searchParams.get('code')!;
    expect(decodeJwt((await redeem(code, verifier)).json().access_token).upn).toBe('totp@contoso.com');
  });

  it('refuses the code of a user whose sealed TOTP secret was copied from another user\'s row (never a 5xx)', async () => {
    const op = h.operator();
    const secrets: Record<string, string> = {};
    for (const upn of ['totp-a@contoso.com', 'totp-b@contoso.com']) {
      await h.palisade.settings.users.create(op, { userPrincipalName: upn, roles: ['Analysts'], password: PASSWORD });
      secrets[upn] = new URL((await h.palisade.settings.users.enrollTotp(op, upn)).otpauthUri).searchParams.get('secret')!;
      await h.palisade.settings.users.confirmTotp(op, upn, totpCode(secrets[upn], Date.now() + offsetMs - 30_000));
    }
    // someone with write access to the database file gives b the sealed secret of a, whose codes they know
    const raw = new Database(h.stateFile);
    try {
      raw.pragma('busy_timeout = 5000');
      raw.prepare(`update users set totp_secret = (select totp_secret from users where upn = 'totp-a@contoso.com') where upn = 'totp-b@contoso.com'`).run();
    } finally {
      raw.close();
    }
    const { challenge } = pkce();
    const page = await openPage(consoleQuery(challenge));
    const path = `/${h.tenantId}/oauth2/v2.0/authorize`;
    const step1 = await post(path, page.cookie, { request: page.request, csrf: page.csrf, login: 'totp-b@contoso.com', password: PASSWORD });
    expect(step1.body).toContain('<label for="otc">Authentication code</label>');
    const refused = await post(path, page.cookie, { request: page.request, csrf: page.csrf, otc: totpCode(secrets['totp-a@contoso.com'], Date.now() + offsetMs) });
    expect(refused.statusCode).toBe(200);
    expect(refused.body).toMatch(/verification code is incorrect/);
    const audit = await h.state.audit.list(h.tenantId, 5);
    expect(audit.find((r) => r.action === 'user.signin' && r.target === 'totp-b@contoso.com')).toMatchObject({ result: 'failure' });
  });

  it('refuses a disabled user at sign-in and at refresh, and the user\'s tokens at once', async () => {
    const { verifier, challenge } = pkce();
    const out = (await redeem(await signIn('erin@contoso.com', challenge), verifier)).json();
    await h.palisade.settings.users.disable(h.operator(), 'erin@contoso.com');
    expect((await machines(out.access_token)).statusCode).toBe(401);
    expect((await token({ grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: out.refresh_token })).json().error).toBe('invalid_grant');
    const page = await openPage(consoleQuery(challenge));
    const res = await post(`/${h.tenantId}/oauth2/v2.0/authorize`, page.cookie, { request: page.request, csrf: page.csrf, login: 'erin@contoso.com', password: PASSWORD }, '10.8.0.1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/user name, password or verification code is incorrect/);
  });

  it('publishes the endpoints, grants and PKCE method in discovery', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/v2.0/.well-known/openid-configuration`, headers: { host: HOST } });
    expect(res.json()).toMatchObject({
      authorization_endpoint: `${BASE}/${h.tenantId}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${BASE}/${h.tenantId}/oauth2/v2.0/devicecode`,
      grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'client_credentials', 'password']),
      code_challenge_methods_supported: ['S256'],
    });
  });
});

describe('device code flow', () => {
  it('issues a device code, answers pending and slow_down, verifies the code in the browser, then issues the token once', async () => {
    const start = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/devicecode`, headers: FORM, payload: form({ client_id: appClientId, scope: SCOPE }) });
    expect(start.statusCode, start.body).toBe(200);
    const dc = start.json();
    expect(dc).toMatchObject({ user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/), verification_uri: `${BASE}/${h.tenantId}/oauth2/deviceauth`, interval: 5, expires_in: 900 });
    expect(dc.message).toContain(dc.user_code);
    const poll = () => token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: appClientId, device_code: dc.device_code });
    expect((await poll()).json().error).toBe('authorization_pending');
    expect((await poll()).json().error).toBe('slow_down');

    const page = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/deviceauth`, headers: { host: HOST } });
    expect(page.body).toContain('<label for="user_code">Code</label>');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const fields = { request: hidden(page.body, 'request'), csrf: hidden(page.body, 'csrf') };
    const path = `/${h.tenantId}/oauth2/deviceauth`;
    expect((await post(path, cookie, { ...fields, user_code: 'BBBB-BBBB' })).body).toMatch(/not valid or has expired/);
    const creds = await post(path, cookie, { ...fields, user_code: dc.user_code.toLowerCase() });
    expect(creds.body).toContain('<label for="login">Email or user name</label>');
    const done = await post(path, cookie, { ...fields, login: 'bob@contoso.com', password: PASSWORD });
    expect(done.statusCode).toBe(200);
    expect(done.body).toMatch(/You have signed in to cli on your device/);

    offsetMs += 15_000;
    try {
      const ok = await poll();
      expect(ok.statusCode, ok.body).toBe(200);
      expect(decodeJwt(ok.json().access_token)).toMatchObject({ upn: 'bob@contoso.com', appid: appClientId });
      expect(ok.json().refresh_token).toBeTruthy();
      expect((await poll()).json().error).toBe('invalid_grant');
    } finally {
      offsetMs -= 15_000;
    }
  });

  it('answers access_denied once the person declines the device\'s sign-in', async () => {
    const dc = (await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/devicecode`, headers: FORM, payload: form({ client_id: CONSOLE_CLIENT_ID, scope: SCOPE }) })).json();
    const page = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/deviceauth`, headers: { host: HOST } });
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const fields = { request: hidden(page.body, 'request'), csrf: hidden(page.body, 'csrf') };
    const path = `/${h.tenantId}/oauth2/deviceauth`;
    expect((await post(path, cookie, { ...fields, user_code: dc.user_code })).body).toContain('>Decline</button>');
    expect((await post(path, cookie, { ...fields, deny: '1' })).body).toMatch(/You declined the sign-in/);
    const poll = await token({ grant_type: 'device_code', client_id: CONSOLE_CLIENT_ID, device_code: dc.device_code });
    expect(poll.json().error).toBe('access_denied');
  });

  it('expires a device code nobody confirmed, and refuses an unknown client', async () => {
    const dc = (await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/devicecode`, headers: FORM, payload: form({ client_id: appClientId, scope: SCOPE }) })).json();
    offsetMs += 16 * 60_000;
    try {
      expect((await token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: appClientId, device_code: dc.device_code })).json().error).toBe('expired_token');
    } finally {
      offsetMs -= 16 * 60_000;
    }
    const bad = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/devicecode`, headers: FORM, payload: form({ client_id: '00000000-0000-0000-0000-000000000000', scope: SCOPE }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_client');
  });
});
