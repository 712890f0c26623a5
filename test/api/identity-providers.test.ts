/**
 * External sign-in providers over the settings API (in process): added, listed, read, changed,
 * disabled and removed by a user whose role has `managePortalSettings`; the client secret in no
 * answer and no audit record; a disabled provider's button leaves the sign-in page and pressing it
 * anyway is refused; unknown mapped roles, unusable issuers and hostile bodies are 400s in MDE's
 * error format with nothing applied; 403 without the permission; every change audited with the
 * user's name.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../../src/auth/console-client.ts';
import { s256Challenge } from '../../src/auth/pkce.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { userWithToken } from '../support/user-tokens.ts';

const HOST = 'localhost:8443';
const SECRET = 'provider-secret-never-shown';
const NEW_SECRET = 'rotated-provider-secret';
const IDPS = '/api/settings/identityproviders';

let h: Harness;
let admin: { id: string; token: string };
let analyst: { id: string; token: string };

beforeAll(async () => {
  h = await startHarness();
  const op = h.operator();
  await h.palisade.settings.roles.create(op, { name: 'Settings admins', permissions: ['managePortalSettings'], deviceGroups: 'all' });
  await h.palisade.settings.roles.create(op, { name: 'Tier 1', permissions: ['viewData.securityOperations'], deviceGroups: 'all' });
  admin = await userWithToken(h.state, h.tenantId, 'idp.admin@contoso.com', ['Settings admins']);
  analyst = await userWithToken(h.state, h.tenantId, 'analyst@contoso.com', ['Tier 1']);
});
afterAll(async () => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload) });

/** The console's sign-in page: its HTML, cookie, pending request and CSRF token. */
async function signInPage() {
  const q = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: `http://${HOST}/console/`, scope: 'https://api.securitycenter.microsoft.com/.default openid',
    state: 's', code_challenge: s256Challenge(randomBytes(32).toString('base64url')), code_challenge_method: 'S256',
  });
  const res = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/v2.0/authorize?${q}`, headers: { host: HOST } });
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(res.body)?.[1] ?? '';
  return { html: res.body, cookie: String(res.headers['set-cookie'] ?? '').split(';')[0], request: field('request'), csrf: field('csrf') };
}

describe('identity providers in the settings API', () => {
  it('adds, lists, changes, disables and removes a provider; never shows the secret; audits each change with the user\'s name', async () => {
    const made = await call('POST', IDPS, admin.token, {
      name: 'Corp', issuer: 'https://login.corp.example/realms/corp', clientId: 'palisade', clientSecret: SECRET,
      scopes: ['openid', 'profile', 'groups'], rolesClaim: 'groups', roleMapping: { 'secops-tier1': ['tier 1'] }, jitProvisioning: true,
    });
    expect(made.statusCode, made.body).toBe(201);
    const idp = made.json();
    expect(idp).toMatchObject({
      name: 'Corp', issuer: 'https://login.corp.example/realms/corp', clientId: 'palisade', hasClientSecret: true, scopes: ['openid', 'profile', 'groups'],
      rolesClaim: 'groups', roleMapping: { 'secops-tier1': ['Tier 1'] }, jitProvisioning: true, disabled: false,
    });
    expect(Object.keys(idp)).not.toContain('clientSecret');

    const listed = await call('GET', IDPS, admin.token);
    expect(listed.json()['@odata.context']).toMatch(/#IdentityProviders$/);
    expect(listed.json().value).toEqual([idp]);
    expect((await call('GET', `${IDPS}/${idp.id}`, admin.token)).json()).toMatchObject({ id: idp.id, name: 'Corp' });
    expect((await call('GET', `${IDPS}/corp`, admin.token)).json()).toMatchObject({ id: idp.id });
    expect((await signInPage()).html).toContain('Sign in with Corp');

    const changed = await call('PATCH', `${IDPS}/${idp.id}`, admin.token, { name: 'Contoso', clientSecret: NEW_SECRET, roleMapping: { 'secops-tier1': ['Tier 1'], admins: ['Settings admins'] }, jitProvisioning: false });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'Contoso', hasClientSecret: true, jitProvisioning: false, roleMapping: { 'secops-tier1': ['Tier 1'], admins: ['Settings admins'] } });
    expect((await h.state.externalIdps.get(h.tenantId, idp.id))?.clientSecret).toBe(NEW_SECRET);

    // disabled: the button leaves the sign-in page, and pressing a stale one is refused
    const page = await signInPage();
    expect(page.html).toContain('Sign in with Contoso');
    expect((await call('PATCH', `${IDPS}/${idp.id}`, admin.token, { disabled: true })).json()).toMatchObject({ disabled: true });
    expect((await signInPage()).html).not.toContain('Sign in with Contoso');
    const pressed = await h.app.inject({
      method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/authorize`, headers: { 'content-type': 'application/x-www-form-urlencoded', host: HOST, cookie: page.cookie },
      payload: new URLSearchParams({ request: page.request, csrf: page.csrf, provider: idp.id }).toString(),
    });
    expect(pressed.body).toMatch(/That sign-in option is not available/);
    expect(pressed.headers.location).toBeUndefined();
    const started = await h.app.inject({
      method: 'GET', url: `/${h.tenantId}/oauth2/v2.0/federation/start?${new URLSearchParams({ provider: idp.id, request: page.request })}`, headers: { host: HOST, cookie: page.cookie },
    });
    expect(started.statusCode).toBe(400);
    expect(started.body).toMatch(/not available/);
    expect(started.headers.location).toBeUndefined();

    expect((await call('DELETE', `${IDPS}/${idp.id}`, admin.token)).statusCode).toBe(204);
    expect((await call('GET', IDPS, admin.token)).json().value).toEqual([]);
    expect((await call('DELETE', `${IDPS}/${idp.id}`, admin.token)).statusCode).toBe(404);
    expect((await call('GET', `${IDPS}/${idp.id}`, admin.token)).json().error.code).toBe('ResourceNotFound');
    expect((await call('PATCH', `${IDPS}/nope`, admin.token, { disabled: true })).statusCode).toBe(404);

    const log = (await call('GET', `/api/auditlogs?$filter=${encodeURIComponent("startswith(action,'idp.')")}`, admin.token)).json().value as Record<string, string>[];
    expect(log.filter((r) => r.result === 'success').map((r) => `${r.action} ${r.actorName}`).reverse()).toEqual([
      'idp.add idp.admin@contoso.com', 'idp.update idp.admin@contoso.com', 'idp.update idp.admin@contoso.com', 'idp.remove idp.admin@contoso.com',
    ]);
    const everything = JSON.stringify((await call('GET', '/api/auditlogs?$top=10000', admin.token)).json());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(NEW_SECRET);
    expect(everything).toContain('\\"clientSecret\\":\\"set\\"');
  });

  it('refuses unknown mapped roles, unusable issuers and hostile bodies with a 400 in MDE\'s format, applying nothing', async () => {
    const valid = { name: 'Strict', issuer: 'https://login.strict.example', clientId: 'palisade' };
    const cases: [unknown, RegExp][] = [
      [{ ...valid, roleMapping: { g: ['No such role'] } }, /no role named 'No such role'/],
      [{ ...valid, issuer: 'http://login.strict.example' }, /https/],
      [{ ...valid, issuer: 'not a url' }, /not a URL/],
      [{ ...valid, issuer: 'https://u:p@login.strict.example' }, /no user name, password/],
      [{ ...valid, issuer: 'https://login.strict.example/?x=1' }, /query/],
      [{ ...valid, name: '<script>' }, /name/],
      [{ ...valid, name: ['x'] }, /name/],
      [{ ...valid, clientId: '' }, /clientId/],
      [{ ...valid, scopes: 'openid profile' }, /scopes/],
      [{ ...valid, scopes: ['openid', 'a"b'] }, /scope/],
      [{ ...valid, rolesClaim: 'a claim' }, /claim/],
      [{ ...valid, roleMapping: { g: 'Tier 1' } }, /roleMapping/],
      [{ ...valid, roleMapping: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`g${i}`, ['Tier 1']])) }, /at most 500/],
      [{ ...valid, jitProvisioning: 'yes' }, /jitProvisioning/],
      [{ ...valid, clientSecret: 42 }, /clientSecret/],
      [{ ...valid, name: undefined }, /name/],
      [[valid], /./],
      [null, /./],
      ['{"name":', /./],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', IDPS, admin.token, body);
      expect(res.statusCode, JSON.stringify(body)?.slice(0, 200)).toBe(400);
      expect(res.json().error, JSON.stringify(body)?.slice(0, 200)).toMatchObject({ code: expect.any(String), message: expect.stringMatching(message) });
    }
    const made = (await call('POST', IDPS, admin.token, valid)).json();
    expect(made).toMatchObject({ hasClientSecret: false, scopes: ['openid', 'profile', 'email'], rolesClaim: 'groups', roleMapping: {}, jitProvisioning: false });
    for (const patch of [{ roleMapping: { g: ['Nope'] }, name: 'Renamed' }, { issuer: 'https://elsewhere.example' }, { disabled: 'true' }, { name: '' }, { scopes: [] , clientId: 7 }]) {
      const res = await call('PATCH', `${IDPS}/${made.id}`, admin.token, patch);
      expect(res.statusCode, JSON.stringify(patch)).toBe(400);
    }
    expect((await call('GET', `${IDPS}/${made.id}`, admin.token)).json()).toEqual(made);
    expect((await call('POST', IDPS, admin.token, { ...valid, name: 'STRICT' })).statusCode).toBe(409);
    expect((await call('DELETE', `${IDPS}/${made.id}`, admin.token)).statusCode).toBe(204);
  });

  it('is forbidden to a user without the portal-settings permission and to an app without PortalSettings.Manage', async () => {
    const app = await h.token(['Machine.Read.All', 'Alert.ReadWrite.All']);
    for (const token of [analyst.token, app]) {
      for (const [method, url, body] of [['GET', IDPS], ['GET', `${IDPS}/x`], ['POST', IDPS, { name: 'X', issuer: 'https://x.example', clientId: 'c' }], ['PATCH', `${IDPS}/x`, { disabled: true }], ['DELETE', `${IDPS}/x`]] as const) {
        const res = await call(method, url, token, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('Forbidden');
      }
    }
    expect((await h.state.externalIdps.list(h.tenantId))).toEqual([]);
  });
});
