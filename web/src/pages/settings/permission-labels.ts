/**
 * How the console labels MDE's role permission options (the checkboxes of MDE's role page) and what
 * each lets its holders do.
 */
import { ROLE_PERMISSION_OPTIONS, type RolePermissionOption } from '../../../../src/domain/role-permissions.ts';

/** The label and a one-line explanation of each permission option. */
export const PERMISSION_LABELS: Readonly<Record<RolePermissionOption, { label: string; help: string }>> = {
  'viewData.securityOperations': { label: 'View data: security operations', help: 'Devices, alerts, incidents, advanced hunting, files, IPs and users' },
  'viewData.vulnerabilityManagement': { label: 'View data: vulnerability management', help: 'Software, vulnerabilities and recommendations' },
  alertsInvestigation: { label: 'Alerts investigation', help: 'Manage alerts and incidents, collect investigation packages' },
  activeRemediation: { label: 'Active remediation actions', help: 'Isolate, restrict, scan, stop and quarantine; indicators' },
  manageSecuritySettings: { label: 'Manage security settings', help: 'Device tags and value, offboarding, indicators' },
  managePortalSettings: { label: 'Manage portal system settings', help: 'Users, roles, device groups, apps and the audit log' },
  'liveResponse.basic': { label: 'Live response: basic', help: 'Run live response commands on devices' },
  'liveResponse.advanced': { label: 'Live response: advanced', help: 'Also manage the live response library and run its scripts' },
};

export { ROLE_PERMISSION_OPTIONS };
