/**
 * Issues and verifies access tokens. Palisade is its own authorization server: each tenant has its
 * own RS256 signing key (created with the tenant), tokens live one hour and carry the claims of
 * MDE's app-only tokens (aud, iss, tid, appid, azp, roles, oid, sub, idtyp, ver).
 */
import { SignJWT, jwtVerify, generateKeyPair, exportJWK, importJWK, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { TenantRepo } from '../domain/ports.ts';
import type { App, SigningKey } from '../domain/tenant.ts';
import { ACCEPTED_AUDIENCES } from './audiences.ts';

/** Token lifetime, as Entra ID issues for client credentials. */
export const TOKEN_LIFETIME_S = 3599;
const ALG = 'RS256';

/** The verified claims Palisade relies on. */
export interface VerifiedToken {
  tenantId: string;
  appId: string;
  roles: string[];
  scp: string[];
  audience: string;
  name: string;
  idtyp: 'app' | 'user';
  oid: string;
  /** The sign-in (grant) a user token was issued from, when it was; revoking that grant refuses the token. */
  sid: string | null;
}

/** Why a token was refused; rendered as a 401 by the API. */
export class TokenError extends Error {}

/** The user a delegated token speaks for. */
export interface UserTokenSubject {
  tenantId: string;
  /** Object id (GUID). */
  id: string;
  userPrincipalName: string;
  displayName: string;
}

/** The issuer string for a tenant at the base URL a client used (v2.0 or v1 flavour). */
export function issuerFor(baseUrl: string, tenantId: string, version: '2.0' | '1.0' = '2.0'): string {
  return version === '2.0' ? `${baseUrl}/${tenantId}/v2.0` : `${baseUrl}/${tenantId}/`;
}

/** Creates a fresh signing key for a tenant (private and public JWK). */
export async function newSigningKey(tenantId: string, now = new Date()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const kid = randomUUID().replace(/-/g, '');
  const priv = { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { tenantId, kid, alg: ALG, privateJwk: JSON.stringify(priv), publicJwk: JSON.stringify(pub), createdAt: now.toISOString() };
}

/** Token issuing and verification over the tenant repository's keys (cached in memory). */
export class TokenService {
  private keyCache = new Map<string, { at: number; keys: SigningKey[] }>();
  private imported = new Map<string, CryptoKey | Uint8Array>();
  /** Tokens already verified, until they expire; bounded. */
  private verified = new Map<string, { exp: number; result: VerifiedToken }>();

  constructor(private readonly tenants: TenantRepo, private readonly clock: () => Date = () => new Date()) {}

  private async keys(tenantId: string): Promise<SigningKey[]> {
    const hit = this.keyCache.get(tenantId);
    if (hit && Date.now() - hit.at < 60_000) return hit.keys;
    const keys = await this.tenants.signingKeys(tenantId);
    this.keyCache.set(tenantId, { at: Date.now(), keys });
    return keys;
  }

  /** The tenant's public keys as a JWKS document. */
  async jwks(tenantId: string): Promise<{ keys: JWK[] }> {
    return { keys: (await this.keys(tenantId)).map((k) => JSON.parse(k.publicJwk) as JWK) };
  }

  /**
   * Signs `claims` with the tenant's current key, for `audience` and `subject`, valid from now for
   * TOKEN_LIFETIME_S: the one place Palisade's tokens are signed.
   */
  private async sign(tenantId: string, claims: Record<string, unknown>, issuer: string, audience: string, subject: string): Promise<{ token: string; expiresIn: number; expiresOn: number; notBefore: number }> {
    const [key] = await this.keys(tenantId);
    if (!key) throw new Error(`tenant ${tenantId} has no signing key`);
    const now = Math.floor(this.clock().getTime() / 1000);
    const priv = await importJWK(JSON.parse(key.privateJwk) as JWK, ALG);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + TOKEN_LIFETIME_S)
      .sign(priv);
    return { token, expiresIn: TOKEN_LIFETIME_S, expiresOn: now + TOKEN_LIFETIME_S, notBefore: now };
  }

  /** Signs an app-only access token. */
  async issueAppToken(app: App, audience: string, issuer: string, version: '2.0' | '1.0'): Promise<{ token: string; expiresIn: number; expiresOn: number; notBefore: number }> {
    return this.sign(app.tenantId, {
      tid: app.tenantId,
      appid: app.clientId,
      azp: app.clientId,
      oid: app.clientId,
      roles: app.permissions,
      app_displayname: app.name,
      idtyp: 'app',
      ver: version,
      uti: randomUUID().replace(/-/g, ''),
    }, issuer, audience, app.clientId);
  }

  /**
   * Signs a delegated (user-context) access token: `scp` carries the delegated permissions granted,
   * `oid`/`upn`/`name` the user, `appid`/`azp` the client it was issued to, `sid` the sign-in it
   * belongs to. What the user may do is still limited by the user's roles when the token is used
   * (auth/principal.ts).
   */
  async issueUserToken(user: UserTokenSubject, clientId: string, scp: readonly string[], audience: string, issuer: string, version: '2.0' | '1.0' = '2.0', grantId?: string): Promise<{ token: string; expiresIn: number; expiresOn: number; notBefore: number }> {
    return this.sign(user.tenantId, {
      tid: user.tenantId,
      appid: clientId,
      azp: clientId,
      oid: user.id,
      upn: user.userPrincipalName,
      name: user.displayName,
      scp: scp.join(' '),
      ...(grantId ? { sid: grantId } : {}),
      idtyp: 'user',
      ver: version,
      uti: randomUUID().replace(/-/g, ''),
    }, issuer, audience, user.id);
  }

  /**
   * Signs an OpenID Connect ID token (v2.0 claims) for the client the user signed in to: `aud` is the
   * client id, `nonce` echoes the authorize request's; `profile` adds the name and user name.
   */
  async issueIdToken(user: UserTokenSubject, clientId: string, issuer: string, opts: { nonce: string | null; profile: boolean; email: boolean }): Promise<string> {
    const { token } = await this.sign(user.tenantId, {
      tid: user.tenantId,
      oid: user.id,
      ver: '2.0',
      ...(opts.nonce !== null ? { nonce: opts.nonce } : {}),
      ...(opts.profile ? { name: user.displayName, preferred_username: user.userPrincipalName } : {}),
      ...(opts.email ? { email: user.userPrincipalName } : {}),
    }, issuer, clientId, user.id);
    return token;
  }

  /**
   * Verifies a bearer token: RS256 only, a key of the token's own tenant, exp/nbf (60 s skew), an
   * accepted audience, and an issuer of the form `<https base>/<tid>/v2.0` or `<https base>/<tid>/`.
   */
  async verify(token: string): Promise<VerifiedToken> {
    const nowS = this.clock().getTime() / 1000;
    const hit = this.verified.get(token);
    if (hit && hit.exp > nowS - 60) return hit.result;
    const result = await this.verifyUncached(token);
    if (this.verified.size >= 10_000) {
      for (const [k, v] of this.verified) if (v.exp <= nowS - 60) this.verified.delete(k);
      if (this.verified.size >= 10_000) this.verified.clear();
    }
    this.verified.set(token, { exp: Number(decodeJwt(token).exp), result });
    return result;
  }

  private async publicKey(key: SigningKey): Promise<CryptoKey | Uint8Array> {
    let k = this.imported.get(key.kid);
    if (!k) this.imported.set(key.kid, (k = await importJWK(JSON.parse(key.publicJwk) as JWK, ALG)));
    return k;
  }

  private async verifyUncached(token: string): Promise<VerifiedToken> {
    let header, claims;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new TokenError('The access token is malformed');
    }
    if (header.alg !== ALG) throw new TokenError(`Token algorithm '${String(header.alg)}' is not accepted`);
    const tid = typeof claims.tid === 'string' ? claims.tid : '';
    const keys = tid ? await this.keys(tid) : [];
    const key = keys.find((k) => k.kid === header.kid);
    if (!key) throw new TokenError('The token was not signed by a key of its tenant');
    let payload;
    try {
      const pub = await this.publicKey(key);
      ({ payload } = await jwtVerify(token, pub, {
        algorithms: [ALG],
        audience: ACCEPTED_AUDIENCES as string[],
        clockTolerance: 60,
        currentDate: this.clock(),
        requiredClaims: ['exp', 'nbf', 'iss', 'aud', 'tid'],
      }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw new TokenError('The access token has expired');
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw new TokenError(`The access token is not valid: ${(e as Error).message}`);
      throw new TokenError('The access token signature is invalid');
    }
    if (!validIssuer(String(payload.iss), tid)) throw new TokenError('The token issuer is not this tenant');
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : String(payload.aud);
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    const scp = typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [];
    return {
      tenantId: tid,
      appId: String(payload.appid ?? payload.azp ?? ''),
      roles,
      scp,
      audience: aud,
      name: String((payload.idtyp === 'user' || scp.length ? payload.upn : payload.app_displayname) ?? payload.app_displayname ?? payload.appid ?? ''),
      idtyp: payload.idtyp === 'user' || scp.length ? 'user' : 'app',
      oid: String(payload.oid ?? payload.sub ?? ''),
      sid: typeof payload.sid === 'string' ? payload.sid : null,
    };
  }
}

function validIssuer(iss: string, tid: string): boolean {
  let u: URL;
  try {
    u = new URL(iss);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  return u.pathname === `/${tid}/v2.0` || u.pathname === `/${tid}/`;
}
