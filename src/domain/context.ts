import { PERMISSIONS, type Permission } from './permissions.ts';

/**
 * Who is calling. App principals are tenant-wide; user principals carry the device groups of their
 * roles; an operator is a person at the server's command line (`palisade admin`); the system runs
 * Palisade's own jobs. `deviceGroups: 'all'` means no device-group restriction.
 */
export interface Principal {
  kind: 'app' | 'user' | 'device' | 'operator' | 'system';
  /** App client id, user object id, device id, operator (`local:<os user>`), or 'system'. */
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

/**
 * The context of a local operator (`palisade admin …`) acting on one tenant: every permission,
 * every device group. `who` names the person (the OS user) for the audit log.
 */
export function operatorCtx(tenantId: string, who: string): Ctx {
  return {
    tenantId,
    principal: { kind: 'operator', id: `local:${who}`, name: who, permissions: new Set(PERMISSIONS), deviceGroups: 'all' },
    authz: { checked: false },
  };
}

/** A system context for Palisade's own jobs (first start, retention) on one tenant. */
export function systemCtx(tenantId: string, permissions: readonly Permission[] = []): Ctx {
  return {
    tenantId,
    principal: { kind: 'system', id: 'system', name: 'Palisade', permissions: new Set(permissions), deviceGroups: 'all' },
    authz: { checked: false },
  };
}
