/**
 * The authorizer (DESIGN.md §3, §5): permission ∧ (later) role ∧ device group. Services call
 * `authz.require` before doing anything; it marks the context as checked so the API can fail
 * closed on a handler that forgot.
 */
import type { Ctx, Principal } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import { canonicalPermission, isPermission, type Permission, type PermissionRequirement } from '../domain/permissions.ts';
import type { DeviceScope } from '../domain/ports.ts';

/** Throws Forbidden unless the caller holds at least one of the required permissions. */
function requirePermission(ctx: Ctx, required: PermissionRequirement): void {
  ctx.authz.checked = true;
  if (!required.some((p) => ctx.principal.permissions.has(p))) {
    throw errors.forbidden(`The application does not have any of the required permissions: ${required.join(', ')}`);
  }
}

/** The device-group scope the store must apply for this caller. */
function scopeOf(ctx: Ctx): DeviceScope {
  return ctx.principal.deviceGroups;
}

/** The authorizer's interface as services use it. */
export const authz = { require: requirePermission, scope: scopeOf };

/** Builds an app principal from verified token roles; unknown role names are ignored. */
export function appPrincipal(appId: string, name: string, roles: readonly string[]): Principal {
  const permissions = new Set<Permission>();
  for (const r of roles) {
    const c = canonicalPermission(r);
    if (isPermission(c)) permissions.add(c);
  }
  return { kind: 'app', id: appId, name, permissions, deviceGroups: 'all' };
}
