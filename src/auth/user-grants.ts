/**
 * The token endpoint's user grants (Entra ID's shapes, for public clients): `authorization_code`
 * (single use, 60 s, bound to its client, redirect URI and PKCE verifier; a second use revokes the
 * sign-in and every token it issued), `refresh_token` (rotating, stored hashed; a reused one
 * revokes its sign-in; refused once the user is disabled) and the device code flow (RFC 8628:
 * `/devicecode`, then polling with `authorization_pending`, `slow_down`, `expired_token`,
 * `access_denied`). `scp` is what was asked for, limited to what the user's roles grant now.
 */
import { randomBytes } from 'node:crypto';
import type { Permission } from '../domain/permissions.ts';
import type { StateStore } from '../domain/ports.ts';
import type { RoleLookup } from '../domain/rbac.ts';
import type { User } from '../domain/user.ts';
import { answeredScope, grantedScp, parseDelegatedScope, ScopeError, type DelegatedScope } from './delegated-scopes.ts';
import { OAuthError } from './oauth-error.ts';
import { verifierMatches } from './pkce.ts';
import { digestToken } from './secrets.ts';
import { signInClient, type SignInClient } from './sign-in-clients.ts';
import { newUserCode } from './sign-in-flows.ts';
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
  code?: string;
  redirect_uri?: string;
  code_verifier?: string;
  refresh_token?: string;
  device_code?: string;
  client_info?: string;
}

/** A user token answer. */
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

/** The user grants over the state store. */
export class UserGrants {
  constructor(
    private readonly store: StateStore,
    private readonly tokens: TokenService,
    private readonly roles: RoleLookup,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async client(tenantId: string, clientId: string | undefined, baseUrl: string): Promise<SignInClient> {
    const c = clientId ? await signInClient(this.store.apps, tenantId, clientId, baseUrl) : null;
    if (!c) throw new OAuthError(400, 'invalid_client', 'The client_id is not a public client of this tenant');
    return c;
  }

  private scope(raw: string): DelegatedScope {
    try {
      return parseDelegatedScope(raw);
    } catch (e) {
      if (e instanceof ScopeError) throw new OAuthError(400, 'invalid_scope', e.message);
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

  private async issue(tenantId: string, user: User, client: SignInClient, scope: DelegatedScope, grantId: string, nonce: string | null, baseUrl: string, form: UserGrantForm, refreshScope: string | null): Promise<UserTokenResponse> {
    const granted = new Set<Permission>((await this.roles(tenantId, user.id)).flatMap((r) => r.permissions));
    const scp = grantedScp(scope, granted);
    const subject = { tenantId, id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName };
    const issuer = issuerFor(baseUrl, tenantId, '2.0');
    const access = await this.tokens.issueUserToken(subject, client.clientId, scp, scope.audience, issuer, '2.0', grantId);
    const out: UserTokenResponse = { token_type: 'Bearer', scope: answeredScope(scope, scp), expires_in: access.expiresIn, ext_expires_in: access.expiresIn, access_token: access.token };
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

  /** grant_type=authorization_code. */
  async authorizationCode(tenantId: string, form: UserGrantForm, baseUrl: string): Promise<UserTokenResponse> {
    const client = await this.client(tenantId, form.client_id, baseUrl);
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
    return this.issue(tenantId, user, client, scope, c.grantId, c.nonce, baseUrl, form, scope.offlineAccess ? c.scope : null);
  }

  /** grant_type=refresh_token: a new access token and a new refresh token; the old one is spent. */
  async refreshToken(tenantId: string, form: UserGrantForm, baseUrl: string): Promise<UserTokenResponse> {
    const client = await this.client(tenantId, form.client_id, baseUrl);
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
    const scope = this.scope(form.scope?.trim() ? form.scope : t.scope);
    return this.issue(tenantId, user, client, { ...scope, offlineAccess: true }, t.grantId, null, baseUrl, form, t.scope);
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
  async deviceCode(tenantId: string, form: UserGrantForm, baseUrl: string): Promise<UserTokenResponse> {
    const client = await this.client(tenantId, form.client_id, baseUrl);
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
    return this.issue(tenantId, user, client, scope, d.grantId, null, baseUrl, form, scope.offlineAccess ? d.scope : null);
  }
}
