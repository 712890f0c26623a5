/**
 * Two API processes over one state store continue each other's sign-ins: a page opened on one is
 * posted to the other, a code issued by one is redeemed at the other, a refresh token rotates
 * across them, a device code started on one is confirmed and redeemed on the other, and throttling
 * counts failures made on either.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../../src/auth/console-client.ts';
import { s256Challenge } from '../../src/auth/pkce.ts';
import { compose, type Palisade } from '../../src/compose.ts';
import { operatorCtx } from '../../src/domain/context.ts';

const HOST = 'palisade.test:8443';
const REDIRECT = `http://${HOST}/console/`;
const SCOPE = 'https://api.securitycenter.microsoft.com/.default openid profile offline_access';
const PASSWORD = 'shared state password';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', host: HOST };

let dir: string;
let a: Palisade;
let b: Palisade;
let tenantId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-two-'));
  const open = () => compose({ roles: ['api'], state: join(dir, 'state.db'), events: { path: ':memory:', retentionDays: 30 }, http: { throttle: false } });
  a = await open();
  b = await open();
  await a.app.ready();
  await b.app.ready();
  const op = operatorCtx(randomUUID(), 'test');
  tenantId = (await a.tenants.createTenant(op, 'Two')).id;
  await a.settings.roles.create(operatorCtx(tenantId, 'test'), { name: 'Readers', permissions: ['viewData.securityOperations'], deviceGroups: 'all' });
  await a.settings.users.create(operatorCtx(tenantId, 'test'), { userPrincipalName: 'alice@contoso.com', roles: ['Readers'], password: PASSWORD });
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  rmSync(dir, { recursive: true, force: true });
});

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const token = (p: Palisade, fields: Record<string, string>) => p.app.inject({ method: 'POST', url: `/${tenantId}/oauth2/v2.0/token`, headers: FORM, payload: form(fields) });

describe('sign-in across two API processes', () => {
  it('continues the authorization code flow and refresh rotation on the other process', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const query = form({ client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: SCOPE, state: 's', code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' });
    const page = await a.app.inject({ method: 'GET', url: `/${tenantId}/oauth2/v2.0/authorize?${query}`, headers: { host: HOST } });
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const posted = await b.app.inject({
      method: 'POST', url: `/${tenantId}/oauth2/v2.0/authorize`, headers: { ...FORM, cookie },
      payload: form({ request: hidden(page.body, 'request'), csrf: hidden(page.body, 'csrf'), login: 'alice@contoso.com', password: PASSWORD }),
    });
    expect(posted.statusCode, posted.body).toBe(302);
    const code = new URL(String(posted.headers.location)).searchParams.get('code')!;
    const issued = await token(a, { grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(issued.statusCode, issued.body).toBe(200);
    // the refresh token rotates on the other process; the spent one, reused on the first, revokes the sign-in everywhere
    const rotated = await token(b, { grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: issued.json().refresh_token });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect((await token(a, { grant_type: 'refresh_token', client_id: CONSOLE_CLIENT_ID, refresh_token: issued.json().refresh_token })).json().error).toBe('invalid_grant');
    const machines = await b.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${rotated.json().access_token}`, host: HOST } });
    expect(machines.statusCode).toBe(401);
    // and the code stays spent on the other process too
    expect((await token(b, { grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: verifier })).json().error).toBe('invalid_grant');
  });

  it('confirms a device code started on one process on the other, and redeems it once', async () => {
    const dc = (await a.app.inject({ method: 'POST', url: `/${tenantId}/oauth2/v2.0/devicecode`, headers: FORM, payload: form({ client_id: CONSOLE_CLIENT_ID, scope: SCOPE }) })).json();
    const page = await b.app.inject({ method: 'GET', url: `/${tenantId}/oauth2/deviceauth`, headers: { host: HOST } });
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const fields = { request: hidden(page.body, 'request'), csrf: hidden(page.body, 'csrf') };
    const post = (p: Palisade, more: Record<string, string>) => p.app.inject({ method: 'POST', url: `/${tenantId}/oauth2/deviceauth`, headers: { ...FORM, cookie }, payload: form({ ...fields, ...more }) });
    expect((await post(a, { user_code: dc.user_code })).body).toContain('Email or user name');
    expect((await post(b, { login: 'alice@contoso.com', password: PASSWORD })).body).toMatch(/You have signed in/);
    const poll = (p: Palisade) => token(p, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CONSOLE_CLIENT_ID, device_code: dc.device_code });
    expect((await poll(b)).statusCode).toBe(200);
    expect((await poll(a)).json().error).toBe('invalid_grant');
  });

  it('counts failed sign-ins made on either process toward one lock', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const query = form({ client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: SCOPE, code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' });
    const page = await a.app.inject({ method: 'GET', url: `/${tenantId}/oauth2/v2.0/authorize?${query}`, headers: { host: HOST } });
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const attempt = (p: Palisade, password: string) => p.app.inject({
      method: 'POST', url: `/${tenantId}/oauth2/v2.0/authorize`, headers: { ...FORM, cookie },
      payload: form({ request: hidden(page.body, 'request'), csrf: hidden(page.body, 'csrf'), login: 'mallory@contoso.com', password }),
    });
    for (let i = 0; i < 5; i++) expect((await attempt(i % 2 ? a : b, `wrong password ${i}`)).statusCode).toBe(200);
    expect((await attempt(a, 'wrong password 5')).statusCode).toBe(429);
    expect((await attempt(b, 'wrong password 6')).statusCode).toBe(429);
  });
});
