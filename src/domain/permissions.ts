/**
 * MDE application/delegated permission names, exactly as MDE spells them (reference §1).
 * App tokens carry them in `roles`, user tokens in `scp`.
 */
export const PERMISSIONS = [
  'Alert.Read.All', 'Alert.ReadWrite.All', 'Alert.Read', 'Alert.ReadWrite',
  'Machine.Read.All', 'Machine.ReadWrite.All', 'Machine.Read', 'Machine.ReadWrite',
  'Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.CollectForensics',
  'Machine.StopAndQuarantine', 'Machine.LiveResponse', 'Machine.Offboard',
  'Ti.ReadWrite', 'Ti.ReadWrite.All', 'Ti.Read.All',
  'AdvancedQuery.Read.All', 'AdvancedQuery.Read', 'AdvancedHunting.Read.All', 'AdvancedHunting.Read',
  'File.Read.All', 'Ip.Read.All', 'URL.Read.All', 'User.Read.All', 'Library.Manage',
  'Software.Read.All', 'Software.Read', 'Vulnerability.Read.All', 'Vulnerability.Read',
  'SecurityRecommendation.Read.All', 'SecurityRecommendation.Read', 'Score.Read.All', 'Score.Read',
  'RemediationTasks.Read.All', 'RemediationTask.Read',
  'SecurityBaselinesAssessment.Read.All', 'SecurityBaselinesAssessment.Read',
  'SecurityConfiguration.Read.All', 'Event.Write', 'IntegrationConfiguration.ReadWrite',
  // Microsoft Graph's security API (the graph surface), as Graph spells them
  'ThreatHunting.Read.All', 'SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All',
  'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All',
  // Palisade's own (MDE has no API for these): the settings API (users, roles, device groups, apps)
  // and the audit log; the role option managePortalSettings grants it to users
  'PortalSettings.Manage',
] as const;

/** One MDE permission name. */
export type Permission = (typeof PERMISSIONS)[number];

const known = new Set<string>(PERMISSIONS);
/** True when `p` is a permission MDE defines. `Url.Read.All` is accepted as MDE accepts it. */
export function isPermission(p: string): p is Permission {
  return known.has(p);
}
/** Normalises the alternative spellings MDE accepts to the canonical one. */
export function canonicalPermission(p: string): string {
  return p === 'Url.Read.All' ? 'URL.Read.All' : p;
}

/**
 * A route's requirement: any one of the listed permissions grants access
 * (MDE pages list e.g. "Machine.Read.All, Machine.ReadWrite.All").
 */
export type PermissionRequirement = readonly Permission[];

/** Shorthands of reference §2. */
export const REQUIRE = {
  machineRead: ['Machine.Read.All', 'Machine.ReadWrite.All', 'Machine.Read', 'Machine.ReadWrite'],
  machineWrite: ['Machine.ReadWrite.All', 'Machine.ReadWrite'],
  alertRead: ['Alert.Read.All', 'Alert.ReadWrite.All', 'Alert.Read', 'Alert.ReadWrite'],
  alertWrite: ['Alert.ReadWrite.All', 'Alert.ReadWrite'],
  advancedQuery: ['AdvancedQuery.Read.All', 'AdvancedQuery.Read', 'AdvancedHunting.Read.All', 'AdvancedHunting.Read'],
  fileRead: ['File.Read.All'],
  ipRead: ['Ip.Read.All'],
  urlRead: ['URL.Read.All'],
  userRead: ['User.Read.All'],
  graphHunting: ['ThreatHunting.Read.All'],
  graphAlertRead: ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'],
  graphIncidentRead: ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'],
  /** Either grants the indicators API: Ti.ReadWrite reaches its own app's indicators, Ti.ReadWrite.All all of them. */
  indicators: ['Ti.ReadWrite.All', 'Ti.ReadWrite'],
  /** The live response library (/api/libraryfiles). */
  library: ['Library.Manage'],
  /** Machine actions (reference §2.2): each kind has its permission; any of them cancels an action. */
  isolate: ['Machine.Isolate'],
  restrictExecution: ['Machine.RestrictExecution'],
  scan: ['Machine.Scan'],
  collectForensics: ['Machine.CollectForensics'],
  stopAndQuarantine: ['Machine.StopAndQuarantine'],
  liveResponse: ['Machine.LiveResponse'],
  offboard: ['Machine.Offboard'],
  /** Palisade's settings API (/api/settings/…) and audit log (/api/auditlogs). */
  portalSettings: ['PortalSettings.Manage'],
  anyMachineAction: ['Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.StopAndQuarantine', 'Machine.LiveResponse', 'Machine.Offboard'],
} as const satisfies Record<string, PermissionRequirement>;
