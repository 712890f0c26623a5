import type { Permission } from './permissions.ts';

/**
 * Who is calling. App principals are tenant-wide; user principals (later) carry device-group scope.
 * `deviceGroups: 'all'` means no device-group restriction.
 */
export interface Principal {
  kind: 'app' | 'user' | 'device' | 'system';
  /** App client id, user object id, device id, or 'system'. */
  id: string;
  /** Display name (app name, UPN). */
  name: string;
  permissions: ReadonlySet<Permission>;
  /** Device-group ids this principal may see, or 'all'. */
  deviceGroups: 'all' | readonly number[];
}

/**
 * The context that travels through every service call (DESIGN.md §3).
 * `authorized` is flipped by the authorizer; the API fails closed when a request ends without it.
 */
export interface Ctx {
  tenantId: string;
  principal: Principal;
  signal?: AbortSignal;
  /** Set by `authz.require`; checked by the API after the handler. */
  authz: { checked: boolean };
}

/** A system context for internal jobs (migrations, retention, admin CLI) on one tenant. */
export function systemCtx(tenantId: string, permissions: readonly Permission[] = []): Ctx {
  return {
    tenantId,
    principal: { kind: 'system', id: 'system', name: 'Palisade', permissions: new Set(permissions), deviceGroups: 'all' },
    authz: { checked: false },
  };
}
