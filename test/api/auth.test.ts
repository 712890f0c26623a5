/** OAuth2 server and token validation through the HTTP interface. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, generateKeyPair, type JWK, UnsecuredJWT, decodeJwt } from 'jose';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let creds: { tenantId: string; clientId: string; clientSecret: string };
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded', host: 'palisade.example:8443' };

beforeAll(async () => {
  h = await startHarness();
  creds = await h.tenants.createApp(h.operator(), 'reader', ['Machine.Read.All']);
});
afterAll(async () => h?.close());

async function signed(claims: Record<string, unknown>, opts: { tenantId?: string; kidFrom?: string; alg?: string } = {}) {
  const [key] = await h.state.tenants.signingKeys(opts.kidFrom ?? opts.tenantId ?? h.tenantId);
  const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const tid = opts.tenantId ?? h.tenantId;
  return new SignJWT({ tid, appid: creds.clientId, roles: ['Machine.Read.All'], idtyp: 'app', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(String(claims.iss ?? `https://localhost/${tid}/v2.0`))
    .setAudience(String(claims.aud ?? 'https://api.securitycenter.microsoft.com'))
    .setIssuedAt(now).setNotBefore(Number(claims.nbf ?? now)).setExpirationTime(Number(claims.exp ?? now + 600)).sign(priv);
}

const list = (token: string) => h.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${token}` } });

describe('OpenID discovery', () => {
  it('serves v2.0 and v1 documents whose issuer uses the host the client called', async () => {
    for (const [path, iss] of [[`/${h.tenantId}/v2.0/.well-known/openid-configuration`, `/${h.tenantId}/v2.0`], [`/${h.tenantId}/.well-known/openid-configuration`, `/${h.tenantId}/`]]) {
      const res = await h.app.inject({ method: 'GET', url: path, headers: { host: 'palisade.example:8443' } });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.issuer).toBe(`http://palisade.example:8443${iss}`);
      for (const k of ['token_endpoint', 'authorization_endpoint', 'jwks_uri']) expect(doc[k]).toMatch(/^http:\/\/palisade\.example:8443\//);
      const jwks = await h.app.inject({ method: 'GET', url: new URL(doc.jwks_uri).pathname });
      expect(jwks.json().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(jwks.json().keys[0].d).toBeUndefined();
    }
  });
  it('answers an unknown tenant with an OAuth error', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_tenant');
  });
});

describe('token endpoint', () => {
  it('issues v2 tokens with MDE app-token claims for each accepted scope', async () => {
    for (const scope of ['https://api.securitycenter.microsoft.com/.default', 'https://api.security.microsoft.com/.default', 'https://securitycenter.onmicrosoft.com/windowsatpservice/.default', 'api://palisade/.default']) {
      const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token?x-client-SKU=msal.node`, headers: FORM, payload: form({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope, 'x-client-VER': '7' }) });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      const c = decodeJwt(body.access_token);
      expect(c).toMatchObject({ tid: h.tenantId, appid: creds.clientId, azp: creds.clientId, roles: ['Machine.Read.All'], iss: `http://palisade.example:8443/${h.tenantId}/v2.0` });
      expect(c.aud).toBe(scope.replace('/.default', ''));
      expect(Number(c.exp) - Number(c.iat)).toBe(3599);
      expect((await list(body.access_token)).statusCode).toBe(200);
    }
  });
  it('issues v1 tokens for resource=', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/token`, headers: FORM, payload: form({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, resource: 'https://api.securitycenter.windows.com' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer', resource: 'https://api.securitycenter.windows.com' });
    expect(decodeJwt(res.json().access_token).iss).toBe(`http://palisade.example:8443/${h.tenantId}/`);
    expect((await list(res.json().access_token)).statusCode).toBe(200);
  });
  it('accepts client_secret_basic', async () => {
    const basic = Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64');
    const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token`, headers: { ...FORM, authorization: `Basic ${basic}` }, payload: form({ grant_type: 'client_credentials', scope: 'https://api.securitycenter.microsoft.com/.default' }) });
    expect(res.statusCode).toBe(200);
  });
  it('answers OAuth2 errors in the standard shape', async () => {
    const post = (p: Record<string, string>, tenant = h.tenantId) => h.app.inject({ method: 'POST', url: `/${tenant}/oauth2/v2.0/token`, headers: FORM, payload: form(p) });
    const bad = await post({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: 'wrong', scope: 'https://api.securitycenter.microsoft.com/.default' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('invalid_client');
    expect(bad.json().error_description).toBeTruthy();
    const grant = await post({ grant_type: 'implicit', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'x' });
    expect(grant.statusCode).toBe(400);
    expect(grant.json().error).toBe('unsupported_grant_type');
    const scope = await post({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://management.azure.com/.default' });
    expect(scope.statusCode).toBe(400);
    expect(scope.json().error).toBe('invalid_scope');
    const other = await h.newTenant('Elsewhere');
    const wrongTenant = await post({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }, other.id);
    expect(wrongTenant.json().error).toBe('invalid_client');
  });
  it('validates the token form against its schema and answers failures in OAuth2 shape', async () => {
    const post = (p: Record<string, string>, headers: Record<string, string> = {}) => h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token`, headers: { ...FORM, ...headers }, payload: form(p) });
    const long = await post({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: 'x'.repeat(5000), scope: 'https://api.securitycenter.microsoft.com/.default' });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: 'invalid_request' });
    expect(long.json().error_description).toMatch(/client_secret/);
    // a malformed percent-encoding in HTTP Basic is the client's error, never a 500
    const basic = await post({ grant_type: 'client_credentials', scope: 'https://api.securitycenter.microsoft.com/.default' }, { authorization: `Basic ${Buffer.from('%E0%A4%A:secret').toString('base64')}` });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().error).toBe('invalid_client');
  });
  it('stores app secrets only as scrypt hashes', async () => {
    const a = await h.state.apps.get(h.tenantId, creds.clientId);
    expect(a!.secretHash.startsWith('scrypt$')).toBe(true);
    expect(a!.secretHash).not.toContain(creds.clientSecret);
  });
});

describe('token validation', () => {
  it('accepts a well-formed token and rejects each kind of bad one with 401 in MDE format', async () => {
    expect((await list(await signed({}))).statusCode).toBe(200);
    const other = await h.newTenant('Attacker');
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const foreignKey = await new SignJWT({ tid: h.tenantId, roles: ['Machine.Read.All'] }).setProtectedHeader({ alg: 'RS256', kid: 'nope' })
      .setIssuer(`https://localhost/${h.tenantId}/v2.0`).setAudience('https://api.securitycenter.microsoft.com').setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(privateKey);
    const bad: Record<string, string> = {
      'alg none': new UnsecuredJWT({ tid: h.tenantId, roles: ['Machine.Read.All'], aud: 'https://api.securitycenter.microsoft.com', iss: `https://localhost/${h.tenantId}/v2.0`, exp: now + 600, nbf: now }).encode(),
      'unknown key': foreignKey,
      'key of another tenant': await signed({}, { kidFrom: other.id }),
      expired: await signed({ exp: now - 120, nbf: now - 3720 }),
      'not yet valid': await signed({ nbf: now + 600, exp: now + 4000 }),
      'wrong audience': await signed({ aud: 'https://graph.microsoft.com' }),
      'wrong issuer': await signed({ iss: 'https://login.microsoftonline.com/common/v2.0' }),
      'issuer of another tenant': await signed({ iss: `https://localhost/${other.id}/v2.0` }),
      garbage: 'not.a.token',
    };
    for (const [name, tok] of Object.entries(bad)) {
      const res = await list(tok);
      expect(res.statusCode, name).toBe(401);
      expect(res.json().error.code, name).toBe('Unauthorized');
      expect(res.headers['www-authenticate'], name).toMatch(/^Bearer/);
    }
  });
  it('refuses tokens of a deleted app', async () => {
    const c = await h.tenants.createApp(h.operator(), 'temp', ['Machine.Read.All']);
    const res = await h.app.inject({ method: 'POST', url: `/${h.tenantId}/oauth2/v2.0/token`, headers: FORM, payload: form({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }) });
    const tok = res.json().access_token;
    expect((await list(tok)).statusCode).toBe(200);
    await h.tenants.deleteApp(h.operator(), c.clientId);
    // refused at once, though the token itself was verified (and cached) a moment ago
    const after = await list(tok);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toMatch(/no longer exists/);
  });
});
