/**
 * Palisade as an OpenID Connect relying party of a tenant's external providers (issue 14, item 1),
 * on openid-client: discovery of the issuer, the authorization code flow with PKCE (S256), `state`
 * and `nonce`, and the id token validated by the library (signature against the provider's JWKS,
 * issuer, audience, expiry, nonce). The secrets of a sign-in in flight are kept in the state store
 * under the SHA-256 of its `state`, bound to the browser that started it (the digest of the sign-in
 * page's binding cookie, which the callback must present again); each is taken once, so a replayed
 * or forged callback finds nothing.
 * Everything that goes wrong is a `FederationError` whose message may be shown to the person.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { ExternalIdp } from '../domain/external-idp.ts';
import { issuerProblem } from '../domain/external-idp.ts';
import type { FederationRequestRepo } from '../domain/ports.ts';

/** A federated sign-in that failed; the message is safe to show on an error page. */
export class FederationError extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
    this.name = 'FederationError';
  }
}

/** How long a person has to finish signing in at the provider. */
export const FEDERATION_REQUEST_TTL_MS = 10 * 60_000;

/** How long a provider's discovery document is reused before it is fetched again. */
const DISCOVERY_TTL_MS = 60 * 60_000;

/** How long one request to a provider may take. */
const PROVIDER_TIMEOUT_MS = 10_000;

/** What a finished sign-in proved: the provider, the person's claims (id token, then userinfo), and the request it finishes. */
export interface FederationResult {
  idp: ExternalIdp;
  pendingRequest: string;
  claims: Record<string, unknown>;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex'), y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** fetch with a time limit, so a provider that hangs fails the sign-in instead of holding it. */
const timedFetch: oidc.CustomFetch = (url, options) => fetch(url, { ...options, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) } as RequestInit);

/** The relying party of every tenant's providers; discovery documents are cached per provider for an hour. */
export class OidcRelyingParty {
  private readonly configs = new Map<string, { key: string; at: number; config: Promise<oidc.Configuration> }>();
  private lastPurge = 0;

  constructor(private readonly requests: FederationRequestRepo, private readonly clock: () => Date = () => new Date()) {}

  /** The provider's configuration (discovered, or cached); http only on loopback issuers. */
  private configuration(idp: ExternalIdp): Promise<oidc.Configuration> {
    const key = JSON.stringify([idp.issuer, idp.clientId, idp.clientSecret]);
    const now = this.clock().getTime();
    const hit = this.configs.get(idp.id);
    if (hit && hit.key === key && now - hit.at < DISCOVERY_TTL_MS) return hit.config;
    const problem = issuerProblem(idp.issuer);
    if (problem) return Promise.reject(new FederationError(`The identity provider ${idp.name} is not usable: ${problem}`));
    const issuer = new URL(idp.issuer);
    const auth = idp.clientSecret === null ? oidc.None() : oidc.ClientSecretPost(idp.clientSecret);
    const config = oidc.discovery(issuer, idp.clientId, undefined, auth, {
      [oidc.customFetch]: timedFetch,
      ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    }).catch((e: unknown) => {
      this.configs.delete(idp.id);
      throw new FederationError(`The identity provider ${idp.name} could not be reached`, describe(e));
    });
    this.configs.set(idp.id, { key, at: now, config });
    return config;
  }

  /**
   * Starts a sign-in at `idp` for the identity surface's pending request, from the browser whose
   * binding cookie has the SHA-256 `browserHash`: stores the state, nonce and PKCE verifier, and
   * returns the provider's authorization URL. Sign-ins nobody finished are removed here, at most
   * once a minute.
   */
  async begin(idp: ExternalIdp, callbackUrl: string, pendingRequest: string, browserHash: string): Promise<string> {
    if (this.clock().getTime() - this.lastPurge >= 60_000) {
      this.lastPurge = this.clock().getTime();
      await this.purgeExpired();
    }
    const config = await this.configuration(idp);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    await this.requests.create({
      stateHash: sha256(state), tenantId: idp.tenantId, idpId: idp.id, browserHash, nonce, codeVerifier,
      redirectUri: callbackUrl, pendingRequest, expiresAt: new Date(this.clock().getTime() + FEDERATION_REQUEST_TTL_MS).toISOString(),
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl, scope: idp.scopes.join(' '), response_type: 'code', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    });
    return url.href;
  }

  /**
   * Finishes the sign-in the provider redirected back with (`callbackUrl` is the whole URL it called,
   * `browserBinding` the binding cookie the browser sent): takes the pending request by its state, checks the
   * browser, turns an error answer into a FederationError, redeems the code with the PKCE verifier,
   * lets the library validate the id token (nonce included) and adds the userinfo claims.
   */
  async finish(tenantId: string, callbackUrl: URL, browserBinding: string | undefined, lookup: (idpId: string) => Promise<ExternalIdp | null>): Promise<FederationResult> {
    const state = callbackUrl.searchParams.get('state');
    if (!state || state.length > 512) throw new FederationError('The identity provider\'s answer carries no sign-in state; start signing in again');
    const pending = await this.requests.take(tenantId, sha256(state), this.clock().toISOString());
    if (!pending) throw new FederationError('This sign-in has expired or was already used; start signing in again');
    if (!browserBinding || browserBinding.length > 256 || !sameHex(sha256(browserBinding), pending.browserHash)) {
      throw new FederationError('This sign-in was started in another browser; start signing in again');
    }
    const idp = await lookup(pending.idpId);
    if (!idp) throw new FederationError('The identity provider of this sign-in was removed');
    const error = callbackUrl.searchParams.get('error');
    if (error !== null) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new FederationError(`${idp.name} refused the sign-in: ${error.slice(0, 100)}${description ? ` (${description.slice(0, 300)})` : ''}`);
    }
    const config = await this.configuration(idp);
    // the library compares redirect_uri with the URL it is given: hand it the callback as registered
    const current = new URL(pending.redirectUri);
    current.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.codeVerifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (e) {
      throw new FederationError(`${idp.name}'s answer could not be verified; start signing in again`, describe(e));
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new FederationError(`${idp.name} sent no id token`);
    const claims: Record<string, unknown> = { ...idClaims };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        for (const [k, v] of Object.entries(info)) if (!(k in claims)) claims[k] = v;
      } catch (e) {
        throw new FederationError(`${idp.name}'s user information could not be read`, describe(e));
      }
    }
    return { idp, pendingRequest: pending.pendingRequest, claims };
  }

  /** Removes the sign-ins nobody finished in time; returns how many. */
  purgeExpired(): Promise<number> {
    return this.requests.purgeExpired(this.clock().toISOString());
  }
}

/** A library or network error as one log line (never shown to the person). */
function describe(e: unknown): string {
  if (e instanceof Error) {
    const extra = e as Error & { code?: string; error?: string; error_description?: string };
    // the library puts what went wrong (e.g. which claim failed a comparison) in the cause
    const cause = e.cause instanceof Error ? e.cause.message : undefined;
    return [e.name, extra.code, extra.error, extra.error_description, e.message, cause].filter(Boolean).join(': ').slice(0, 1000);
  }
  return String(e).slice(0, 1000);
}
