/**
 * The relying party against a real OpenID provider (oidc-provider on 127.0.0.1): discovery, the
 * authorization code flow with PKCE, state and nonce, the id token validated and the userinfo claims
 * added; and what it refuses: a callback from another browser, a replayed or unknown state, an
 * expired sign-in, the provider's error answer, a forged code, an id token with another nonce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederationError, FEDERATION_REQUEST_TTL_MS, OidcRelyingParty } from '../../src/auth/oidc-relying-party.ts';
import type { ExternalIdp } from '../../src/domain/external-idp.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import { openStateStore } from '../../src/store/state/open.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CALLBACK = `https://palisade.test/${TENANT}/oauth2/v2.0/federation/callback`;

let op: TestOidcProvider;
let store: StateStore;
let idp: ExternalIdp;
let now = new Date();
let rp: OidcRelyingParty;

beforeAll(async () => {
  op = await startOidcProvider({
    client: { clientId: 'palisade', clientSecret: 'provider-secret', redirectUris: [CALLBACK] },
    accounts: { dana: { preferred_username: 'dana@corp.example', name: 'Dana Scully', groups: ['secops-tier1'], email: 'dana@corp.example', email_verified: true } },
  });
  store = await openStateStore(':memory:');
  await store.tenants.create({ id: TENANT, name: 'T', createdAt: '2026-01-01T00:00:00.000Z' });
  idp = {
    tenantId: TENANT, id: '0b9c7c1e-7e4a-4c55-9d0e-3a1f00000001', name: 'Corp', issuer: op.issuer, clientId: 'palisade', clientSecret: 'provider-secret',
    scopes: ['openid', 'profile', 'email', 'groups'], rolesClaim: 'groups', roleMapping: {}, jitProvisioning: true, disabled: false, createdAt: '2026-01-01T00:00:00.000Z',
  };
  await store.externalIdps.create(idp);
  rp = new OidcRelyingParty(store.federationRequests, () => now);
}, 30_000);
afterAll(async () => {
  await op?.stop();
  await store?.close();
});

/**
 * Follows the provider's pages as a browser would (its cookies kept): the authorization URL, its
 * development login form (any password) and consent; returns the URL it finally redirects to.
 */
async function signInAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(CALLBACK)) return new URL(url);
    const res = await fetch(url, { method, body, redirect: 'manual', headers: { cookie: cookie(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`the provider answered ${res.status} with no form: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt: prompt ?? 'consent' }).toString();
  }
  throw new Error('the provider never redirected back');
}

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(FederationError);
  return (e as Error).message;
}

/** A browser's binding cookie and the digest the sign-in is bound to. */
function browser(): { browserBinding: string; hash: string } {
  const browserBinding = randomBytes(32).toString('base64url');
  return { browserBinding, hash: createHash('sha256').update(browserBinding).digest('hex') };
}

/** Starts a sign-in from a new browser. */
async function begin(pending: string, which = idp): Promise<{ authorizationUrl: string; browserBinding: string }> {
  const b = browser();
  return { authorizationUrl: await rp.begin(which, CALLBACK, pending, b.hash), browserBinding: b.browserBinding };
}

const lookup = async (id: string) => (id === idp.id ? idp : null);

describe('OidcRelyingParty against oidc-provider', () => {
  it('signs a person in with code + PKCE, state and nonce, and returns the id token and userinfo claims', async () => {
    now = new Date();
    const start = await begin('pending-1');
    const auth = new URL(start.authorizationUrl);
    expect(auth.origin).toBe(op.issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('scope')).toBe('openid profile email groups');
    const back = await signInAtProvider(start.authorizationUrl, 'dana');
    expect(back.searchParams.get('code')).toBeTruthy();
    const result = await rp.finish(TENANT, back, start.browserBinding, lookup);
    expect(result).toMatchObject({ idp: { id: idp.id }, pendingRequest: 'pending-1' });
    expect(result.claims).toMatchObject({ sub: 'dana', iss: op.issuer, aud: 'palisade', preferred_username: 'dana@corp.example', groups: ['secops-tier1'] });
    // the same answer again finds nothing: each sign-in is taken once
    expect(await refused(rp.finish(TENANT, back, start.browserBinding, lookup))).toMatch(/expired or was already used/);
  }, 30_000);

  it('refuses a callback from another browser, an unknown state, a forged code, another nonce and the provider\'s error', async () => {
    now = new Date();
    const a = await begin('pending-2');
    const back = await signInAtProvider(a.authorizationUrl, 'dana');
    expect(await refused(rp.finish(TENANT, back, 'another-browser', lookup))).toMatch(/another browser/);
    expect(await refused(rp.finish(TENANT, new URL(`${CALLBACK}?code=x&state=made-up`), a.browserBinding, lookup))).toMatch(/expired or was already used/);
    expect(await refused(rp.finish(TENANT, new URL(`${CALLBACK}?code=x`), a.browserBinding, lookup))).toMatch(/no sign-in state/);
    const b = await begin('pending-3');
    const state = new URL(b.authorizationUrl).searchParams.get('state')!;
    expect(await refused(rp.finish(TENANT, new URL(`${CALLBACK}?code=forged&state=${state}`), b.browserBinding, lookup))).toMatch(/could not be verified/);
    // an id token whose nonce is not the one this sign-in sent (the stored nonce replaced) is refused
    const n = await begin('pending-10');
    const nBack = await signInAtProvider(n.authorizationUrl, 'dana');
    const nHash = createHash('sha256').update(nBack.searchParams.get('state')!).digest('hex');
    const stored = (await store.federationRequests.take(TENANT, nHash, now.toISOString()))!;
    await store.federationRequests.create({ ...stored, nonce: 'another-nonce' });
    const wrongNonce = await rp.finish(TENANT, nBack, n.browserBinding, lookup).then(() => null, (e: unknown) => e as FederationError);
    expect(wrongNonce?.message).toMatch(/could not be verified/);
    expect(wrongNonce?.detail).toMatch(/nonce/);
    const c = await begin('pending-4');
    const cState = new URL(c.authorizationUrl).searchParams.get('state')!;
    const denied = new URL(`${CALLBACK}?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=${cState}`);
    expect(await refused(rp.finish(TENANT, denied, c.browserBinding, lookup))).toBe('Corp refused the sign-in: access_denied (The user said no)');
  }, 30_000);

  it('refuses a sign-in finished after it expired, and purges it', async () => {
    now = new Date();
    const a = await begin('pending-5');
    const back = await signInAtProvider(a.authorizationUrl, 'dana');
    now = new Date(now.getTime() + FEDERATION_REQUEST_TTL_MS + 1000);
    expect(await refused(rp.finish(TENANT, back, a.browserBinding, lookup))).toMatch(/expired/);
    await begin('pending-6');
    now = new Date(now.getTime() + FEDERATION_REQUEST_TTL_MS + 1000);
    expect(await rp.purgeExpired()).toBe(1);
    // starting a sign-in removes the expired ones too (at most once a minute)
    const stale = await begin('pending-8');
    now = new Date(now.getTime() + FEDERATION_REQUEST_TTL_MS + 1000);
    await begin('pending-9');
    const staleState = new URL(stale.authorizationUrl).searchParams.get('state')!;
    expect(await store.federationRequests.take(TENANT, createHash('sha256').update(staleState).digest('hex'), '0000')).toBeNull();
  }, 30_000);

  it('cannot reach a provider that is not there, and says so', async () => {
    const gone = { ...idp, id: '0b9c7c1e-7e4a-4c55-9d0e-3a1f00000002', issuer: 'http://127.0.0.1:9' };
    expect(await refused(begin('pending-7', gone))).toBe('The identity provider Corp could not be reached');
  });
});
