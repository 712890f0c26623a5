/**
 * Signing a person in from the command line (`palisade hunt --login`): the OAuth2 device code flow
 * against Palisade's authorization server, as Entra ID shapes it — ask for a device code, show the
 * message (open the verification page, enter the code), poll the token endpoint until the person
 * has signed in — and a refresh token cached per server, tenant and client in a file only the user
 * can read (0600, its folder 0700) under the user's configuration folder, so later commands sign in
 * without asking again until the refresh token stops working.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The scopes the CLI asks for: every delegated permission the user's roles grant, and a refresh token. */
export const CLI_SCOPE = 'https://api.securitycenter.microsoft.com/.default offline_access';

/** Where a signed-in CLI keeps its refresh tokens: `$XDG_CONFIG_HOME/palisade/tokens.json`, else `~/.config/palisade/tokens.json`. */
export function tokenCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'palisade', 'tokens.json');
}

/** Which sign-in a cached refresh token belongs to. */
export interface LoginTarget {
  url: string;
  tenant: string;
  clientId: string;
}

const keyOf = (t: LoginTarget) => `${t.url} ${t.tenant.toLowerCase()} ${t.clientId.toLowerCase()}`;

function readCache(path: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, string> : {};
  } catch {
    return {};
  }
}

/** The cached refresh token of `target`, if any. */
export function cachedRefreshToken(path: string, target: LoginTarget): string | null {
  const v = readCache(path)[keyOf(target)];
  return typeof v === 'string' && v ? v : null;
}

/** Stores (or, with null, forgets) the refresh token of `target`: written to a 0600 temporary file, then renamed over the cache. */
export function storeRefreshToken(path: string, target: LoginTarget, token: string | null): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const cache = readCache(path);
  if (token) cache[keyOf(target)] = token;
  else delete cache[keyOf(target)];
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cache, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** An HTTP answer: status and text. */
interface Answer {
  status: number;
  body: string;
}

/** POSTs `body` over https (trusting `ca` when given); the status and the answer's text. */
export function post(url: string, body: string, headers: Record<string, string>, ca: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let d = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: d }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a form over https (trusting `ca` when given). */
export function postForm(url: string, form: Record<string, string>, ca: string | undefined, headers: Record<string, string> = {}): Promise<Answer> {
  return post(url, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers }, ca);
}

function json(a: Answer): Record<string, unknown> {
  try {
    const v = JSON.parse(a.body) as unknown;
    return v && typeof v === 'object' ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** What signing in needs besides the target. */
export interface LoginOptions {
  ca?: string;
  /** Where the refresh token is cached; `tokenCachePath()` by default. */
  cachePath?: string;
  /** Shows the device code message to the person (standard error by default). */
  say?: (line: string) => void;
  /** Waits between polls (setTimeout by default). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * An access token for the person at the keyboard: from the cached refresh token when it still works
 * (the rotated one is cached), else through the device code flow. The new refresh token is cached.
 */
export async function userAccessToken(target: LoginTarget, o: LoginOptions = {}): Promise<string> {
  const path = o.cachePath ?? tokenCachePath();
  const tokenUrl = `${target.url}/${target.tenant}/oauth2/v2.0/token`;
  const cached = cachedRefreshToken(path, target);
  if (cached) {
    const a = await postForm(tokenUrl, { grant_type: 'refresh_token', client_id: target.clientId, refresh_token: cached, scope: CLI_SCOPE }, o.ca);
    const t = json(a);
    if (a.status === 200 && typeof t.access_token === 'string') {
      storeRefreshToken(path, target, typeof t.refresh_token === 'string' ? t.refresh_token : null);
      return t.access_token;
    }
    storeRefreshToken(path, target, null);
  }
  const t = await deviceCodeFlow(target, o);
  storeRefreshToken(path, target, typeof t.refresh_token === 'string' ? t.refresh_token : null);
  return t.access_token as string;
}

/** The device code flow: asks for a code, shows its message, polls until the person signed in; the token response. */
export async function deviceCodeFlow(target: LoginTarget, o: LoginOptions = {}): Promise<Record<string, unknown>> {
  const say = o.say ?? ((line: string) => process.stderr.write(line + '\n'));
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = await postForm(`${target.url}/${target.tenant}/oauth2/v2.0/devicecode`, { client_id: target.clientId, scope: CLI_SCOPE }, o.ca);
  const code = json(start);
  if (start.status !== 200 || typeof code.device_code !== 'string') {
    throw new Error(`the device code request failed (${start.status}): ${code.error_description ?? code.error ?? start.body.slice(0, 300)}`);
  }
  say(typeof code.message === 'string' ? code.message : `To sign in, open ${String(code.verification_uri)} and enter the code ${String(code.user_code)}.`);
  let interval = Math.max(1, Number(code.interval) || 5) * 1000;
  const deadline = Date.now() + Math.max(1, Number(code.expires_in) || 900) * 1000;
  for (;;) {
    await sleep(interval);
    const a = await postForm(`${target.url}/${target.tenant}/oauth2/v2.0/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: target.clientId, device_code: code.device_code,
    }, o.ca);
    const t = json(a);
    if (a.status === 200 && typeof t.access_token === 'string') return t;
    if (t.error === 'authorization_pending' && Date.now() < deadline) continue;
    if (t.error === 'slow_down' && Date.now() < deadline) {
      interval += 5000;
      continue;
    }
    if (t.error === 'authorization_pending' || t.error === 'expired_token') throw new Error('the sign-in code expired before anyone signed in; run the command again');
    if (t.error === 'access_denied') throw new Error('the sign-in was declined');
    throw new Error(`signing in failed (${a.status}): ${String(t.error_description ?? t.error ?? a.body.slice(0, 300))}`);
  }
}
