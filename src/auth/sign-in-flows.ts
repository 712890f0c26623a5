/**
 * Interactive sign-in of users, as Entra ID does it for public clients: the authorize request is
 * checked (client and redirect URI before anything else, so an unknown client or redirect URI never
 * gets a redirect), a pending request is stored with a CSRF token and a browser-binding cookie, the
 * page asks for a name and password, then a TOTP code when the user has one (UserService), and a
 * successful sign-in sends a single-use authorization code to the redirect URI. The device-code
 * verification page uses the same pending requests and steps. Failures are throttled per account
 * and per client address (sign-in-throttle.ts) and audited.
 *
 * Federation plugs in here: `registerProvider` adds a `Sign in with <name>` button whose press
 * calls the provider's `start`, and `completeSignIn` finishes a pending request for a user the
 * provider authenticated.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { StateStore } from '../domain/ports.ts';
import type { PendingSignIn, ResponseMode } from '../domain/sign-in.ts';
import type { AuditRecord } from '../domain/tenant.ts';
import { parseDelegatedScope, ScopeError } from './delegated-scopes.ts';
import { isS256Challenge } from './pkce.ts';
import { digestToken, sameDigest } from './secrets.ts';
import { redirectAllowed, signInClient } from './sign-in-clients.ts';
import { SignInThrottle, throttleKeys } from './sign-in-throttle.ts';

/** How long a sign-in page may wait for its form. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;
/** How long an authorization code lives. */
export const AUTHORIZATION_CODE_MS = 60_000;

/** The message of every refused credential, whatever was wrong. */
export const REFUSED_MESSAGE = 'The user name, password or verification code is incorrect.';

/** The user a sign-in establishes. */
export interface SignedInUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

/** The credential checks the pages use (services/users.ts UserService). */
export interface UserAuthenticator {
  verifyPassword(ctx: Ctx, userPrincipalName: string, password: string, via?: string): Promise<{ user: SignedInUser } | { codeRequiredFor: string }>;
  verifyCode(ctx: Ctx, userId: string, code: string): Promise<SignedInUser>;
  signInVouched(ctx: Ctx, userId: string, via: string): Promise<SignedInUser>;
}

/** The query of an authorize request (v2.0 `scope`, v1 `resource`). */
export interface AuthorizeQuery {
  client_id?: string;
  redirect_uri?: string;
  response_type?: string;
  response_mode?: string;
  scope?: string;
  resource?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  login_hint?: string;
  prompt?: string;
}

/** The fields a sign-in form posts. */
export interface SignInFields {
  request?: string;
  csrf?: string;
  login?: string;
  password?: string;
  otc?: string;
  user_code?: string;
  provider?: string;
  /** Present when the person declines a device's sign-in. */
  deny?: string;
}

/** Where the browser's request came from: the server's origin as reached, the client address and the binding cookie it sent. */
export interface BrowserContext {
  baseUrl: string;
  address: string;
  /** The value of the sign-in cookie, when the browser sent one. */
  browserToken?: string;
}

/** An external identity provider's button on the sign-in page (federation). */
export interface SignInProvider {
  /** Stable id, e.g. the provider's id in the tenant. */
  id: string;
  /** Shown as `Sign in with <name>`. */
  name: string;
  /** The URL to send the browser to for the pending request `requestId`; the provider later calls `completeSignIn`. */
  start(req: { tenantId: string; requestId: string; baseUrl: string }): Promise<string>;
}

/** Lists the providers of a tenant (federation registers one function; none by default). */
export type SignInProviders = (tenantId: string) => Promise<readonly SignInProvider[]>;

/** What a sign-in page shows. */
export interface SignInForm {
  tenantId: string;
  requestId: string;
  csrf: string;
  /** `credentials`: name and password; `code`: the TOTP code; `device-code`: the device's user code. */
  step: 'credentials' | 'code' | 'device-code';
  /** The path the form posts to. */
  action: string;
  clientName: string;
  /** An error to show, or null. */
  message: string | null;
  userName: string;
  providers: readonly { id: string; name: string }[];
  /** The origin the sign-in may end at (the redirect URI's), for the page's form-action policy. */
  redirectOrigin: string | null;
  /** A device's sign-in, which the person may decline. */
  declinable: boolean;
}

/** What to answer the browser. */
export type SignInOutcome =
  | { kind: 'form'; status: number; form: SignInForm; browserToken: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; fields: Record<string, string> }
  | { kind: 'message'; status: number; title: string; message: string };

/** An audit record of the sign-in page (failures the user service does not record itself). */
function auditRecord(ctx: Ctx, time: Date, action: string, target: string, details: string): AuditRecord {
  return { tenantId: ctx.tenantId, time: time.toISOString(), actorKind: ctx.principal.kind, actorId: ctx.principal.id, action, target, result: 'failure', details };
}

const message = (status: number, title: string, text: string): SignInOutcome => ({ kind: 'message', status, title, message: text });
const EXPIRED = message(400, 'Sign-in expired', 'This sign-in request has expired or was already used. Go back to the application and sign in again.');
const UNVERIFIED = message(400, 'Sign-in not verified', 'The sign-in form could not be verified (it may be stale, or it was sent from another site). Go back to the application and sign in again.');
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** A user code as the verification page compares it: upper case, letters only. */
export function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 16);
}

/** A new user code: 8 consonants (20^8 ≈ 2.6e10), shown as `XXXX-XXXX`. */
export function newUserCode(): string {
  const bytes = randomBytes(8);
  return [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
}

const newToken = () => randomBytes(32).toString('base64url');
const validToken = (t: string | undefined): t is string => typeof t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(t);

/** The sign-in pages' use cases. */
export class SignInFlows {
  private providers: SignInProviders = async () => [];
  private readonly throttle: SignInThrottle;
  private lastPurge = 0;

  constructor(
    private readonly store: StateStore,
    private readonly users: UserAuthenticator,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.throttle = new SignInThrottle(() => store.signIns, clock);
  }

  /** Sets where the sign-in page finds external providers' buttons (the federation lane's hook). */
  registerProvider(providers: SignInProviders): void {
    this.providers = providers;
  }

  private ctx(tenantId: string, address: string): Ctx {
    return {
      tenantId,
      principal: { kind: 'system', id: `sign-in:${address.slice(0, 64)}`, name: `sign-in page (${address.slice(0, 64)})`, permissions: new Set(), deviceGroups: 'all' },
      authz: { checked: true },
    };
  }

  private async purge(): Promise<void> {
    const now = this.clock().getTime();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    await this.store.signIns.purgeExpired(new Date(now - 60_000).toISOString());
  }

  /** The path of a tenant's sign-in form. */
  private action(p: PendingSignIn): string {
    return p.kind === 'device' ? `/${p.tenantId}/oauth2/deviceauth` : `/${p.tenantId}/oauth2/v2.0/authorize`;
  }

  private async form(p: PendingSignIn, csrf: string, browserToken: string, step: SignInForm['step'], msg: string | null, userName = '', status = 200): Promise<SignInOutcome> {
    let clientName = '';
    if (p.kind === 'authorize') {
      clientName = (await signInClient(this.store.apps, p.tenantId, p.clientId, ''))?.name ?? '';
    } else if (p.userCode) {
      const d = await this.store.signIns.deviceCodeByUserCode(p.tenantId, p.userCode);
      clientName = d ? (await signInClient(this.store.apps, p.tenantId, d.clientId, ''))?.name ?? '' : '';
    }
    const providers = step === 'credentials' ? (await this.providers(p.tenantId)).map(({ id, name }) => ({ id, name })) : [];
    return {
      kind: 'form', status, browserToken,
      form: {
        tenantId: p.tenantId, requestId: p.id, csrf, step, action: this.action(p), clientName, message: msg, userName, providers,
        redirectOrigin: p.redirectUri ? new URL(p.redirectUri).origin : null,
        declinable: p.kind === 'device' && p.userCode !== null && step !== 'device-code',
      },
    };
  }

  private async newPending(tenantId: string, browser: BrowserContext, fields: Partial<PendingSignIn> & Pick<PendingSignIn, 'kind' | 'clientId'>): Promise<{ p: PendingSignIn; csrf: string; browserToken: string }> {
    await this.purge();
    const csrf = newToken();
    const browserToken = validToken(browser.browserToken) ? browser.browserToken : newToken();
    const now = this.clock();
    const p: PendingSignIn = {
      tenantId, id: randomUUID(), csrfHash: digestToken(csrf), browserHash: digestToken(browserToken), redirectUri: null, responseMode: null,
      state: null, nonce: null, scope: '', codeChallenge: null, userCode: null, firstFactorUserId: null,
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + PENDING_SIGN_IN_MS).toISOString(), ...fields,
    };
    await this.store.signIns.putRequest(p);
    return { p, csrf, browserToken };
  }

  /**
   * An authorize request: an error page for an unknown tenant, client or redirect URI; an error
   * redirect for a bad request from a known client at a registered redirect URI; else the sign-in page.
   */
  async authorize(rawTenant: string, q: AuthorizeQuery, browser: BrowserContext): Promise<SignInOutcome> {
    const tenantId = rawTenant.toLowerCase();
    if (!(await this.store.tenants.get(tenantId))) return message(400, 'Unknown tenant', `Tenant '${tenantId}' was not found. Check the tenant id in the sign-in address.`);
    const client = q.client_id ? await signInClient(this.store.apps, tenantId, q.client_id, browser.baseUrl) : null;
    if (!client) return message(400, 'Unknown application', 'The application asking you to sign in is not registered as a public client of this tenant.');
    const redirectUri = q.redirect_uri ?? '';
    if (!redirectUri || !redirectAllowed(client, redirectUri)) return message(400, 'Wrong redirect address', 'The redirect URI in the request is not one registered for the application.');
    const mode: ResponseMode | null = q.response_mode === undefined || q.response_mode === 'query' ? 'query' : q.response_mode === 'form_post' ? 'form_post' : null;
    const fail = (error: string, description: string) => this.errorResponse(redirectUri, mode ?? 'query', error, description, q.state ?? null);
    if (mode === null) return fail('invalid_request', `response_mode '${q.response_mode}' is not supported; use query or form_post`);
    if (q.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported');
    if ((q.state?.length ?? 0) > 2048 || (q.nonce?.length ?? 0) > 1024) return fail('invalid_request', 'state or nonce is too long');
    if (!q.code_challenge || !isS256Challenge(q.code_challenge) || q.code_challenge_method !== 'S256') {
      return fail('invalid_request', 'A public client must send a PKCE code_challenge with code_challenge_method=S256');
    }
    const scope = q.scope ?? (q.resource ? `${q.resource.replace(/\/+$/, '')}/.default openid profile` : '');
    try {
      parseDelegatedScope(scope);
    } catch (e) {
      if (e instanceof ScopeError) return fail('invalid_scope', e.message);
      throw e;
    }
    if (q.prompt === 'none') return fail('login_required', 'The user must sign in; there is no session to use without a prompt');
    const { p, csrf, browserToken } = await this.newPending(tenantId, browser, {
      kind: 'authorize', clientId: client.clientId, redirectUri, responseMode: mode, state: q.state ?? null, nonce: q.nonce ?? null, scope,
      codeChallenge: q.code_challenge,
    });
    return this.form(p, csrf, browserToken, 'credentials', null, (q.login_hint ?? '').slice(0, 256));
  }

  /** The device-code verification page: asks for the code shown on the device. */
  async deviceVerification(rawTenant: string, browser: BrowserContext): Promise<SignInOutcome> {
    const tenantId = rawTenant.toLowerCase();
    if (!(await this.store.tenants.get(tenantId))) return message(400, 'Unknown tenant', `Tenant '${tenantId}' was not found. Check the tenant id in the address.`);
    const { p, csrf, browserToken } = await this.newPending(tenantId, browser, { kind: 'device', clientId: '' });
    return this.form(p, csrf, browserToken, 'device-code', null);
  }

  /** A posted sign-in form (any step of either page). */
  async submit(rawTenant: string, f: SignInFields, browser: BrowserContext): Promise<SignInOutcome> {
    const tenantId = rawTenant.toLowerCase();
    const p = f.request && /^[0-9a-f-]{36}$/.test(f.request) ? await this.store.signIns.getRequest(tenantId, f.request) : null;
    if (!p || p.expiresAt <= this.clock().toISOString()) return EXPIRED;
    if (!validToken(f.csrf) || !sameDigest(digestToken(f.csrf), p.csrfHash) || !validToken(browser.browserToken) || !sameDigest(digestToken(browser.browserToken), p.browserHash)) return UNVERIFIED;
    const csrf = f.csrf, cookie = browser.browserToken;
    const ctx = this.ctx(tenantId, browser.address);

    if (f.provider !== undefined) {
      const provider = (await this.providers(tenantId)).find((x) => x.id === f.provider);
      if (!provider || p.firstFactorUserId) return this.form(p, csrf, cookie, p.firstFactorUserId ? 'code' : 'credentials', 'That sign-in option is not available.');
      return { kind: 'redirect', location: await provider.start({ tenantId, requestId: p.id, baseUrl: browser.baseUrl }) };
    }

    if (f.deny !== undefined && p.kind === 'device' && p.userCode) {
      const d = await this.store.signIns.deviceCodeByUserCode(tenantId, p.userCode);
      if (!(await this.store.signIns.takeRequest(tenantId, p.id))) return EXPIRED;
      if (d) await this.store.signIns.transitionDeviceCode(tenantId, d.deviceCodeHash, 'pending', { status: 'denied' });
      return message(200, 'Sign-in declined', 'You declined the sign-in on your device. You may now close this window.');
    }

    if (p.kind === 'device' && !p.userCode) {
      const keys = throttleKeys(browser.address);
      const wait = await this.throttle.retryAfter(tenantId, keys);
      if (wait > 0) return this.throttled(ctx, p, csrf, cookie, 'device-code', '', wait);
      const code = normalizeUserCode(f.user_code ?? '');
      const d = code.length === 8 ? await this.store.signIns.deviceCodeByUserCode(tenantId, code) : null;
      if (!d || d.status !== 'pending' || d.expiresAt <= this.clock().toISOString()) {
        await this.throttle.failed(tenantId, keys);
        await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin.devicecode', code || '(empty)', JSON.stringify({ reason: 'unknown or expired user code' })));
        return this.form(p, csrf, cookie, 'device-code', 'That code is not valid or has expired. Check the code on your device and try again.');
      }
      await this.store.signIns.updateRequest(tenantId, p.id, { userCode: code });
      return this.form({ ...p, userCode: code }, csrf, cookie, 'credentials', null);
    }

    if (p.firstFactorUserId) {
      const u = await this.store.users.get(tenantId, p.firstFactorUserId);
      const keys = throttleKeys(browser.address, u?.userPrincipalName ?? p.firstFactorUserId);
      const wait = await this.throttle.retryAfter(tenantId, keys);
      if (wait > 0) return this.throttled(ctx, p, csrf, cookie, 'code', u?.userPrincipalName ?? '', wait);
      try {
        return await this.finish(p, await this.users.verifyCode(ctx, p.firstFactorUserId, f.otc ?? ''), keys, browser);
      } catch (e) {
        if (!(e instanceof PalisadeError) || e.code !== 'Unauthorized') throw e;
        await this.throttle.failed(tenantId, keys);
        return this.form(p, csrf, cookie, 'code', REFUSED_MESSAGE);
      }
    }

    const login = (f.login ?? '').slice(0, 256);
    const keys = throttleKeys(browser.address, login);
    const wait = await this.throttle.retryAfter(tenantId, keys);
    if (wait > 0) return this.throttled(ctx, p, csrf, cookie, 'credentials', login, wait);
    try {
      const out = await this.users.verifyPassword(ctx, login, f.password ?? '');
      if ('codeRequiredFor' in out) {
        await this.store.signIns.updateRequest(tenantId, p.id, { firstFactorUserId: out.codeRequiredFor });
        return this.form({ ...p, firstFactorUserId: out.codeRequiredFor }, csrf, cookie, 'code', null);
      }
      return await this.finish(p, out.user, keys, browser);
    } catch (e) {
      if (!(e instanceof PalisadeError) || e.code !== 'Unauthorized') throw e;
      await this.throttle.failed(tenantId, keys);
      return this.form(p, csrf, cookie, 'credentials', REFUSED_MESSAGE, login);
    }
  }

  /**
   * Finishes the pending request `requestId` for a user another authenticator (an external identity
   * provider) signed in: the redirect with a code, or the device page's confirmation; an error
   * message when the request expired, was used, or the user is unknown or disabled.
   */
  async completeSignIn(tenantId: string, requestId: string, userId: string, via: string, browser: BrowserContext): Promise<SignInOutcome> {
    const tid = tenantId.toLowerCase();
    const p = await this.store.signIns.getRequest(tid, requestId);
    if (!p || p.expiresAt <= this.clock().toISOString()) return EXPIRED;
    try {
      return await this.finish(p, await this.users.signInVouched(this.ctx(tid, browser.address), userId, via), [], browser);
    } catch (e) {
      if (!(e instanceof PalisadeError) || e.code !== 'Unauthorized') throw e;
      return message(403, 'Sign-in refused', 'This account cannot sign in here. Ask your administrator.');
    }
  }

  private async throttled(ctx: Ctx, p: PendingSignIn, csrf: string, cookie: string, step: SignInForm['step'], login: string, wait: number): Promise<SignInOutcome> {
    await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', login || '(device code)', JSON.stringify({ reason: 'throttled', retryAfterSeconds: wait })));
    return this.form(p, csrf, cookie, step, `Too many failed sign-in attempts. Wait ${wait} seconds and try again.`, login, 429);
  }

  private async finish(p: PendingSignIn, user: SignedInUser, keys: readonly string[], browser: BrowserContext): Promise<SignInOutcome> {
    if (!(await this.store.signIns.takeRequest(p.tenantId, p.id))) return EXPIRED;
    await this.throttle.succeeded(p.tenantId, keys);
    const now = this.clock();
    const grantId = randomUUID();
    if (p.kind === 'device') {
      const d = p.userCode ? await this.store.signIns.deviceCodeByUserCode(p.tenantId, p.userCode) : null;
      if (!d || d.expiresAt <= now.toISOString()) return message(400, 'Code expired', 'The code from your device has expired. Start again on your device.');
      await this.store.signIns.putGrant({ tenantId: p.tenantId, id: grantId, userId: user.id, clientId: d.clientId, createdAt: now.toISOString(), revokedAt: null });
      if (!(await this.store.signIns.transitionDeviceCode(p.tenantId, d.deviceCodeHash, 'pending', { status: 'approved', userId: user.id, grantId }))) {
        return message(400, 'Code already used', 'The code from your device was already used. Start again on your device.');
      }
      const client = await signInClient(this.store.apps, p.tenantId, d.clientId, browser.baseUrl);
      return message(200, 'Signed in', `You have signed in to ${client?.name ?? 'the application'} on your device as ${user.userPrincipalName}. You may now close this window.`);
    }
    const code = newToken();
    await this.store.signIns.putGrant({ tenantId: p.tenantId, id: grantId, userId: user.id, clientId: p.clientId, createdAt: now.toISOString(), revokedAt: null });
    await this.store.signIns.putCode({
      tenantId: p.tenantId, codeHash: digestToken(code), grantId, clientId: p.clientId, redirectUri: p.redirectUri!, codeChallenge: p.codeChallenge,
      userId: user.id, scope: p.scope, nonce: p.nonce, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + AUTHORIZATION_CODE_MS).toISOString(), usedAt: null,
    });
    const params: Record<string, string> = { code, ...(p.state !== null ? { state: p.state } : {}) };
    return this.respond(p.redirectUri!, p.responseMode ?? 'query', params);
  }

  private errorResponse(redirectUri: string, mode: ResponseMode, error: string, description: string, state: string | null): SignInOutcome {
    return this.respond(redirectUri, mode, { error, error_description: description, ...(state !== null ? { state } : {}) });
  }

  private respond(redirectUri: string, mode: ResponseMode, params: Record<string, string>): SignInOutcome {
    if (mode === 'form_post') return { kind: 'form_post', action: redirectUri, fields: params };
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return { kind: 'redirect', location: u.toString() };
  }
}
