/**
 * Who a verified access token speaks for. An app token (`roles`) is an app principal over the whole
 * tenant; a user token (`scp`) is a user principal whose permissions are the delegated scopes its
 * roles also grant, over the device groups of those roles (MDE's RBAC model, DESIGN.md §5).
 */
import type { Principal } from '../domain/context.ts';
import { canonicalPermission, isPermission, type Permission } from '../domain/permissions.ts';
import type { UserRole } from '../domain/rbac.ts';
import type { VerifiedToken } from './token-service.ts';

function permissionsOf(names: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const n of names) {
    const c = canonicalPermission(n);
    if (isPermission(c)) out.add(c);
  }
  return out;
}

/** The union of the roles' device groups: 'all' when any role covers every group. */
function groupsOf(roles: readonly UserRole[]): 'all' | number[] {
  if (roles.some((r) => r.deviceGroups === 'all')) return 'all';
  return [...new Set(roles.flatMap((r) => r.deviceGroups as readonly number[]))].sort((a, b) => a - b);
}

/**
 * Builds the principal of a verified token. Unknown permission names are ignored. A user's
 * `roles` are looked up by the caller (no roles: no permission and no device group).
 */
export function principalFromToken(tok: VerifiedToken, userRoles: readonly UserRole[] = []): Principal {
  if (tok.idtyp === 'app') return { kind: 'app', id: tok.appId, name: tok.name, permissions: permissionsOf(tok.roles), deviceGroups: 'all' };
  const granted = permissionsOf(userRoles.flatMap((r) => r.permissions));
  const permissions = new Set([...permissionsOf(tok.scp)].filter((p) => granted.has(p)));
  return { kind: 'user', id: tok.oid, name: tok.name, permissions, deviceGroups: groupsOf(userRoles) };
}
