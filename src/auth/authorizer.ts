/**
 * The authorizer (DESIGN.md §3, §5): the one place a permission is checked. Use cases call
 * `authz.require` (or `authz.requireOperator` for administration) before doing anything; it marks
 * the context as checked so the API can fail closed on a handler that forgot, and `authz.scope`
 * gives the device-group scope every store call and KQL scan must apply.
 */
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import type { PermissionRequirement } from '../domain/permissions.ts';
import type { DeviceScope } from '../domain/ports.ts';

/** Throws Forbidden unless the caller holds at least one of the required permissions. */
function requirePermission(ctx: Ctx, required: PermissionRequirement): void {
  ctx.authz.checked = true;
  if (!required.some((p) => ctx.principal.permissions.has(p))) {
    const who = ctx.principal.kind === 'user' ? 'The user' : 'The application';
    throw errors.forbidden(`${who} does not have any of the required permissions: ${required.join(', ')}`);
  }
}

/** Throws Forbidden unless the caller is a local operator (or Palisade itself): tenant and app administration. */
function requireOperator(ctx: Ctx): void {
  ctx.authz.checked = true;
  if (ctx.principal.kind !== 'operator' && ctx.principal.kind !== 'system') throw errors.forbidden('Only an operator of this server may do this');
}

/**
 * Operators (and Palisade itself) pass; any other caller needs one of the required permissions:
 * administration that a tenant's own admins may also do through the API (portal settings).
 */
function requireOperatorOr(ctx: Ctx, required: PermissionRequirement): void {
  if (ctx.principal.kind === 'operator' || ctx.principal.kind === 'system') {
    ctx.authz.checked = true;
    return;
  }
  requirePermission(ctx, required);
}

/**
 * Palisade's own jobs (the system principal: detections raising alerts) pass; any other caller
 * needs one of the required permissions.
 */
function requireSystemOr(ctx: Ctx, required: PermissionRequirement): void {
  if (ctx.principal.kind === 'system') {
    ctx.authz.checked = true;
    return;
  }
  requirePermission(ctx, required);
}

/** The device-group scope the store must apply for this caller. */
function scopeOf(ctx: Ctx): DeviceScope {
  return ctx.principal.deviceGroups;
}

/** The authorizer's interface as use cases call it. */
export const authz = { require: requirePermission, requireOperator, requireOperatorOr, requireSystemOr, scope: scopeOf };
