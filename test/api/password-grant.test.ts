/**
 * The password grant and the user grants of the v1 token endpoint, over HTTP (in process): MDE's
 * documented v1 request for a user token (form exactly as the sample sends it) yields a token scoped
 * to the user's device groups and roles; every refusal of the credentials is the same answer (unknown
 * user, wrong password, disabled and external users), the sign-in throttle locks the account, a user
 * with TOTP is sent to the interactive flows (50076), a confidential client must prove its secret,
 * the sign-in session (`sid`) stops the token and its refresh token when revoked or when the user is
 * disabled; and on the v1 endpoint the authorization code (PKCE), refresh token and device code
 * grants answer v1's shape. The audit shows each sign-in with the grant used.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/auth/pkce.ts';
import { totpCode } from '../../src/auth/totp.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const HOST = 'localhost:8443';
const RESOURCE = 'https://api.securitycenter.microsoft.com';
const PASSWORD = 'correct horse battery staple';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', host: HOST };

let h: Harness;
let publicClient: string;
let confidential: { clientId: string; secret: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  const op = h.operator();
  const groups = h.palisade.settings.deviceGroups;
  for (const name of ['alpha-1', 'alpha-2', 'beta-1']) ids[name] = (await h.addDevice({ computerDnsName: name, machineTags: [name.split('-')[0]] })).id;
  const alpha = (await groups.create(op, { name: 'Alpha', rule: { tags: ['alpha'] } })).group.id;
  const beta = (await groups.create(op, { name: 'Beta', rule: { tags: ['beta'] } })).group.id;
  for (const name of ['alpha-1', 'beta-1']) {
    const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
      dedupeKey: `ropc-${name}`, title: `Alert on ${name}`, description: 'x', severity: 'Medium', category: 'Malware', detectionSource: 'CustomerTI', machineId: ids[name],
    });
    ids[`${name}-alert`] = alert.id;
  }
  await h.palisade.settings.roles.create(op, { name: 'Alpha readers', permissions: ['viewData.securityOperations'], deviceGroups: [alpha] });
  await h.palisade.settings.roles.create(op, { name: 'Beta responders', permissions: ['viewData.securityOperations', 'activeRemediation'], deviceGroups: [beta] });
  for (const [upn, role] of [['alice@contoso.com', 'Alpha readers'], ['bob@contoso.com', 'Beta responders'], ['carol@contoso.com', 'Alpha readers'],
    ['dave@contoso.com', 'Alpha readers'], ['erin@contoso.com', 'Alpha readers'], ['totp@contoso.com', 'Alpha readers']]) {
    await h.palisade.settings.users.create(op, { userPrincipalName: upn, roles: [role], password: PASSWORD });
  }
  await h.palisade.settings.users.create(op, { userPrincipalName: 'gone@contoso.com', roles: ['Alpha readers'], password: PASSWORD });
  await h.palisade.settings.users.disable(op, 'gone@contoso.com');
  const secret = new URL((await h.palisade.settings.users.enrollTotp(op, 'totp@contoso.com')).otpauthUri).searchParams.get('secret')!;
  await h.palisade.settings.users.confirmTotp(op, 'totp@contoso.com', totpCode(secret, Date.now()));
  await h.state.users.create({
    tenantId: h.tenantId, id: '0e0e0e0e-0000-4000-8000-000000000001', userPrincipalName: 'fed@contoso.com', displayName: 'Federated', passwordHash: null,
    totpSecret: null, totpEnabled: false, totpLastStep: null, roles: ['Alpha readers'], disabled: false, createdAt: new Date().toISOString(), lastSignInAt: null,
    external: { issuer: 'https://idp.example.com', subject: 'fed-1' },
  });
  publicClient = (await h.tenants.createPublicApp(op, 'mde-script', ['http://localhost'])).clientId;
  const made = await h.tenants.createApp(op, 'confidential-script', []);
  confidential = { clientId: made.clientId, secret: made.clientSecret };
}, 60_000);
afterAll(async () => h?.close());

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const tokenAt = (path: string, fields: Record<string, string>, address = '127.0.0.1', headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: `/${h.tenantId}/${path}`, headers: { ...FORM, ...headers }, payload: form(fields), remoteAddress: address });
/** MDE's documented v1 request for a token in user context. */
const mdeRequest = (username: string, password: string, address = '127.0.0.1', extra: Record<string, string> = {}) =>
  tokenAt('oauth2/token', { resource: RESOURCE, client_id: publicClient, grant_type: 'password', username, password, ...extra }, address);
const call = (method: 'GET' | 'POST', url: string, accessToken: string, payload?: object) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${accessToken}`, host: HOST }, ...(payload ? { payload } : {}) });
const names = (res: { json(): { value: { computerDnsName: string }[] } }) => res.json().value.map((m) => m.computerDnsName).sort();
/** An error body without its per-request fields (the time and the trace id). */
const stable = (body: string) => body.replace(/"timestamp":"[^"]*"/, '"timestamp":"-"').replace(/"trace_id":"[^"]*"/, '"trace_id":"-"');

describe('the password grant on the v1 endpoint (MDE\'s sample request)', () => {
  it('gives a user token scoped to the user\'s device groups and roles, in v1\'s shape', async () => {
    const res = await mdeRequest('alice@contoso.com', PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', resource: RESOURCE, expires_in: expect.stringMatching(/^\d+$/), ext_expires_in: expect.stringMatching(/^\d+$/),
      expires_on: expect.stringMatching(/^\d+$/), not_before: expect.stringMatching(/^\d+$/) });
    expect(body.refresh_token).toBeTruthy();
    expect(body.id_token).toBeUndefined();
    expect(body.scope.split(' ')).toEqual(expect.arrayContaining(['Machine.Read', 'Alert.Read']));
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ aud: RESOURCE, idtyp: 'user', upn: 'alice@contoso.com', appid: publicClient, ver: '1.0', sid: expect.any(String) });
    expect(claims.iss).toBe(`http://${HOST}/${h.tenantId}/`);

    const machines = await call('GET', '/api/machines', body.access_token);
    expect(machines.statusCode, machines.body).toBe(200);
    expect(names(machines)).toEqual(['alpha-1', 'alpha-2']);
    expect((await call('GET', `/api/alerts/${ids['alpha-1-alert']}`, body.access_token)).statusCode).toBe(200);
    expect((await call('GET', `/api/alerts/${ids['beta-1-alert']}`, body.access_token)).statusCode).toBe(404);
    const isolate = await call('POST', `/api/machines/${ids['alpha-1']}/isolate`, body.access_token, { Comment: 'x', IsolationType: 'Full' });
    expect(isolate.statusCode, isolate.body).toBe(403);
    expect(isolate.json().error.code).toBe('Forbidden');

    // a role with active remediation isolates its own group's machine
    const bob = (await mdeRequest('bob@contoso.com', PASSWORD)).json();
    expect(names(await call('GET', '/api/machines', bob.access_token))).toEqual(['beta-1']);
    expect((await call('POST', `/api/machines/${ids['beta-1']}/isolate`, bob.access_token, { Comment: 'x', IsolationType: 'Full' })).statusCode).toBe(201);

    // v1 refresh: rotates, keeps v1's shape
    const refreshed = await tokenAt('oauth2/token', { grant_type: 'refresh_token', client_id: publicClient, refresh_token: body.refresh_token, resource: RESOURCE });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json()).toMatchObject({ resource: RESOURCE, expires_on: expect.stringMatching(/^\d+$/) });
    expect(refreshed.json().refresh_token).not.toBe(body.refresh_token);
    expect(names(await call('GET', '/api/machines', refreshed.json().access_token))).toEqual(['alpha-1', 'alpha-2']);
  });

  it('adds an id_token when openid is asked, and takes the v2.0 form (scope) with a refresh token only for offline_access', async () => {
    const v1 = (await mdeRequest('alice@contoso.com', PASSWORD, '127.0.0.1', { scope: 'openid' })).json();
    expect(decodeJwt(v1.id_token)).toMatchObject({ aud: publicClient, oid: expect.any(String) });
    const v2 = await tokenAt('oauth2/v2.0/token', { grant_type: 'password', client_id: publicClient, username: 'alice@contoso.com', password: PASSWORD, scope: `${RESOURCE}/.default` });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), scope: expect.stringContaining(`${RESOURCE}/Machine.Read`) });
    expect(v2.json().refresh_token).toBeUndefined();
    const offline = (await tokenAt('oauth2/v2.0/token', { grant_type: 'password', client_id: publicClient, username: 'alice@contoso.com', password: PASSWORD, scope: `${RESOURCE}/.default openid profile offline_access` })).json();
    expect(offline.refresh_token).toBeTruthy();
    expect(decodeJwt(offline.id_token)).toMatchObject({ preferred_username: 'alice@contoso.com' });
    expect(decodeJwt(offline.access_token)).toMatchObject({ ver: '2.0', iss: `http://${HOST}/${h.tenantId}/v2.0` });
  });

  it('answers a wrong password, an unknown user, a disabled user and an external user byte for byte alike', async () => {
    const bodies = [];
    for (const [user, password, address] of [['carol@contoso.com', 'not the password!', '10.1.0.1'], ['nobody@contoso.com', PASSWORD, '10.1.0.2'],
      ['gone@contoso.com', PASSWORD, '10.1.0.3'], ['fed@contoso.com', PASSWORD, '10.1.0.4'], ['fed@contoso.com', '', '10.1.0.5']]) {
      const res = await mdeRequest(user, password, address);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_grant', error_codes: [50126] });
      bodies.push(stable(res.body));
    }
    expect(new Set(bodies).size).toBe(1);
    const audit = await h.state.audit.list(h.tenantId, 2000);
    const reasons = (upn: string) => audit.filter((r) => r.action === 'user.signin' && r.target === upn && r.result === 'failure').map((r) => JSON.parse(r.details ?? '{}'));
    expect(reasons('carol@contoso.com')).toContainEqual({ reason: 'wrong password', via: `password grant (client ${publicClient})` });
    expect(reasons('gone@contoso.com')[0].reason).toBe('account disabled');
    expect(reasons('fed@contoso.com')[0].reason).toMatch(/external identity provider/);
  });

  it('locks the account after the throttle\'s limit, the right password included, and audits it', async () => {
    for (let i = 0; i < 5; i++) expect((await mdeRequest('dave@contoso.com', `wrong ${i} password`, `10.2.0.${i}`)).statusCode).toBe(400);
    const locked = await mdeRequest('dave@contoso.com', PASSWORD, '10.2.1.1');
    expect(locked.statusCode).toBe(400);
    expect(locked.json()).toMatchObject({ error: 'invalid_grant', error_codes: [50053] });
    expect(locked.json().error_description).toMatch(/Too many failed sign-in attempts/);
    const audit = await h.state.audit.list(h.tenantId, 2000);
    const throttled = audit.find((r) => r.target === 'dave@contoso.com' && r.details?.includes('throttled'));
    expect(throttled).toMatchObject({ action: 'user.signin', result: 'failure', actorId: 'token-endpoint:10.2.1.1' });
  });

  it('sends a user with TOTP to the interactive flows (50076), only once the password is right', async () => {
    const res = await mdeRequest('totp@contoso.com', PASSWORD, '10.3.0.1');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_grant', error_codes: [50076] });
    expect(res.json().error_description).toMatch(/authorization code flow or the device code flow/);
    expect((await mdeRequest('totp@contoso.com', 'not the password!', '10.3.0.2')).json().error_codes).toEqual([50126]);
  });

  it('authenticates a confidential client by its secret (form or HTTP Basic), and refuses the console and unknown clients', async () => {
    const fields = { grant_type: 'password', resource: RESOURCE, username: 'erin@contoso.com', password: PASSWORD, client_id: confidential.clientId };
    const ok = await tokenAt('oauth2/token', { ...fields, client_secret: confidential.secret }, '10.4.0.1');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(decodeJwt(ok.json().access_token)).toMatchObject({ appid: confidential.clientId, upn: 'erin@contoso.com' });
    const basic = `Basic ${Buffer.from(`${confidential.clientId}:${confidential.secret}`).toString('base64')}`;
    expect((await tokenAt('oauth2/token', fields, '10.4.0.1', { authorization: basic })).statusCode).toBe(200);
    // its refresh token needs the secret too
    const refresh = { grant_type: 'refresh_token', client_id: confidential.clientId, refresh_token: ok.json().refresh_token, resource: RESOURCE };
    expect((await tokenAt('oauth2/token', refresh, '10.4.0.1')).json().error).toBe('invalid_client');
    expect((await tokenAt('oauth2/token', { ...refresh, client_secret: confidential.secret }, '10.4.0.1')).statusCode).toBe(200);

    const wrong = await tokenAt('oauth2/token', { ...fields, client_secret: 'not the secret' }, '10.4.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    expect((await tokenAt('oauth2/token', fields, '10.4.0.3')).json().error).toBe('invalid_client');
    const consoleClient = await tokenAt('oauth2/token', { ...fields, client_id: 'a1d0c6e8-3b7f-4c5e-9f10-5a1ade000001' }, '10.4.0.4');
    expect(consoleClient.statusCode).toBe(400);
    expect((await tokenAt('oauth2/token', { ...fields, client_id: publicClient, resource: '' }, '10.4.0.5')).json().error).toBe('invalid_resource');
    expect((await tokenAt('oauth2/token', { ...fields, client_id: publicClient, resource: 'https://management.azure.com' }, '10.4.0.5')).json().error).toBe('invalid_resource');
  });

  it('stops the token and its refresh token when the sign-in session is revoked, or the user disabled', async () => {
    const first = (await mdeRequest('erin@contoso.com', PASSWORD, '10.5.0.1')).json();
    const sid = String(decodeJwt(first.access_token).sid);
    expect((await call('GET', '/api/machines', first.access_token)).statusCode).toBe(200);
    await h.state.signIns.revokeGrant(h.tenantId, sid, new Date().toISOString());
    expect((await call('GET', '/api/machines', first.access_token)).statusCode).toBe(401);
    const refused = await tokenAt('oauth2/token', { grant_type: 'refresh_token', client_id: publicClient, refresh_token: first.refresh_token, resource: RESOURCE });
    expect(refused.json().error).toBe('invalid_grant');

    const second = (await mdeRequest('erin@contoso.com', PASSWORD, '10.5.0.1')).json();
    expect((await call('GET', '/api/machines', second.access_token)).statusCode).toBe(200);
    await h.palisade.settings.users.disable(h.operator(), 'erin@contoso.com');
    expect((await call('GET', '/api/machines', second.access_token)).statusCode).toBe(401);
    expect((await tokenAt('oauth2/token', { grant_type: 'refresh_token', client_id: publicClient, refresh_token: second.refresh_token, resource: RESOURCE })).json().error).toBe('invalid_grant');
  });

  it("signs a user out everywhere through the settings API: every session's tokens stop, the account stays and signs in again; audited", async () => {
    await h.palisade.settings.users.create(h.operator(), { userPrincipalName: 'frank@contoso.com', roles: ['Alpha readers'], password: PASSWORD });
    const sessions = [(await mdeRequest('frank@contoso.com', PASSWORD, '10.6.0.1')).json(), (await mdeRequest('frank@contoso.com', PASSWORD, '10.6.0.2')).json()];
    for (const t of sessions) expect((await call('GET', '/api/machines', t.access_token)).statusCode).toBe(200);
    const admin = await h.token(['PortalSettings.Manage']);
    const frank = (await h.state.users.getByUpn(h.tenantId, 'frank@contoso.com'))!;
    // a caller without portal settings may not
    expect((await call('POST', `/api/settings/users/${frank.id}/revokeSignInSessions`, sessions[0].access_token)).statusCode).toBe(403);
    const res = await call('POST', `/api/settings/users/${frank.id}/revokeSignInSessions`, admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ value: true, revokedSessions: 2 });
    for (const t of sessions) {
      expect((await call('GET', '/api/machines', t.access_token)).statusCode).toBe(401);
      expect((await tokenAt('oauth2/token', { grant_type: 'refresh_token', client_id: publicClient, refresh_token: t.refresh_token, resource: RESOURCE })).json().error).toBe('invalid_grant');
    }
    const again = (await mdeRequest('frank@contoso.com', PASSWORD, '10.6.0.1')).json();
    expect((await call('GET', '/api/machines', again.access_token)).statusCode).toBe(200);
    expect((await call('POST', '/api/settings/users/nobody@contoso.com/revokeSignInSessions', admin)).statusCode).toBe(404);
    const audit = await h.state.audit.list(h.tenantId, 2000);
    expect(audit.some((r) => r.action === 'user.revokeSignIns' && r.target === frank.id && r.result === 'success')).toBe(true);
  });

  it('audits each success with the grant used', async () => {
    const audit = await h.state.audit.list(h.tenantId, 2000);
    const ok = audit.find((r) => r.action === 'user.signin' && r.target === 'alice@contoso.com' && r.result === 'success');
    expect(ok?.details && JSON.parse(ok.details)).toEqual({ via: `password grant (client ${publicClient})` });
    expect(ok?.actorId).toMatch(/^token-endpoint:/);
  });

  it('lists the password grant in both discovery documents', async () => {
    for (const path of ['v2.0/.well-known/openid-configuration', '.well-known/openid-configuration']) {
      const doc = (await h.app.inject({ method: 'GET', url: `/${h.tenantId}/${path}`, headers: { host: HOST } })).json();
      expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'authorization_code', 'refresh_token', 'password']));
    }
  });
});

describe('the user grants on the v1 endpoint', () => {
  it('redeems a v1 authorization code with PKCE and answers v1\'s shape, with a refresh token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const query = { client_id: publicClient, response_type: 'code', redirect_uri: 'http://localhost', resource: RESOURCE, state: 's', code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' };
    const page = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/authorize?${form(query)}`, headers: { host: HOST } });
    expect(page.statusCode, page.body).toBe(200);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0];
    const signedIn = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/authorize`, headers: { ...FORM, cookie },
      payload: form({ request: hidden('request'), csrf: hidden('csrf'), login: 'alice@contoso.com', password: PASSWORD }), remoteAddress: '10.6.0.1' });
    expect(signedIn.statusCode, signedIn.body).toBe(302);
    const code = new URL(String(signedIn.headers.location)).searchParams.get('code')!;
    const res = await tokenAt('oauth2/token', { grant_type: 'authorization_code', client_id: publicClient, code, redirect_uri: 'http://localhost', code_verifier: verifier, resource: RESOURCE });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', resource: RESOURCE, expires_in: expect.stringMatching(/^\d+$/), expires_on: expect.stringMatching(/^\d+$/), not_before: expect.any(String), ext_expires_in: expect.any(String) });
    expect(body.refresh_token).toBeTruthy();
    expect(decodeJwt(body.id_token)).toMatchObject({ aud: publicClient });
    expect(names(await call('GET', '/api/machines', body.access_token))).toEqual(['alpha-1', 'alpha-2']);
    const again = await tokenAt('oauth2/token', { grant_type: 'refresh_token', client_id: publicClient, refresh_token: body.refresh_token, resource: RESOURCE });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().resource).toBe(RESOURCE);
    // a bad verifier is refused
    expect((await tokenAt('oauth2/token', { grant_type: 'authorization_code', client_id: publicClient, code, redirect_uri: 'http://localhost', code_verifier: 'x'.repeat(43) })).json().error).toBe('invalid_grant');
  });

  it('runs the device code flow on v1 (resource) and answers v1\'s shape', async () => {
    const started = await tokenAt('oauth2/devicecode', { client_id: publicClient, resource: RESOURCE });
    expect(started.statusCode, started.body).toBe(200);
    const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri } = started.json();
    const poll = () => tokenAt('oauth2/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: publicClient, device_code: deviceCode, resource: RESOURCE });
    expect((await poll()).json().error).toBe('authorization_pending');

    const url = new URL(verificationUri);
    const page = await h.app.inject({ method: 'GET', url: url.pathname, headers: { host: HOST } });
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0];
    const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
    const post = (html: string, fields: Record<string, string>) => h.app.inject({ method: 'POST', url: url.pathname, headers: { ...FORM, cookie },
      payload: form({ request: hidden(html, 'request'), csrf: hidden(html, 'csrf'), ...fields }), remoteAddress: '10.7.0.1' });
    const step = await post(page.body, { user_code: userCode });
    const done = await post(step.body, { login: 'bob@contoso.com', password: PASSWORD });
    expect(done.body).toContain('You have signed in');

    const res = await poll();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer', resource: RESOURCE, expires_in: expect.stringMatching(/^\d+$/), expires_on: expect.any(String) });
    expect(res.json().refresh_token).toBeTruthy();
    expect(names(await call('GET', '/api/machines', res.json().access_token))).toEqual(['beta-1']);
  });

  it('keeps the client credentials grant, as a POST and as a GET with the form in its body', async () => {
    const app = await h.tenants.createApp(h.operator(), 'v1-app', ['Machine.Read.All']);
    const fields = { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: RESOURCE };
    const post = await tokenAt('oauth2/token', fields);
    expect(post.statusCode, post.body).toBe(200);
    expect(post.json()).toMatchObject({ resource: RESOURCE, expires_on: expect.any(String) });
    const get = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/token`, headers: FORM, payload: form(fields) });
    expect(get.statusCode, get.body).toBe(200);
    expect(decodeJwt(get.json().access_token).roles).toEqual(['Machine.Read.All']);
  });
});
