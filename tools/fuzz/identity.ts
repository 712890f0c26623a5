/**
 * Fuzz inputs for the identity surface's sign-in routes: authorize requests with hostile query
 * parameters (unknown and malformed client ids, open-redirect attempts, broken PKCE, huge or
 * non-ASCII state, repeated parameters), sign-in form posts (real and forged pending requests and
 * CSRF tokens, huge and non-ASCII names and passwords, codes), the device code endpoints, and token
 * requests of the user grants on both endpoints (v2.0 `scope`, v1 `resource`) with made-up codes,
 * verifiers, refresh tokens, device codes, user names and passwords, client secrets in the form or
 * in a (possibly malformed) HTTP Basic header. Every
 * answer must be below 500; none may redirect anywhere but a registered redirect URI (the route
 * tests check that; the fuzz checks nothing fails).
 */
import type { Rng } from './rng.ts';

/** What the inputs are built around: the tenant, clients, and one real pending request with its cookie. */
export interface IdentityTargets {
  tenantId: string;
  clientIds: readonly string[];
  redirectUris: readonly string[];
  /** Client secrets to send (a confidential app's among them). */
  secrets: readonly string[];
  pending: { request: string; csrf: string; cookie: string };
}

const STRINGS = [
  '', ' ', 'x', '%', '%00', '\u0000', 'ÿ', '🔥', 'a'.repeat(5000), '<script>alert(1)</script>', '"\'><', '../../etc/passwd', 'null', 'undefined',
  '[]', '{}', 'true', '-1', '1e309', 'javascript:alert(1)', '//evil.example', 'https://evil.example/', 'http://127.0.0.1.evil.example/',
  'alice@contoso.com', 'ALICE@CONTOSO.COM', ' alice@contoso.com ', '123456', '000000', 'BCDF-GHJK', 'bcdfghjk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
];

const GRANTS = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'device_code', 'client_credentials', 'password', 'implicit', '', 'x'.repeat(100)];

function value(rng: Rng, known: readonly string[]): string {
  return rng.chance(0.5) && known.length ? rng.pick(known) : rng.pick(STRINGS);
}

function form(rng: Rng, fields: Record<string, string>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (!rng.chance(0.15)) p.append(k, v);
  if (rng.chance(0.1)) p.append(rng.pick(Object.keys(fields)), rng.pick(STRINGS));
  if (rng.chance(0.05)) p.append(rng.pick(STRINGS), rng.pick(STRINGS));
  return p.toString();
}

/** One request for the identity surface's sign-in routes. */
export function identityRequest(rng: Rng, t: IdentityTargets): { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: string } {
  const tenant = rng.chance(0.9) ? t.tenantId : rng.pick(['00000000-0000-0000-0000-000000000000', t.tenantId.toUpperCase()]);
  const formHeaders = (): Record<string, string> => ({
    'content-type': rng.chance(0.9) ? 'application/x-www-form-urlencoded' : rng.pick(['application/json', 'text/plain', 'multipart/form-data']),
    ...(rng.chance(0.8) ? { cookie: rng.chance(0.7) ? t.pending.cookie : `palisade_signin=${rng.pick(STRINGS)}` } : {}),
  });
  const kind = rng.int(5);
  if (kind === 0) {
    const q = form(rng, {
      client_id: value(rng, t.clientIds), response_type: rng.pick(['code', 'token', 'id_token', 'code id_token', '']), redirect_uri: value(rng, t.redirectUris),
      scope: rng.pick(['https://api.securitycenter.microsoft.com/.default openid profile offline_access', 'openid', '', rng.pick(STRINGS)]),
      state: rng.pick(STRINGS), nonce: rng.pick(STRINGS), code_challenge: rng.pick(STRINGS), code_challenge_method: rng.pick(['S256', 'plain', '', 'S512']),
      response_mode: rng.pick(['query', 'form_post', 'fragment', '']), prompt: rng.pick(['none', 'login', '']), login_hint: rng.pick(STRINGS),
    });
    return { method: 'GET', url: `/${tenant}/oauth2/${rng.chance(0.8) ? 'v2.0/' : ''}authorize?${q}`, headers: {} };
  }
  if (kind === 1) {
    const payload = form(rng, {
      request: rng.chance(0.6) ? t.pending.request : rng.pick(STRINGS), csrf: rng.chance(0.6) ? t.pending.csrf : rng.pick(STRINGS),
      login: rng.pick(STRINGS), password: rng.pick(STRINGS), otc: rng.pick(STRINGS), user_code: rng.pick(STRINGS), ...(rng.chance(0.1) ? { provider: rng.pick(STRINGS) } : {}),
    });
    return { method: 'POST', url: `/${tenant}/oauth2/${rng.pick(['v2.0/authorize', 'authorize', 'deviceauth'])}`, headers: formHeaders(), payload };
  }
  if (kind === 2) {
    return rng.chance(0.5)
      ? { method: 'GET', url: `/${tenant}/oauth2/deviceauth${rng.chance(0.3) ? `?user_code=${encodeURIComponent(rng.pick(STRINGS))}` : ''}`, headers: {} }
      : { method: 'POST', url: `/${tenant}/oauth2/${rng.pick(['v2.0/devicecode', 'devicecode'])}`, headers: formHeaders(), payload: form(rng, { client_id: value(rng, t.clientIds), scope: rng.pick(STRINGS), resource: rng.pick(STRINGS) }) };
  }
  const clientId = value(rng, t.clientIds);
  const payload = form(rng, {
    grant_type: rng.pick(GRANTS), client_id: clientId, code: rng.pick(STRINGS), redirect_uri: value(rng, t.redirectUris), code_verifier: rng.pick(STRINGS),
    refresh_token: rng.pick(STRINGS), device_code: rng.pick(STRINGS), scope: rng.pick(['openid', 'https://api.securitycenter.microsoft.com/.default offline_access', rng.pick(STRINGS)]),
    resource: rng.pick(['https://api.securitycenter.microsoft.com', 'https://graph.microsoft.com', rng.pick(STRINGS)]), client_info: rng.pick(['1', '', 'x']),
    username: value(rng, ['alice@contoso.com', 'nobody@contoso.com']), password: value(rng, ['fuzz password 1234']), ...(rng.chance(0.3) ? { client_secret: value(rng, t.secrets) } : {}),
  });
  const basic: Record<string, string> = rng.chance(0.15)
    ? { authorization: `Basic ${rng.chance(0.7) ? Buffer.from(`${clientId}:${value(rng, t.secrets)}`).toString('base64') : rng.pick(STRINGS)}` }
    : {};
  return { method: 'POST', url: `/${tenant}/oauth2/${rng.chance(0.5) ? 'v2.0/' : ''}token`, headers: { ...formHeaders(), ...basic }, payload };
}
