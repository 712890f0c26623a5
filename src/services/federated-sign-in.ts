/**
 * Sign-in through a tenant's external OpenID Connect providers, between the identity surface's
 * sign-in page and the provider (issue 14, item 1). The page shows one `Sign in with <name>` button
 * per provider (`providers`); pressing it leads the browser to `start`, which checks that the
 * browser is the one that opened the pending sign-in request, and sends it to the provider; the
 * provider returns it to `callback`, which validates the answer (the relying party), finds or
 * creates the user (ExternalIdpService.signIn) and lets the sign-in page finish the pending request
 * for that user (`completeSignIn`). Whatever goes wrong ends on a page that says what happened.
 */
import { createHash } from 'node:crypto';
import { systemCtx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import { FederationError, type OidcRelyingParty } from '../auth/oidc-relying-party.ts';
import type { ExternalIdpService } from './external-idps.ts';

/** The browser a request came from: the server's origin as reached, its address, and the sign-in page's binding cookie. */
export interface FederationBrowser {
  baseUrl: string;
  address: string;
  browserToken?: string;
}

/** What the sign-in page offers federation: the browser binding of its pending requests, and finishing one. */
export interface SignInPage<Outcome> {
  /** The SHA-256 (hex) of the binding cookie of the tenant's unexpired pending request `requestId`, or null. */
  browserHashOf(tenantId: string, requestId: string): Promise<string | null>;
  /** Finishes the pending request for a user the provider `via` signed in (the redirect with a code, or a message page). */
  completeSignIn(tenantId: string, requestId: string, userId: string, via: string, browser: FederationBrowser): Promise<Outcome>;
}

/** A provider's button: its id and name, and where pressing it sends the browser. */
export interface FederationButton {
  id: string;
  name: string;
  start(req: { tenantId: string; requestId: string; baseUrl: string }): Promise<string>;
}

/** A federated step's answer: go on to `location`, finish with the sign-in page's outcome, or show a refusal. */
export type FederationStep<Outcome> =
  | { kind: 'redirect'; location: string }
  | { kind: 'finished'; outcome: Outcome }
  | { kind: 'refused'; status: number; title: string; message: string; /** What the library or the network said, for the server's log only. */ detail?: string };

/** The path (after the tenant) of the route a provider's button leads to. */
export const FEDERATION_START_PATH = '/oauth2/v2.0/federation/start';
/** The path (after the tenant) providers return to; register `<origin>/<tenant>` + this at the provider. */
export const FEDERATION_CALLBACK_PATH = '/oauth2/v2.0/federation/callback';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const refused = <O>(status: number, title: string, message: string, detail?: string): FederationStep<O> => ({ kind: 'refused', status, title, message, detail });

/** Federated sign-in, wired to the sign-in page's pending requests. */
export class FederatedSignIn<Outcome> {
  constructor(
    private readonly idps: ExternalIdpService,
    private readonly rp: OidcRelyingParty,
    private readonly page: SignInPage<Outcome>,
  ) {}

  /** The buttons of a tenant's sign-in page, one per provider. */
  async providers(tenantId: string): Promise<FederationButton[]> {
    const options = await this.idps.signInOptions(systemCtx(tenantId));
    return options.map((o) => ({
      ...o,
      start: async (req) => `${req.baseUrl}/${req.tenantId}${FEDERATION_START_PATH}?${new URLSearchParams({ provider: o.id, request: req.requestId })}`,
    }));
  }

  /**
   * Sends the browser that opened the pending request `requestId` to the provider `idpId`; refused
   * when the request is unknown or expired, the browser is another one, or the provider cannot be reached.
   */
  async start(tenantId: string, idpId: string, requestId: string, browser: FederationBrowser): Promise<FederationStep<Outcome>> {
    const expected = requestId.length <= 256 ? await this.page.browserHashOf(tenantId, requestId) : null;
    if (!expected) return refused(400, 'Sign-in expired', 'This sign-in request has expired or was already used. Go back to the application and sign in again.');
    if (!browser.browserToken || browser.browserToken.length > 256 || sha256(browser.browserToken) !== expected) {
      return refused(400, 'Sign-in not verified', 'This sign-in was started in another browser. Go back to the application and sign in again.');
    }
    const idp = await this.idps.forSignIn(systemCtx(tenantId), idpId);
    if (!idp) return refused(400, 'Sign-in option not available', 'That sign-in option is not available. Go back and choose another.');
    try {
      const callback = `${browser.baseUrl}/${tenantId}${FEDERATION_CALLBACK_PATH}`;
      return { kind: 'redirect', location: await this.rp.begin(idp, callback, requestId, expected) };
    } catch (e) {
      if (e instanceof FederationError) return refused(400, 'Sign-in failed', e.message, e.detail);
      throw e;
    }
  }

  /**
   * Finishes a sign-in the provider returned with (`url`: the callback as called): the answer
   * validated, the user found or created with its roles from the mapping, the pending request
   * finished for that user. Refusals say why: the provider's error, an answer that cannot be
   * verified, an expired or replayed sign-in, another browser, an account that may not sign in.
   */
  async callback(tenantId: string, url: URL, browser: FederationBrowser): Promise<FederationStep<Outcome>> {
    const ctx = systemCtx(tenantId);
    try {
      const { idp, claims, pendingRequest } = await this.rp.finish(tenantId, url, browser.browserToken, (id) => this.idps.forSignIn(ctx, id));
      const user = await this.idps.signIn(ctx, idp, claims);
      return { kind: 'finished', outcome: await this.page.completeSignIn(tenantId, pendingRequest, user.id, `idp:${idp.name}`, browser) };
    } catch (e) {
      if (e instanceof FederationError) return refused(400, 'Sign-in failed', e.message, e.detail);
      if (e instanceof PalisadeError && e.status < 500) return refused(e.status, 'Sign-in refused', e.message);
      throw e;
    }
  }
}
