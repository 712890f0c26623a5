/**
 * The `scope` of a user sign-in, as Entra ID reads it: OpenID Connect scopes (`openid`, `profile`,
 * `email`, `offline_access`) and the scopes of one resource — `<resource>/.default` (every delegated
 * permission the user's roles grant) or named delegated permissions
 * (`https://api.securitycenter.microsoft.com/Machine.Read`). The token's `scp` is what was asked
 * for, limited to what the user's roles grant.
 */
import { PERMISSIONS, type Permission } from '../domain/permissions.ts';
import { ACCEPTED_AUDIENCES } from './audiences.ts';

/** The OpenID Connect scopes Palisade understands. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** A parsed sign-in scope. */
export interface DelegatedScope {
  /** The resource (token audience), as Palisade spells it. */
  audience: string;
  /** The resource as the client spelled it (scopes in answers are prefixed with it). */
  resource: string;
  /** '.default', or the delegated permissions named. */
  permissions: '.default' | Permission[];
  openid: boolean;
  profile: boolean;
  email: boolean;
  offlineAccess: boolean;
}

/** Why a scope is refused (`invalid_scope`). */
export class ScopeError extends Error {}

const byLowerName = new Map<string, Permission>(PERMISSIONS.map((p) => [p.toLowerCase(), p]));

/** Parses a space-separated scope; a ScopeError when it names no resource, two resources, or an unknown permission. */
export function parseDelegatedScope(raw: string): DelegatedScope {
  const out: DelegatedScope = { audience: '', resource: '', permissions: [], openid: false, profile: false, email: false, offlineAccess: false };
  const named: Permission[] = [];
  let isDefault = false;
  for (const s of raw.split(/\s+/).filter(Boolean)) {
    const lower = s.toLowerCase();
    if (OIDC_SCOPES.has(lower)) {
      if (lower === 'openid') out.openid = true;
      else if (lower === 'profile') out.profile = true;
      else if (lower === 'email') out.email = true;
      else out.offlineAccess = true;
      continue;
    }
    const slash = s.lastIndexOf('/');
    const resource = slash > 0 ? s.slice(0, slash) : '';
    const name = slash > 0 ? s.slice(slash + 1) : s;
    const audience = ACCEPTED_AUDIENCES.find((a) => a.toLowerCase() === resource.replace(/\/+$/, '').toLowerCase());
    if (!audience) throw new ScopeError(`The scope '${s.slice(0, 200)}' does not name a resource of this server, e.g. https://api.securitycenter.microsoft.com/.default`);
    if (out.audience && out.audience !== audience) throw new ScopeError('The scope names more than one resource; ask for the scopes of one resource at a time');
    out.audience = audience;
    out.resource ||= resource.replace(/\/+$/, '');
    if (name === '.default') {
      isDefault = true;
      continue;
    }
    const p = byLowerName.get(name.toLowerCase());
    if (!p) throw new ScopeError(`The scope '${s.slice(0, 200)}' is not a delegated permission of the resource`);
    if (!named.includes(p)) named.push(p);
  }
  if (!out.audience) throw new ScopeError('The scope names no resource; ask for e.g. https://api.securitycenter.microsoft.com/.default');
  out.permissions = isDefault ? '.default' : named;
  return out;
}

/** The delegated permissions to put in `scp`: what was asked for (all for `.default`) that `granted` holds, in catalogue order. */
export function grantedScp(scope: DelegatedScope, granted: ReadonlySet<Permission>): Permission[] {
  const asked = scope.permissions === '.default' ? null : new Set(scope.permissions);
  return PERMISSIONS.filter((p) => granted.has(p) && (asked === null || asked.has(p)));
}

/** The `scope` of a token answer: the granted permissions prefixed with the resource, then the OpenID scopes granted. */
export function answeredScope(scope: DelegatedScope, scp: readonly Permission[]): string {
  const oidc = [scope.openid && 'openid', scope.profile && 'profile', scope.email && 'email', scope.offlineAccess && 'offline_access'].filter(Boolean);
  return [...scp.map((p) => `${scope.resource}/${p}`), ...oidc].join(' ');
}
