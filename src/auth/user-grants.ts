/**
 * The token endpoint's user grants (Entra ID's shapes, on the v2.0 endpoint with `scope` and on the
 * v1 endpoint with `resource`): `password` (resource owner password credentials, for a public client
 * or a confidential one the authorization server authenticated: the user's password checked by the
 * user service under the sign-in throttle, refused for a user with a second factor, and starting a
 * sign-in session like the pages do), `authorization_code`
 * (single use, 60 s, bound to its client, redirect URI and PKCE verifier; a second use revokes the
 * sign-in and every token it issued), `refresh_token` (rotating, stored hashed; a reused one
 * revokes its sign-in; refused once the user is disabled) and the device code flow (RFC 8628:
 * `/devicecode`, then polling with `authorization_pending`, `slow_down`, `expired_token`,
 * `access_denied`). `scp` is what was asked for, limited to what the user's roles grant now.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { Permission } from '../domain/permissions.ts';
import type { StateStore } from '../domain/ports.ts';
import type { RoleLookup } from '../domain/rbac.ts';
import type { User } from '../domain/user.ts';
import { answeredScope, grantedScp, parseDelegatedScope, ScopeError, type DelegatedScope } from './delegated-scopes.ts';
import { OAuthError } from './oauth-error.ts';
import { verifierMatches } from './pkce.ts';
import { digestToken } from './secrets.ts';
import { signInClient, type SignInClient } from './sign-in-clients.ts';
import { newUserCode, type UserAuthenticator } from './sign-in-flows.ts';
import { SignInThrottle, throttleKeys } from './sign-in-throttle.ts';
import { issuerFor, type TokenService } from './token-service.ts';

/** How long a refresh token may be used. */
export const REFRESH_TOKEN_MS = 90 * 24 * 3_600_000;
/** How long a device code waits for its user. */
export const DEVICE_CODE_MS = 15 * 60_000;
/** Seconds between a device's polls. */
export const DEVICE_POLL_INTERVAL_S = 5;

/** The form fields of the user grants. */
export interface UserGrantForm {
  grant_type?: string;
  client_id?: string;
  scope?: string;
  /** v1: the resource the token is for (stands for `<resource>/.default`). */
  resource?: string;
  username?: string;
  password?: string;
  code?: string;
  redirect_uri?: string;
  code_verifier?: string;
  refresh_token?: string;
  device_code?: string;
  client_info?: string;
}

/** Where a user grant request came from, and how to answer it. */
export interface GrantRequest {
  /** The origin the server was reached at (issuer, verification URI). */
  baseUrl: string;
  /** The endpoint: v2.0 (`scope`) or v1 (`resource`, numbers as strings). */
  version: '2.0' | '1.0';
  /** The client's address (the sign-in throttle's per-address key). */
  address: string;
  /** A confidential client the authorization server authenticated by its secret; null: a public client, named by `client_id`. */
  client: SignInClient | null;
}

/** A user token answer of the v2.0 endpoint. */
export interface UserTokenResponse {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** A user token answer of the v1 endpoint: numbers as strings, the resource named, `scope` as bare permission names. */
export interface UserTokenResponseV1 {
  token_type: 'Bearer';
  scope: string;
  expires_in: string;
  ext_expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** Entra ID's error code for "multi-factor authentication required". */
export const MFA_REQUIRED_CODE = 50076;
/** Entra ID's error code for "invalid user name or password". */
export const BAD_CREDENTIALS_CODE = 50126;
/** Entra ID's error code for "the account is locked" (too many failed sign-ins). */
export const LOCKED_CODE = 50053;

/** The one answer to every refused password (unknown user, wrong password, disabled or external user). */
const BAD_CREDENTIALS = 'The user name or password is incorrect.';

/** A device authorization answer (RFC 8628 §3.2, with Entra's `message`). */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

const grantError = (description: string) => new OAuthError(400, 'invalid_grant', description);
const newToken = () => randomBytes(32).toString('base64url');

/** The OpenID Connect scopes named in a v1 request's optional `scope` (v1 names its resource apart). */
function oidcWords(scope: string | undefined): string[] {
  return (scope ?? '').split(/\s+/).filter((w) => ['openid', 'profile', 'email'].includes(w.toLowerCase()));
}

/** The user grants over the state store. */
export class UserGrants {
  private readonly throttle: SignInThrottle;

  constructor(
    private readonly store: StateStore,
    private readonly tokens: TokenService,
    private readonly roles: RoleLookup,
    /** Checks users' passwords (services/users.ts UserService), auditing each sign-in. */
    private readonly users: Pick<UserAuthenticator, 'verifyPassword'>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.throttle = new SignInThrottle(() => store.signIns, clock);
  }

  private async client(tenantId: string, clientId: string | undefined, req: GrantRequest | string): Promise<SignInClient> {
    if (typeof req !== 'string' && req.client) return req.client;
    const c = clientId ? await signInClient(this.store.apps, tenantId, clientId, typeof req === 'string' ? req : req.baseUrl) : null;
    if (!c) throw new OAuthError(400, 'invalid_client', 'The client_id is not a public client of this tenant');
    return c;
  }

  /** The scope a v1 request stands for: every delegated permission of `resource` and the OpenID scopes it names; offline access always (Entra's v1 endpoint always returns a refresh token). */
  private v1Scope(resource: string | undefined, scope: string | undefined): string {
    if (!resource?.trim()) throw new OAuthError(400, 'invalid_resource', 'The resource is required, e.g. https://api.securitycenter.microsoft.com');
    return [`${resource.trim().replace(/\/+$/, '')}/.default`, ...oidcWords(scope), 'offline_access'].join(' ');
  }

  /** The parsed scope; `invalid_scope` otherwise (`invalid_resource` for a v1 request's `resource`). */
  private scope(raw: string, error: 'invalid_scope' | 'invalid_resource' = 'invalid_scope'): DelegatedScope {
    try {
      return parseDelegatedScope(raw);
    } catch (e) {
      if (e instanceof ScopeError) throw new OAuthError(400, error, error === 'invalid_resource' ? 'The resource is not one of this server, e.g. https://api.securitycenter.microsoft.com' : e.message);
      throw e;
    }
  }

  /** The enabled user of a grant whose sign-in was not revoked; invalid_grant (revoking the grant) otherwise. */
  private async liveUser(tenantId: string, grantId: string, userId: string): Promise<User> {
    const grant = await this.store.signIns.getGrant(tenantId, grantId);
    if (!grant || grant.revokedAt) throw grantError('The sign-in this grant came from was revoked; sign in again');
    const user = await this.store.users.get(tenantId, userId);
    if (!user || user.disabled) {
      await this.store.signIns.revokeGrant(tenantId, grantId, this.clock().toISOString());
      throw grantError('The user account is disabled or no longer exists');
    }
    return user;
  }

  /**
   * The tokens of a sign-in: the access token (`scp` limited to what the user's roles grant, `sid`
   * the grant), a refresh token when `refreshScope` is given (the v1 endpoint always gives one), an
   * id_token when `openid` was asked; in the v2.0 or the v1 shape.
   */
  private async issue(tenantId: string, user: User, client: SignInClient, scope: DelegatedScope, grantId: string, nonce: string | null, req: GrantRequest, form: UserGrantForm, refreshScope: string | null): Promise<UserTokenResponse | UserTokenResponseV1> {
    const granted = new Set<Permission>((await this.roles(tenantId, user.id)).flatMap((r) => r.permissions));
    const scp = grantedScp(scope, granted);
    const subject = { tenantId, id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName };
    const issuer = issuerFor(req.baseUrl, tenantId, req.version);
    const access = await this.tokens.issueUserToken(subject, client.clientId, scp, scope.audience, issuer, req.version, grantId);
    const out: UserTokenResponse | UserTokenResponseV1 = req.version === '2.0'
      ? { token_type: 'Bearer', scope: answeredScope(scope, scp), expires_in: access.expiresIn, ext_expires_in: access.expiresIn, access_token: access.token }
      : {
        token_type: 'Bearer', scope: scp.join(' '), expires_in: String(access.expiresIn), ext_expires_in: String(access.expiresIn),
        expires_on: String(access.expiresOn), not_before: String(access.notBefore), resource: scope.resource, access_token: access.token,
      };
    if (refreshScope !== null) {
      const refresh = newToken();
      const now = this.clock();
      await this.store.signIns.putRefreshToken({
        tenantId, tokenHash: digestToken(refresh), grantId, clientId: client.clientId, userId: user.id, scope: refreshScope,
        createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + REFRESH_TOKEN_MS).toISOString(), usedAt: null,
      });
      out.refresh_token = refresh;
    }
    if (scope.openid) out.id_token = await this.tokens.issueIdToken(subject, client.clientId, issuer, { nonce, profile: scope.profile, email: scope.email });
    if (form.client_info === '1') out.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url');
    return out;
  }

  /**
   * grant_type=password: the user's name and password (a local user, enabled, without a second
   * factor), under the sign-in throttle; a new sign-in session (the token's `sid`). Every refusal of
   * the credentials is the same `invalid_grant`; a user with TOTP gets `error_codes` [50076].
   */
  async password(tenantId: string, form: UserGrantForm, req: GrantRequest): Promise<UserTokenResponse | UserTokenResponseV1> {
    const client = await this.client(tenantId, form.client_id, req);
    const rawScope = req.version === '1.0' ? this.v1Scope(form.resource, form.scope) : form.scope ?? '';
    const scope = this.scope(rawScope, req.version === '1.0' ? 'invalid_resource' : 'invalid_scope');
    if (form.username === undefined || form.password === undefined) throw new OAuthError(400, 'invalid_request', 'The username and password are required');
    const login = form.username.slice(0, 256);
    const via = `password grant (client ${client.clientId})`;
    const ctx: Ctx = {
      tenantId,
      principal: { kind: 'system', id: `token-endpoint:${req.address.slice(0, 64)}`, name: `token endpoint (${req.address.slice(0, 64)})`, permissions: new Set(), deviceGroups: 'all' },
      authz: { checked: true },
    };
    const keys = throttleKeys(req.address, login);
    const wait = await this.throttle.retryAfter(tenantId, keys);
    if (wait > 0) {
      await this.refused(ctx, login, { reason: 'throttled', retryAfterSeconds: wait, via });
      throw new OAuthError(400, 'invalid_grant', `Too many failed sign-in attempts; the account is locked. Wait ${wait} seconds and try again.`, [LOCKED_CODE]);
    }
    let out: Awaited<ReturnType<UserAuthenticator['verifyPassword']>>;
    try {
      out = await this.users.verifyPassword(ctx, login, form.password, via);
    } catch (e) {
      if (!(e instanceof PalisadeError) || e.code !== 'Unauthorized') throw e;
      await this.throttle.failed(tenantId, keys);
      throw new OAuthError(400, 'invalid_grant', BAD_CREDENTIALS, [BAD_CREDENTIALS_CODE]);
    }
    if ('codeRequiredFor' in out) {
      await this.refused(ctx, login, { reason: 'multi-factor authentication required', via });
      throw new OAuthError(400, 'invalid_grant', 'This account signs in with a verification code as well as its password, which the password grant cannot carry. '
        + 'Use the authorization code flow or the device code flow instead.', [MFA_REQUIRED_CODE]);
    }
    await this.throttle.succeeded(tenantId, keys);
    const user = await this.store.users.get(tenantId, out.user.id);
    if (!user || user.disabled) throw new OAuthError(400, 'invalid_grant', BAD_CREDENTIALS, [BAD_CREDENTIALS_CODE]);
    const grantId = randomUUID();
    await this.store.signIns.putGrant({ tenantId, id: grantId, userId: user.id, clientId: client.clientId, createdAt: this.clock().toISOString(), revokedAt: null });
    return this.issue(tenantId, user, client, scope, grantId, null, req, form, scope.offlineAccess ? rawScope : null);
  }

  /** Audits a refused password sign-in the user service did not record itself (as the sign-in page does: `user.signin`). */
  private async refused(ctx: Ctx, login: string, details: Record<string, unknown>): Promise<void> {
    await this.store.audit.append({
      tenantId: ctx.tenantId, time: this.clock().toISOString(), actorKind: ctx.principal.kind, actorId: ctx.principal.id, actorName: ctx.principal.name,
      action: 'user.signin', target: login || '(empty)', result: 'failure', details: JSON.stringify(details),
    });
  }

  /** grant_type=authorization_code. */
  async authorizationCode(tenantId: string, form: UserGrantForm, req: GrantRequest): Promise<UserTokenResponse | UserTokenResponseV1> {
    const client = await this.client(tenantId, form.client_id, req);
    if (!form.code) throw new OAuthError(400, 'invalid_request', 'The code is required');
    const now = this.clock().toISOString();
    const used = await this.store.signIns.useCode(tenantId, digestToken(form.code), now);
    if (!used) throw grantError('The authorization code is not valid');
    const c = used.code;
    if (!used.first) {
      await this.store.signIns.revokeGrant(tenantId, c.grantId, now);
      throw grantError('The authorization code was already redeemed; the tokens issued for it are revoked');
    }
    if (c.expiresAt <= now) throw grantError('The authorization code has expired');
    if (c.clientId !== client.clientId) throw grantError('The authorization code was issued to another client');
    if (form.redirect_uri !== c.redirectUri) throw grantError('The redirect_uri is not the one the authorization code was sent to');
    if (c.codeChallenge !== null && !verifierMatches(form.code_verifier ?? '', c.codeChallenge)) throw grantError('The code_verifier does not match the code_challenge (PKCE)');
    const user = await this.liveUser(tenantId, c.grantId, c.userId);
    const scope = this.scope(c.scope);
    return this.issue(tenantId, user, client, scope, c.grantId, c.nonce, req, form, scope.offlineAccess || req.version === '1.0' ? c.scope : null);
  }

  /** grant_type=refresh_token: a new access token and a new refresh token; the old one is spent. */
  async refreshToken(tenantId: string, form: UserGrantForm, req: GrantRequest): Promise<UserTokenResponse | UserTokenResponseV1> {
    const client = await this.client(tenantId, form.client_id, req);
    if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'The refresh_token is required');
    const now = this.clock().toISOString();
    const used = await this.store.signIns.useRefreshToken(tenantId, digestToken(form.refresh_token), now);
    if (!used) throw grantError('The refresh token is not valid');
    const t = used.token;
    if (!used.first) {
      await this.store.signIns.revokeGrant(tenantId, t.grantId, now);
      throw grantError('The refresh token was already used; the sign-in it belongs to is revoked');
    }
    if (t.expiresAt <= now) throw grantError('The refresh token has expired');
    if (t.clientId !== client.clientId) throw grantError('The refresh token was issued to another client');
    const user = await this.liveUser(tenantId, t.grantId, t.userId);
    const v1Resource = req.version === '1.0' && !!form.resource?.trim();
    const asked = v1Resource ? this.v1Scope(form.resource, t.scope) : req.version === '2.0' && form.scope?.trim() ? form.scope : t.scope;
    const scope = this.scope(asked, v1Resource ? 'invalid_resource' : 'invalid_scope');
    return this.issue(tenantId, user, client, { ...scope, offlineAccess: true }, t.grantId, null, req, form, t.scope);
  }

  /** POST /devicecode: a device code and the user code to enter at the verification page. */
  async deviceAuthorization(tenantId: string, form: UserGrantForm, baseUrl: string): Promise<DeviceAuthorizationResponse> {
    const client = await this.client(tenantId, form.client_id, baseUrl);
    const scope = form.scope ?? '';
    this.scope(scope);
    const deviceCode = newToken();
    const now = this.clock();
    for (let attempt = 0; ; attempt++) {
      const userCode = newUserCode();
      try {
        await this.store.signIns.putDeviceCode({
          tenantId, deviceCodeHash: digestToken(deviceCode), userCode, clientId: client.clientId, scope, status: 'pending', interval: DEVICE_POLL_INTERVAL_S,
          userId: null, grantId: null, lastPolledAt: null, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + DEVICE_CODE_MS).toISOString(),
        });
        const shown = `${userCode.slice(0, 4)}-${userCode.slice(4)}`;
        const verificationUri = `${baseUrl}/${tenantId}/oauth2/deviceauth`;
        return {
          device_code: deviceCode, user_code: shown, verification_uri: verificationUri, expires_in: DEVICE_CODE_MS / 1000, interval: DEVICE_POLL_INTERVAL_S,
          message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${shown} to authenticate.`,
        };
      } catch (e) {
        // a user code already in use (1 in 2.6e10 per pending code): draw another
        if (attempt >= 3 || (e as { code?: string }).code !== 'Conflict') throw e;
      }
    }
  }

  /** grant_type=urn:ietf:params:oauth:grant-type:device_code: the device's poll. */
  async deviceCode(tenantId: string, form: UserGrantForm, req: GrantRequest): Promise<UserTokenResponse | UserTokenResponseV1> {
    const client = await this.client(tenantId, form.client_id, req);
    if (!form.device_code) throw new OAuthError(400, 'invalid_request', 'The device_code is required');
    const hash = digestToken(form.device_code);
    const d = await this.store.signIns.deviceCodeByHash(tenantId, hash);
    if (!d || d.clientId !== client.clientId) throw grantError('The device code is not valid');
    const now = this.clock();
    if (d.expiresAt <= now.toISOString()) throw new OAuthError(400, 'expired_token', 'The device code has expired; start again');
    if (d.status === 'denied') throw new OAuthError(400, 'access_denied', 'The user declined the sign-in');
    if (d.status === 'redeemed') throw grantError('The device code was already redeemed');
    if (d.status === 'pending') {
      const previous = await this.store.signIns.pollDeviceCode(tenantId, hash, now.toISOString(), d.interval);
      // a second's leeway: clients wait exactly the interval between polls, plus their own latency
      if (previous && now.getTime() - Date.parse(previous) < (d.interval - 1) * 1000) {
        await this.store.signIns.pollDeviceCode(tenantId, hash, now.toISOString(), d.interval + 5);
        throw new OAuthError(400, 'slow_down', `Poll at most every ${d.interval} seconds; the interval is now ${d.interval + 5} seconds`);
      }
      throw new OAuthError(400, 'authorization_pending', 'The user has not finished signing in yet');
    }
    if (!(await this.store.signIns.transitionDeviceCode(tenantId, hash, 'approved', { status: 'redeemed' })) || !d.grantId || !d.userId) {
      throw grantError('The device code was already redeemed');
    }
    const user = await this.liveUser(tenantId, d.grantId, d.userId);
    const scope = this.scope(d.scope);
    return this.issue(tenantId, user, client, scope, d.grantId, null, req, form, scope.offlineAccess || req.version === '1.0' ? d.scope : null);
  }
}
