/**
 * Redirect URIs of public clients (RFC 6749 §3.1.2, RFC 8252 for native apps): which URIs may be
 * registered, and whether a requested URI is one registered. Matching is exact, except that a
 * loopback `http` URI matches on any port, as native apps listen on whatever port is free.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/** True for `http://` on 127.0.0.1, [::1] or localhost. */
export function isLoopbackRedirect(u: URL): boolean {
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
}

/**
 * Why `uri` cannot be registered as a redirect URI, or null when it can: an absolute `https` URI, or
 * `http` on a loopback address; no fragment, no user information, at most 2048 characters.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > 2048) return 'A redirect URI may have at most 2048 characters';
  const u = parse(uri);
  if (!u) return `'${uri}' is not an absolute URI`;
  if (u.hash || uri.includes('#')) return 'A redirect URI may not have a fragment';
  if (u.username || u.password) return 'A redirect URI may not carry user information';
  if (u.protocol !== 'https:' && !isLoopbackRedirect(u)) return 'A redirect URI must use https, or http on a loopback address (127.0.0.1, [::1], localhost)';
  return null;
}

/** True when the requested URI is the registered one (a loopback one on any port). */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const r = parse(registered), q = parse(requested);
  if (!r || !q || !isLoopbackRedirect(r) || !isLoopbackRedirect(q)) return false;
  if (requested.includes('#') || q.username || q.password) return false;
  return r.hostname === q.hostname && r.pathname === q.pathname && r.search === q.search;
}
