/**
 * MDE's role permission options (reference §9) and the delegated permissions (reference §1) each
 * grants a user: what a signed-in user's token may carry in `scp` when it holds a role with them.
 * The route requirements (permissions.ts REQUIRE) then decide what the user may call.
 */
import type { Permission } from './permissions.ts';
import type { UserRole } from './rbac.ts';

/** The permission options a role may hold, as Palisade names MDE's checkboxes. */
export const ROLE_PERMISSION_OPTIONS = [
  'viewData.securityOperations',
  'viewData.vulnerabilityManagement',
  'alertsInvestigation',
  'activeRemediation',
  'manageSecuritySettings',
  'managePortalSettings',
  'liveResponse.basic',
  'liveResponse.advanced',
] as const;
/** One role permission option. */
export type RolePermissionOption = (typeof ROLE_PERMISSION_OPTIONS)[number];

const GRANTS: Readonly<Record<RolePermissionOption, readonly Permission[]>> = {
  // reads of machines, alerts, hunting and the entity pages
  'viewData.securityOperations': ['Machine.Read', 'Alert.Read', 'AdvancedQuery.Read', 'AdvancedHunting.Read', 'File.Read.All', 'Ip.Read.All', 'URL.Read.All', 'User.Read.All'],
  'viewData.vulnerabilityManagement': ['Machine.Read', 'Software.Read', 'Vulnerability.Read', 'SecurityRecommendation.Read', 'Score.Read', 'RemediationTask.Read', 'SecurityBaselinesAssessment.Read'],
  // manage alerts, collect investigation packages, PATCH machine (reference §1 minimum roles)
  alertsInvestigation: ['Alert.Read', 'Alert.ReadWrite', 'Machine.CollectForensics'],
  // response actions and the indicator allow/block lists
  activeRemediation: ['Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.StopAndQuarantine', 'Ti.ReadWrite'],
  // tags, device value, offboarding (reference §1 minimum roles)
  manageSecuritySettings: ['Machine.Read', 'Machine.ReadWrite', 'Machine.Offboard', 'Ti.ReadWrite'],
  // users, roles, device groups, apps and the audit log: Palisade's own permission (MDE has no API for them)
  managePortalSettings: ['PortalSettings.Manage'],
  'liveResponse.basic': ['Machine.LiveResponse'],
  'liveResponse.advanced': ['Machine.LiveResponse', 'Library.Manage'],
};

/** True when `s` is a role permission option. */
export function isRolePermissionOption(s: string): s is RolePermissionOption {
  return (ROLE_PERMISSION_OPTIONS as readonly string[]).includes(s);
}

/** The delegated permissions the options grant together: each once, in catalogue order of first grant. */
export function delegatedPermissionsOf(options: readonly RolePermissionOption[]): Permission[] {
  const out = new Set<Permission>();
  for (const o of options) for (const p of GRANTS[o]) out.add(p);
  return [...out];
}

/** A role as an administrator defines it: MDE's permission options over some device groups. */
export interface RoleDefinition {
  name: string;
  options: readonly RolePermissionOption[];
  /** 'all' = every device group, the ungrouped devices included; else rbacGroupIds (0 = ungrouped). */
  deviceGroups: 'all' | readonly number[];
}

/** The UserRole (rbac.ts) a role definition gives its holders: the delegated permissions over its groups. */
export function userRoleOf(def: RoleDefinition): UserRole {
  return { name: def.name, permissions: delegatedPermissionsOf(def.options), deviceGroups: def.deviceGroups };
}
