/**
 * Palisade as an OAuth2 authorization server, shaped like Entra ID so MSAL and other MDE clients
 * work unchanged (DESIGN.md §5): OpenID discovery (v2.0 and v1), JWKS, the client-credentials
 * grant with client authentication by secret (form body or HTTP Basic) and the audiences MDE clients
 * ask for (`scope=<resource>/.default` on v2.0, `resource=` on v1), and, on both endpoints, the user
 * grants of user-grants.ts (password, authorization code, refresh token, device code) for a public
 * client or a confidential one that authenticates. Failures are `OAuthError`s, which the identity
 * surface renders in OAuth2's error shape.
 */
import type { JWK } from 'jose';
import type { AppRepo, TenantRepo } from '../domain/ports.ts';
import type { App } from '../domain/tenant.ts';
import { audienceFor } from './audiences.ts';
import { OAuthError } from './oauth-error.ts';
import { verifySecret } from './secrets.ts';
import { CONSOLE_CLIENT_ID } from './console-client.ts';
import type { SignInClient } from './sign-in-clients.ts';
import type { DeviceAuthorizationResponse, GrantRequest, UserGrantForm, UserGrants, UserTokenResponse, UserTokenResponseV1 } from './user-grants.ts';
import { issuerFor, type TokenService } from './token-service.ts';

/** The two flavours of Entra ID endpoints. */
export type OAuthVersion = '2.0' | '1.0';

export { OAuthError };

/** A token request's form fields (validated against the identity surface's schema). */
export interface TokenRequest extends UserGrantForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
  resource?: string;
}

/** The device code grant's name (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A v2.0 token response. */
export interface TokenResponseV2 {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/** A v1 token response: numbers as strings, as Entra ID's v1 endpoint sends them (an app token: no scope, no refresh token). */
export type TokenResponseV1 = Omit<UserTokenResponseV1, 'scope' | 'refresh_token' | 'id_token' | 'client_info'>;

/** Client id and secret from HTTP Basic authentication, when the header carries it. */
function basicCredentials(authorization: string | undefined): { id?: string; secret?: string } | null {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!basic) return null;
  const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
  try {
    return { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(':')) };
  } catch {
    throw new OAuthError(401, 'invalid_client', 'The HTTP Basic credentials are not URL-encoded correctly');
  }
}

/** Grants, client authentication and audiences. */
export class AuthorizationServer {
  constructor(
    private readonly tenants: TenantRepo,
    private readonly apps: AppRepo,
    private readonly tokens: TokenService,
    /** The user grants (authorization code, refresh token, device code); without them only client credentials. */
    private readonly userGrants: UserGrants | null = null,
  ) {}

  /** The tenant id (lower case) when the tenant exists; otherwise `invalid_tenant`. */
  async tenant(raw: string): Promise<string> {
    const tid = raw.toLowerCase();
    if (!(await this.tenants.get(tid))) throw new OAuthError(400, 'invalid_tenant', `Tenant '${tid}' not found. Check the tenant id in the authority URL.`);
    return tid;
  }

  /** The OpenID discovery document of a tenant, for a client that reached the server at `baseUrl`. */
  async discovery(rawTenant: string, baseUrl: string, version: OAuthVersion): Promise<Record<string, unknown>> {
    const tid = await this.tenant(rawTenant);
    const v = version === '2.0' ? '/v2.0' : '';
    return {
      issuer: issuerFor(baseUrl, tid, version),
      token_endpoint: `${baseUrl}/${tid}/oauth2${v}/token`,
      authorization_endpoint: `${baseUrl}/${tid}/oauth2${v}/authorize`,
      device_authorization_endpoint: `${baseUrl}/${tid}/oauth2${v}/devicecode`,
      jwks_uri: `${baseUrl}/${tid}/discovery${v}/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      grant_types_supported: ['client_credentials', ...(this.userGrants ? ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT, 'password'] : [])],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'appid', 'azp', 'roles', 'scp', 'oid', 'sub', 'upn', 'name', 'preferred_username', 'nonce'],
      tenant_region_scope: null,
      cloud_instance_name: baseUrl.replace(/^https?:\/\//, ''),
    };
  }

  /** The device authorization endpoint (RFC 8628): a device code for a public client. */
  async deviceAuthorization(rawTenant: string, form: UserGrantForm, baseUrl: string): Promise<DeviceAuthorizationResponse> {
    const tid = await this.tenant(rawTenant);
    if (!this.userGrants) throw new OAuthError(400, 'unsupported_grant_type', 'The device code flow is not available');
    return this.userGrants.deviceAuthorization(tid, form, baseUrl);
  }

  /** The tenant's public signing keys. */
  async jwks(rawTenant: string): Promise<{ keys: JWK[] }> {
    return this.tokens.jwks(await this.tenant(rawTenant));
  }

  /** Authenticates the client (secret in the form or HTTP Basic); `invalid_client` otherwise. */
  private async client(tid: string, form: TokenRequest, authorization: string | undefined): Promise<App> {
    const { id, secret } = basicCredentials(authorization) ?? { id: form.client_id, secret: form.client_secret };
    if (!id || !secret) throw new OAuthError(401, 'invalid_client', 'client_id and client_secret are required');
    const app = await this.apps.get(tid, id);
    if (!app || !(await verifySecret(secret, app.secretHash))) {
      throw new OAuthError(401, 'invalid_client', 'Invalid client secret provided, or the application was not found in this tenant.');
    }
    return app;
  }

  /**
   * The client of a user grant: a confidential app when the request carries a secret (checked, or
   * `invalid_client`); otherwise null, and the grant looks `client_id` up among the public clients.
   * The password grant is not the console's: it signs in with the authorization code flow.
   */
  private async userClient(tid: string, form: TokenRequest, authorization: string | undefined): Promise<SignInClient | null> {
    if (form.grant_type === 'password' && form.client_id?.trim().toLowerCase() === CONSOLE_CLIENT_ID) {
      throw new OAuthError(400, 'unauthorized_client', 'The console does not take the password grant; register a public client (palisade admin app create --public) for scripts');
    }
    if (!basicCredentials(authorization) && form.client_secret === undefined) return null;
    const app = await this.client(tid, form, authorization);
    return { clientId: app.clientId, name: app.name, redirectUris: app.redirectUris };
  }

  /**
   * A token request: the client-credentials grant (an app token for the audience the request names)
   * or a user grant, answered in the endpoint's shape. `address` is the caller's (the sign-in throttle).
   */
  async token(rawTenant: string, form: TokenRequest, authorization: string | undefined, baseUrl: string, version: OAuthVersion, address: string): Promise<TokenResponseV2 | TokenResponseV1 | UserTokenResponse | UserTokenResponseV1> {
    const tid = await this.tenant(rawTenant);
    const user = this.userGrants;
    // Entra ID also takes the device code grant's short name, which MSAL sends
    const grant = form.grant_type === 'device_code' ? DEVICE_CODE_GRANT : form.grant_type;
    if (user && (grant === 'password' || grant === 'authorization_code' || grant === 'refresh_token' || grant === DEVICE_CODE_GRANT)) {
      const req: GrantRequest = { baseUrl, version, address, client: await this.userClient(tid, form, authorization) };
      if (grant === 'password') return user.password(tid, form, req);
      if (grant === 'authorization_code') return user.authorizationCode(tid, form, req);
      if (grant === 'refresh_token') return user.refreshToken(tid, form, req);
      return user.deviceCode(tid, form, req);
    }
    if (grant !== 'client_credentials') {
      const supported = user ? 'client_credentials, password, authorization_code, refresh_token or the device code grant' : 'client_credentials';
      throw new OAuthError(400, 'unsupported_grant_type', `The grant type '${(form.grant_type ?? '').slice(0, 100)}' is not supported; use ${supported}`);
    }
    const app = await this.client(tid, form, authorization);
    const aud = version === '2.0' ? audienceFor({ scope: form.scope }) : audienceFor({ resource: form.resource ?? '' });
    if (!aud) {
      throw version === '2.0'
        ? new OAuthError(400, 'invalid_scope', `The scope '${form.scope ?? ''}' is not valid; use https://api.securitycenter.microsoft.com/.default`)
        : new OAuthError(400, 'invalid_resource', `The resource '${form.resource ?? ''}' is not known; use https://api.securitycenter.microsoft.com`);
    }
    const t = await this.tokens.issueAppToken(app, aud, issuerFor(baseUrl, tid, version), version);
    return version === '2.0'
      ? { token_type: 'Bearer', expires_in: t.expiresIn, ext_expires_in: t.expiresIn, access_token: t.token }
      : { token_type: 'Bearer', expires_in: String(t.expiresIn), ext_expires_in: String(t.expiresIn), expires_on: String(t.expiresOn), not_before: String(t.notBefore), resource: aud, access_token: t.token };
  }
}
