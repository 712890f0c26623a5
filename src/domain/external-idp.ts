/**
 * External OpenID Connect identity providers of a tenant (issue 14, item 1): people sign in at
 * their organisation's provider (Entra ID, Keycloak, Okta…), and Palisade maps a claim of the
 * provider's (groups or roles) to its own role names at every sign-in. Pure rules, no I/O.
 */
import { isUserPrincipalName } from './user.ts';

/** A tenant's external OpenID Connect provider. `clientSecret` never leaves the server. */
export interface ExternalIdp {
  tenantId: string;
  /** A lower-case GUID. */
  id: string;
  /** Shown on the sign-in page as `Sign in with <name>`; unique per tenant regardless of case. */
  name: string;
  /** The provider's issuer URL exactly as its discovery document names it. */
  issuer: string;
  clientId: string;
  /** The client secret Palisade authenticates to the provider with; null for a public client (PKCE only). */
  clientSecret: string | null;
  /** The scopes asked for; always holds `openid`. */
  scopes: string[];
  /** The claim (in the id token or the userinfo answer) that carries the person's groups or roles. */
  rolesClaim: string;
  /** Claim value → the Palisade role names it grants. */
  roleMapping: Record<string, string[]>;
  /** Whether a person the tenant does not know yet becomes a user at the first sign-in. */
  jitProvisioning: boolean;
  /** A disabled provider is not offered on the sign-in page and its sign-ins are refused. */
  disabled: boolean;
  createdAt: string;
}

/** Most characters of a provider's name. */
const MAX_NAME = 64;

/** The scopes asked for when none are given. */
export const DEFAULT_IDP_SCOPES: readonly string[] = ['openid', 'profile', 'email'];

/**
 * Whether `url` may be an issuer: https, or http only on a loopback host (a provider started by a
 * test on the same machine). No credentials, query or fragment.
 */
export function issuerProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `'${url}' is not a URL`;
  }
  if (u.username || u.password || u.search || u.hash) return 'An issuer URL has no user name, password, query or fragment';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return null;
  return 'An issuer URL must use https (http is allowed only on a loopback address)';
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** What is wrong with a provider's settings, or null when they hold. */
export function externalIdpProblem(idp: Pick<ExternalIdp, 'name' | 'issuer' | 'clientId' | 'scopes' | 'rolesClaim' | 'roleMapping'>): string | null {
  const name = idp.name.trim();
  if (!name || name.length > MAX_NAME || /[<>]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20)) return `A provider's name has 1 to ${MAX_NAME} characters, no control characters and no '<' or '>'`;
  const issuer = issuerProblem(idp.issuer);
  if (issuer) return issuer;
  if (!idp.clientId.trim() || idp.clientId.length > 256) return 'A client id has 1 to 256 characters';
  if (!idp.scopes.includes('openid')) return "The scopes must include 'openid'";
  if (idp.scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/.test(s))) return 'A scope is a word of printable characters without quotes or backslashes';
  if (!/^[A-Za-z0-9_.:/-]{1,128}$/.test(idp.rolesClaim)) return `The roles claim '${idp.rolesClaim}' is not a claim name`;
  for (const [value, roles] of Object.entries(idp.roleMapping)) {
    if (!value || value.length > 256) return 'A mapped claim value has 1 to 256 characters';
    if (roles.length === 0 || roles.some((r) => !r.trim() || r.length > 128)) return `The claim value '${value}' must map to role names of 1 to 128 characters`;
  }
  return null;
}

/**
 * Parses mapping entries `VALUE=ROLE[,ROLE…]` (the CLI's `--map`), merging repeated values.
 * The value is everything before the last `=`, so a group name may hold `=` itself.
 */
export function parseRoleMapping(entries: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of entries) {
    const at = e.lastIndexOf('=');
    if (at <= 0) throw new Error(`'${e}' is not a mapping; write CLAIM_VALUE=ROLE[,ROLE…]`);
    const value = e.slice(0, at).trim();
    const roles = e.slice(at + 1).split(',').map((r) => r.trim()).filter(Boolean);
    if (!value || roles.length === 0) throw new Error(`'${e}' is not a mapping; write CLAIM_VALUE=ROLE[,ROLE…]`);
    out[value] = [...new Set([...(out[value] ?? []), ...roles])];
  }
  return out;
}

/** The values of a claim: a string, or the strings of a list; anything else holds none. */
function claimValues(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * The value of the claim `name`: the top-level claim of that name, else — for a dotted name such as
 * Keycloak's `realm_access.roles` — the member reached by following the dots through objects.
 */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let v: unknown = claims;
  for (const part of name.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The Palisade role names the person's claims grant under the provider's mapping: the union over
 * every value of `rolesClaim` (see `claimAt`) that is mapped, sorted. Values without a mapping grant nothing.
 */
export function rolesFromClaims(idp: Pick<ExternalIdp, 'rolesClaim' | 'roleMapping'>, claims: Record<string, unknown>): string[] {
  const roles = new Set<string>();
  for (const v of claimValues(claimAt(claims, idp.rolesClaim))) {
    if (Object.hasOwn(idp.roleMapping, v)) for (const r of idp.roleMapping[v]) roles.add(r);
  }
  return [...roles].sort();
}

/**
 * Whether the provider left the roles claim out because the person has too many values for a token
 * (Entra ID's group "overage": no `groups` claim, but `_claim_names` pointing elsewhere for it, or
 * `hasgroups: true`). The mapping cannot be applied then: without the claim it would grant nothing.
 */
export function rolesClaimLeftOut(idp: Pick<ExternalIdp, 'rolesClaim'>, claims: Record<string, unknown>): boolean {
  if (claimAt(claims, idp.rolesClaim) !== undefined) return false;
  const top = idp.rolesClaim.split('.')[0]!;
  const names = claims._claim_names;
  const referred = !!names && typeof names === 'object' && !Array.isArray(names) && Object.hasOwn(names, top);
  return referred || (top === 'groups' && claims.hasgroups === true);
}

/**
 * The sign-in name of the person: the first of `preferred_username`, `upn` and `email` that is a
 * user principal name (`name@domain`); an unverified email (`email_verified: false`) is skipped.
 * Null when the provider sent none.
 */
export function userPrincipalNameFromClaims(claims: Record<string, unknown>): string | null {
  const candidates = [claims.preferred_username, claims.upn, claims.email_verified === false ? undefined : claims.email];
  for (const c of candidates) if (typeof c === 'string' && isUserPrincipalName(c.trim())) return c.trim();
  return null;
}

/** The display name the claims give (`name`, else given and family names), or null. */
export function displayNameFromClaims(claims: Record<string, unknown>): string | null {
  const s = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const name = s(claims.name) || [s(claims.given_name), s(claims.family_name)].filter(Boolean).join(' ');
  return name ? name.slice(0, 256) : null;
}
