/**
 * MDE's role-based access model for users (DESIGN.md §5): a user holds roles; each role grants
 * permissions over some device groups. Users sign in with a later issue; the model is here so the
 * principal, the device-group scope and every store call already follow it.
 */
import type { Permission } from './permissions.ts';

/** A role a user holds in a tenant: what it allows, and over which device groups (rbacGroupIds). */
export interface UserRole {
  name: string;
  permissions: readonly Permission[];
  /** 'all' = every device group, including the ungrouped devices (group 0). */
  deviceGroups: 'all' | readonly number[];
}

/** The roles of a user (by object id) in a tenant; none when the user is unknown. */
export type RoleLookup = (tenantId: string, userId: string) => Promise<readonly UserRole[]>;
