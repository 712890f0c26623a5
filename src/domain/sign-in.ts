/**
 * The stored state of user sign-in (issue 14, item 3), kept in the state store so that any API
 * process continues what another began: pending sign-in requests (the authorize page between its
 * GET and its POST), grants (one per sign-in; revoking one revokes every token it issued),
 * authorization codes, refresh tokens, device codes and failed-sign-in counters for throttling.
 * Secrets (codes, tokens, CSRF values) are stored only as SHA-256 hashes.
 */

/** What a pending sign-in request is for: the authorize endpoint, or a device code's verification page. */
export type SignInRequestKind = 'authorize' | 'device';

/** How the authorization response travels back to the client. */
export type ResponseMode = 'query' | 'form_post';

/** A sign-in request between the page that asks for credentials and the form that answers it. */
export interface PendingSignIn {
  tenantId: string;
  /** Random id, carried by the page's form (and by a federation provider's round trip). */
  id: string;
  kind: SignInRequestKind;
  /** SHA-256 (hex) of the CSRF token the page's form carries. */
  csrfHash: string;
  /** SHA-256 (hex) of the browser-binding cookie set with the page. */
  browserHash: string;
  clientId: string;
  /** Authorize requests: where the code goes, how, with which state; null for device requests. */
  redirectUri: string | null;
  responseMode: ResponseMode | null;
  state: string | null;
  nonce: string | null;
  /** The scopes asked for, space-separated (authorize requests). */
  scope: string;
  /** PKCE S256 challenge (authorize requests); null when a confidential client sent none. */
  codeChallenge: string | null;
  /** Device requests: the user code entered, once the device code it names was found. */
  userCode: string | null;
  /** The user whose password was right while the TOTP code is still to come. */
  firstFactorUserId: string | null;
  createdAt: string;
  expiresAt: string;
}

/** One completed sign-in of a user to a client; the tokens issued from it share its fate. */
export interface SignInGrant {
  tenantId: string;
  id: string;
  userId: string;
  clientId: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A single-use authorization code (stored by hash), bound to its client, redirect URI and PKCE challenge. */
export interface AuthorizationCode {
  tenantId: string;
  codeHash: string;
  grantId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  userId: string;
  /** The scopes asked for, space-separated, as the authorize request named them. */
  scope: string;
  nonce: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** A rotating refresh token (stored by hash): using it once replaces it. */
export interface RefreshToken {
  tenantId: string;
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  scope: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** Where a device code is in its life. */
export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'redeemed';

/** A device authorization request (RFC 8628): the device code by hash, the user code in clear. */
export interface DeviceCode {
  tenantId: string;
  deviceCodeHash: string;
  /** Normalized: upper-case letters, no separator. */
  userCode: string;
  clientId: string;
  scope: string;
  status: DeviceCodeStatus;
  /** Seconds the client must wait between polls. */
  interval: number;
  userId: string | null;
  grantId: string | null;
  lastPolledAt: string | null;
  createdAt: string;
  expiresAt: string;
}

/** Failed sign-ins counted under one key (an account or a client address) within a window. */
export interface SignInFailures {
  tenantId: string;
  key: string;
  failures: number;
  windowStartedAt: string;
  lockedUntil: string | null;
}
