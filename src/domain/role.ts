/**
 * A stored role of a tenant (MDE's RBAC, reference §9): a name unique per tenant regardless of case,
 * MDE's permission options (role-permissions.ts) and the device groups it covers. Users hold roles by
 * name (User.roles). Every tenant also has the built-in `Palisade Administrator` role — every option,
 * every device group — which is never stored, so it can be neither deleted nor narrowed.
 */
import { ROLE_PERMISSION_OPTIONS, type RolePermissionOption } from './role-permissions.ts';

/** A role of a tenant. */
export interface Role {
  tenantId: string;
  /** A lower-case GUID (the built-in role's is ADMINISTRATOR_ROLE_ID). */
  id: string;
  /** Unique per tenant regardless of case. */
  name: string;
  description: string | null;
  /** MDE's permission options the role grants, each once. */
  permissions: RolePermissionOption[];
  /** 'all' = every device group, the ungrouped devices included; else rbacGroupIds (0 = ungrouped). */
  deviceGroups: 'all' | number[];
  /** True only for the built-in administrator role. */
  builtIn: boolean;
  createdAt: string;
}

/** The name of the built-in role every tenant has. */
export const ADMINISTRATOR_ROLE_NAME = 'Palisade Administrator';

/** The fixed id of the built-in role (the same in every tenant). */
export const ADMINISTRATOR_ROLE_ID = '00000000-0000-0000-0000-00000000a0a0';

/** Longest role name and description accepted. */
export const MAX_ROLE_NAME = 128;
export const MAX_ROLE_DESCRIPTION = 1024;

/** The key a role name is unique under: trimmed and lower-cased. */
export function roleNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** The built-in administrator role of a tenant: every permission option over every device group. */
export function administratorRole(tenantId: string): Role {
  return {
    tenantId, id: ADMINISTRATOR_ROLE_ID, name: ADMINISTRATOR_ROLE_NAME,
    description: 'Built in: every permission over every device group. It cannot be changed or deleted.',
    permissions: [...ROLE_PERMISSION_OPTIONS], deviceGroups: 'all', builtIn: true, createdAt: '1970-01-01T00:00:00.000Z',
  };
}

/** True when `name` (any case, trimmed) names the built-in administrator role. */
export function isAdministratorRoleName(name: string): boolean {
  return roleNameKey(name) === roleNameKey(ADMINISTRATOR_ROLE_NAME);
}
