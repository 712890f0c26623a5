/**
 * The console's sign-in: authorization code + PKCE (S256) against Palisade's authorization server,
 * as a public client (no secret). The tokens live in this tab's sessionStorage (gone when the tab
 * closes); the access token is refreshed with the refresh token a minute before it expires, and once
 * more when the API answers 401. Signing out forgets them.
 */
import { codeChallenge, jwtClaims, randomToken } from './pkce.ts';

/** What `/console/config.json` answers. */
export interface ConsoleConfig {
  clientId: string;
  /** The server's only tenant, or null (the console asks the user for it). */
  tenantId: string | null;
}

/** The scope the console asks for: every delegated permission the user's roles grant, and a refresh token. */
export const CONSOLE_SCOPE = 'https://api.securitycenter.microsoft.com/.default openid profile offline_access';

/** The signed-in user's tokens. */
export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

/** Who is signed in, from the id token (else the access token). */
export interface SignedInUser {
  name: string;
  userName: string;
}

const TOKENS = 'palisade.tokens';
const PENDING = 'palisade.pending';
const TENANT = 'palisade.tenant';
const SIGNED_OUT = 'palisade.signedOut';

interface Pending {
  state: string;
  verifier: string;
  nonce: string;
  tenantId: string;
  returnTo: string;
}

/** The console's one redirect URI: `<origin>/console/`. */
export function redirectUri(): string {
  return `${location.origin}/console/`;
}

/** Signs in, keeps the tokens fresh and signs out, for one tenant. */
export class Session {
  private tokens: Tokens | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: number | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly config: ConsoleConfig, public tenantId: string) {
    const saved = sessionStorage.getItem(TOKENS);
    if (saved) {
      try {
        this.tokens = JSON.parse(saved) as Tokens;
      } catch {
        sessionStorage.removeItem(TOKENS);
      }
    }
    this.schedule();
  }

  /** The tenant the user chose earlier in this tab (when the server has several). */
  static rememberedTenant(): string | null {
    return sessionStorage.getItem(TENANT);
  }

  /** Whether the user signed out in this tab (the console then waits for a click instead of signing in again). */
  static signedOut(): boolean {
    return sessionStorage.getItem(SIGNED_OUT) === '1';
  }

  /** Calls `fn` when the session signs in, refreshes or ends. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether a usable (or refreshable) token is held. */
  get signedIn(): boolean {
    return this.tokens !== null && (this.tokens.expiresAt > Date.now() || this.tokens.refreshToken !== null);
  }

  /**
   * The delegated permissions of the access token (`scp`): exactly what the user's roles granted at
   * sign-in. The console uses them to offer only what the user may do; the server decides.
   */
  get permissions(): ReadonlySet<string> {
    const scp = this.tokens ? jwtClaims(this.tokens.accessToken).scp : undefined;
    return new Set(typeof scp === 'string' ? scp.split(' ').filter(Boolean) : []);
  }

  /** Whether the user holds any of `permissions` (true for an empty list). */
  can(...permissions: readonly string[]): boolean {
    if (permissions.length === 0) return true;
    const held = this.permissions;
    return permissions.some((p) => held.has(p));
  }

  /** The signed-in user's names, from the tokens' claims. */
  get user(): SignedInUser | null {
    if (!this.tokens) return null;
    const c = { ...jwtClaims(this.tokens.accessToken), ...(this.tokens.idToken ? jwtClaims(this.tokens.idToken) : {}) };
    const userName = String(c.preferred_username ?? c.upn ?? c.unique_name ?? c.email ?? '');
    return { name: String(c.name ?? userName), userName };
  }

  private base(): string {
    return `/${encodeURIComponent(this.tenantId)}/oauth2/v2.0`;
  }

  /** Sends the browser to the sign-in page; it comes back to `/console/` with a code. */
  async signIn(returnTo = location.pathname + location.search + location.hash): Promise<never> {
    const pending: Pending = { state: randomToken(16), verifier: randomToken(32), nonce: randomToken(16), tenantId: this.tenantId, returnTo };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    sessionStorage.setItem(TENANT, this.tenantId);
    sessionStorage.removeItem(SIGNED_OUT);
    const q = new URLSearchParams({
      client_id: this.config.clientId,
      response_type: 'code',
      redirect_uri: redirectUri(),
      scope: CONSOLE_SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await codeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    location.assign(`${this.base()}/authorize?${q}`);
    return new Promise<never>(() => {});
  }

  /**
   * When the page is the redirect back from sign-in (`?code=…&state=…`, or `?error=…`), redeems the
   * code and returns the path the user was on; null when it is not. Throws with the server's reason
   * when sign-in failed or the state does not match.
   */
  async completeSignIn(): Promise<string | null> {
    const q = new URLSearchParams(location.search);
    const code = q.get('code');
    const error = q.get('error');
    if (!code && !error) return null;
    const raw = sessionStorage.getItem(PENDING);
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', '/console/');
    if (error) throw new Error(q.get('error_description') ?? error);
    const pending = raw ? (JSON.parse(raw) as Pending) : null;
    if (!pending || pending.state !== q.get('state')) throw new Error('The sign-in answer does not belong to this tab; sign in again.');
    this.tenantId = pending.tenantId;
    await this.redeem({ grant_type: 'authorization_code', client_id: this.config.clientId, code: code!, redirect_uri: redirectUri(), code_verifier: pending.verifier });
    const nonce = this.tokens?.idToken ? jwtClaims(this.tokens.idToken).nonce : undefined;
    if (nonce !== undefined && nonce !== pending.nonce) {
      this.forget();
      throw new Error('The sign-in answer was not made for this request; sign in again.');
    }
    return pending.returnTo.startsWith('/console') ? pending.returnTo : '/console/';
  }

  private async redeem(form: Record<string, string>): Promise<void> {
    const res = await fetch(`${this.base()}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new Error(String(body.error_description ?? body.error ?? `The token endpoint answered ${res.status}`));
    }
    this.tokens = {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : (this.tokens?.refreshToken ?? null),
      idToken: typeof body.id_token === 'string' ? body.id_token : (this.tokens?.idToken ?? null),
      expiresAt: Date.now() + Number(body.expires_in ?? 3600) * 1000,
    };
    sessionStorage.setItem(TOKENS, JSON.stringify(this.tokens));
    this.schedule();
    for (const fn of this.listeners) fn();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens?.refreshToken) return;
    const wait = Math.max(5_000, this.tokens.expiresAt - Date.now() - 60_000);
    this.timer = window.setTimeout(() => void this.refresh(), Math.min(wait, 2 ** 31 - 1));
  }

  /** Gets a new access token with the refresh token; false (and signed out) when that fails. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const rt = this.tokens?.refreshToken;
      if (!rt) return false;
      try {
        await this.redeem({ grant_type: 'refresh_token', client_id: this.config.clientId, refresh_token: rt, scope: CONSOLE_SCOPE });
        return true;
      } catch {
        this.forget();
        return false;
      }
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** A current access token, refreshed first when it expires within 30 s; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - Date.now() < 30_000 && !(await this.refresh())) return null;
    return this.tokens?.accessToken ?? null;
  }

  private forget(): void {
    clearTimeout(this.timer);
    this.tokens = null;
    sessionStorage.removeItem(TOKENS);
    for (const fn of this.listeners) fn();
  }

  /** Forgets the tokens; the console shows its signed-out page until the user signs in again. */
  signOut(): void {
    sessionStorage.setItem(SIGNED_OUT, '1');
    this.forget();
  }
}
