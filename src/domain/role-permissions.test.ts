import { describe, expect, it } from 'vitest';
import { isPermission } from './permissions.ts';
import { delegatedPermissionsOf, isRolePermissionOption, ROLE_PERMISSION_OPTIONS, userRoleOf } from './role-permissions.ts';

describe('role permission options', () => {
  it('grant only permissions MDE defines', () => {
    for (const p of delegatedPermissionsOf(ROLE_PERMISSION_OPTIONS)) expect(isPermission(p)).toBe(true);
  });
  it('follow MDE minimum roles: isolate needs active remediation, tags need security settings, PATCH alert needs alerts investigation', () => {
    expect(delegatedPermissionsOf(['viewData.securityOperations'])).not.toContain('Machine.Isolate');
    expect(delegatedPermissionsOf(['viewData.securityOperations'])).not.toContain('Alert.ReadWrite');
    expect(delegatedPermissionsOf(['activeRemediation'])).toContain('Machine.Isolate');
    expect(delegatedPermissionsOf(['manageSecuritySettings'])).toContain('Machine.ReadWrite');
    expect(delegatedPermissionsOf(['alertsInvestigation'])).toContain('Alert.ReadWrite');
    expect(delegatedPermissionsOf(['liveResponse.basic'])).not.toContain('Library.Manage');
    expect(delegatedPermissionsOf(['liveResponse.advanced'])).toContain('Library.Manage');
  });
  it('list each permission once and recognise option names', () => {
    const all = delegatedPermissionsOf(['viewData.securityOperations', 'viewData.vulnerabilityManagement', 'manageSecuritySettings']);
    expect(new Set(all).size).toBe(all.length);
    expect(isRolePermissionOption('activeRemediation')).toBe(true);
    expect(isRolePermissionOption('Machine.Isolate')).toBe(false);
  });
  it('turn a role definition into the UserRole its holders get', () => {
    expect(userRoleOf({ name: 'Tier 1', options: ['viewData.securityOperations'], deviceGroups: [0, 3] })).toEqual({
      name: 'Tier 1', permissions: delegatedPermissionsOf(['viewData.securityOperations']), deviceGroups: [0, 3],
    });
  });
});
