/**
 * Every route of the MDE API (reference: shared/reference/mde-api.md §2 and the paths real clients
 * call), relative to `/api`, and the few routes Palisade adds under `/api` of its own (custom
 * detection rules, shaped after Microsoft Graph's detectionRule; settings and the audit log; saved
 * hunting queries). Palisade serves some of them (the api table); a request for one it does
 * not serve yet is answered by name as not available (unrouted.ts), not with a 404 that looks like a
 * typo. OData function-call segments (`findbyip(ip='…',timestamp=…)`) appear as their plain name:
 * function-segments.ts turns the arguments into query parameters before routing.
 */
import type { Method } from './route-table.ts';

/** One MDE route: method, path with `{param}` segments, and what it does. */
export interface MdeRoute {
  method: Method;
  path: string;
  name: string;
}

const r = (method: Method, path: string, name: string): MdeRoute => ({ method, path, name });

/** The MDE API's routes. */
export const MDE_ROUTES: readonly MdeRoute[] = [
  // machines
  r('GET', '/machines', 'List machines'),
  r('GET', '/machines/{id}', 'Get machine'),
  r('PATCH', '/machines/{id}', 'Update machine'),
  r('POST', '/machines/{id}/tags', 'Add or remove machine tag'),
  r('POST', '/machines/AddOrRemoveTagForMultipleMachines', 'Add or remove a tag on many machines'),
  r('POST', '/machines/{id}/setDeviceValue', 'Set device value'),
  r('GET', '/machines/findbytag', 'Find machines by tag'),
  r('GET', '/machines/findbyip', 'Find machines by internal IP (findbyip(ip=…,timestamp=…))'),
  r('GET', '/machines/find', 'Find machines by internal IP (find(timestamp=…,key=…))'),
  r('GET', '/machines/{id}/logonusers', 'Get machine logon users'),
  r('GET', '/machines/{id}/alerts', 'Get machine related alerts'),
  r('GET', '/machines/{id}/machineactions', 'Get machine actions of a machine'),
  r('GET', '/machines/{id}/availableMachineActions', 'Get available machine actions'),
  r('GET', '/machines/{id}/software', 'Get installed software'),
  r('GET', '/machines/{id}/vulnerabilities', 'Get discovered vulnerabilities'),
  r('GET', '/machines/{id}/recommendations', 'Get security recommendations of a machine'),
  r('GET', '/machines/{id}/getmissingkbs', 'Get missing KBs of a machine'),
  // machine actions
  r('POST', '/machines/{id}/isolate', 'Isolate machine'),
  r('POST', '/machines/{id}/unisolate', 'Release machine from isolation'),
  r('POST', '/machines/{id}/restrictCodeExecution', 'Restrict app execution'),
  r('POST', '/machines/{id}/unrestrictCodeExecution', 'Remove app restriction'),
  r('POST', '/machines/{id}/runAntiVirusScan', 'Run antivirus scan'),
  r('POST', '/machines/{id}/collectInvestigationPackage', 'Collect investigation package'),
  r('POST', '/machines/{id}/StopAndQuarantineFile', 'Stop and quarantine file'),
  r('POST', '/machines/{id}/offboard', 'Offboard machine'),
  r('POST', '/machines/{id}/startInvestigation', 'Start automated investigation'),
  r('POST', '/machines/{id}/runliveresponse', 'Run live response commands'),
  r('GET', '/machineactions', 'List machine actions'),
  r('GET', '/machineactions/{id}', 'Get machine action'),
  r('POST', '/machineactions/{id}/cancel', 'Cancel machine action'),
  r('GET', '/machineactions/{id}/getPackageUri', 'Get investigation package URI'),
  r('GET', '/machineactions/{id}/GetLiveResponseResultDownloadLink', 'Get live response result (GetLiveResponseResultDownloadLink(index=…))'),
  // alerts
  r('GET', '/alerts', 'List alerts'),
  r('GET', '/alerts/{id}', 'Get alert'),
  r('PATCH', '/alerts/{id}', 'Update alert'),
  r('POST', '/alerts/batchUpdate', 'Batch update alerts'),
  r('POST', '/alerts/CreateAlertByReference', 'Create alert by reference'),
  r('GET', '/alerts/{id}/domains', 'Get alert related domains'),
  r('GET', '/alerts/{id}/files', 'Get alert related files'),
  r('GET', '/alerts/{id}/ips', 'Get alert related IPs'),
  r('GET', '/alerts/{id}/machine', 'Get alert related machine'),
  r('GET', '/alerts/{id}/user', 'Get alert related user'),
  // incidents (Microsoft 365 Defender's incidents API, which MDE clients reach under the same /api)
  r('GET', '/incidents', 'List incidents'),
  r('GET', '/incidents/{id}', 'Get incident'),
  r('PATCH', '/incidents/{id}', 'Update incident'),
  // indicators
  r('GET', '/indicators', 'List indicators'),
  r('POST', '/indicators', 'Submit or update indicator'),
  r('GET', '/indicators/{id}', 'Get indicator'),
  r('POST', '/indicators/import', 'Import indicators'),
  r('DELETE', '/indicators/{id}', 'Delete indicator'),
  r('POST', '/indicators/BatchDelete', 'Batch delete indicators'),
  r('POST', '/tiindicators', 'Submit indicator (legacy path)'),
  r('GET', '/tiindicators/{id}', 'Get indicator (legacy path)'),
  r('PATCH', '/tiindicators/{id}', 'Update indicator (legacy path)'),
  // investigations
  r('GET', '/investigations', 'List investigations'),
  r('GET', '/investigations/{id}', 'Get investigation'),
  // files, users, domains, IPs
  r('GET', '/files/{id}', 'Get file information'),
  r('GET', '/files/{id}/stats', 'Get file statistics'),
  r('GET', '/files/{id}/alerts', 'Get file related alerts'),
  r('GET', '/files/{id}/machines', 'Get file related machines'),
  r('GET', '/users/{id}/alerts', 'Get user related alerts'),
  r('GET', '/users/{id}/machines', 'Get user related machines'),
  r('GET', '/domains/{domain}/alerts', 'Get domain related alerts'),
  r('GET', '/domains/{domain}/machines', 'Get domain related machines'),
  r('GET', '/domains/{domain}/stats', 'Get domain statistics'),
  r('GET', '/ips/{ip}/alerts', 'Get IP related alerts'),
  r('GET', '/ips/{ip}/stats', 'Get IP statistics'),
  r('GET', '/ips/{ip}/machines', 'Get IP related machines'),
  // custom detection rules: Palisade's own, shaped after Microsoft Graph's security/rules/detectionRules
  r('GET', '/detectionrules', 'List custom detection rules'),
  r('POST', '/detectionrules', 'Create custom detection rule'),
  r('GET', '/detectionrules/{id}', 'Get custom detection rule'),
  r('PATCH', '/detectionrules/{id}', 'Update custom detection rule'),
  r('DELETE', '/detectionrules/{id}', 'Delete custom detection rule'),
  // settings and the audit log: Palisade's own (MDE keeps them in its portal)
  r('GET', '/settings/users', 'List users'),
  r('POST', '/settings/users', 'Create user'),
  r('PATCH', '/settings/users/{userId}', 'Update user'),
  r('POST', '/settings/users/{userId}/revokeSignInSessions', 'Sign a user out everywhere'),
  r('GET', '/settings/roles', 'List roles'),
  r('POST', '/settings/roles', 'Create role'),
  r('PATCH', '/settings/roles/{roleId}', 'Update role'),
  r('DELETE', '/settings/roles/{roleId}', 'Delete role'),
  r('GET', '/settings/devicegroups', 'List device groups'),
  r('POST', '/settings/devicegroups', 'Create device group'),
  r('PATCH', '/settings/devicegroups/{groupId}', 'Update device group'),
  r('DELETE', '/settings/devicegroups/{groupId}', 'Delete device group'),
  r('GET', '/settings/apps', 'List apps'),
  r('GET', '/settings/identityproviders', 'List external sign-in providers'),
  r('POST', '/settings/identityproviders', 'Add external sign-in provider'),
  r('GET', '/settings/identityproviders/{idpId}', 'Get external sign-in provider'),
  r('PATCH', '/settings/identityproviders/{idpId}', 'Update external sign-in provider'),
  r('DELETE', '/settings/identityproviders/{idpId}', 'Remove external sign-in provider'),
  r('GET', '/auditlogs', 'List audit log records'),
  // SIEM (the legacy detections API)
  r('GET', '/siem/alerts', 'Pull SIEM detections'),
  // advanced hunting
  r('POST', '/advancedqueries/run', 'Run advanced hunting query'),
  r('POST', '/advancedhunting/run', 'Run advanced hunting query (Defender XDR)'),
  // saved hunting queries: Palisade's own (MDE keeps them in its portal)
  r('GET', '/advancedqueries/saved', 'List saved hunting queries'),
  r('POST', '/advancedqueries/saved', 'Save hunting query'),
  r('GET', '/advancedqueries/saved/{queryId}', 'Get saved hunting query'),
  r('PATCH', '/advancedqueries/saved/{queryId}', 'Update saved hunting query'),
  r('DELETE', '/advancedqueries/saved/{queryId}', 'Delete saved hunting query'),
  // live response library
  r('GET', '/libraryfiles', 'List live response library files'),
  r('POST', '/libraryfiles', 'Upload live response library file'),
  r('DELETE', '/libraryfiles/{fileName}', 'Delete live response library file'),
  // vulnerability management
  r('GET', '/Software', 'List software'),
  r('GET', '/Software/{id}', 'Get software'),
  r('GET', '/Software/{id}/distributions', 'Get software version distribution'),
  r('GET', '/Software/{id}/machineReferences', 'Get machines with a software'),
  r('GET', '/Software/{id}/vulnerabilities', 'Get vulnerabilities of a software'),
  r('GET', '/Software/{id}/getmissingkbs', 'Get missing KBs of a software'),
  r('GET', '/vulnerabilities', 'List vulnerabilities'),
  r('GET', '/vulnerabilities/{id}', 'Get vulnerability'),
  r('GET', '/vulnerabilities/{id}/machineReferences', 'Get machines exposed to a vulnerability'),
  r('GET', '/vulnerabilities/machinesVulnerabilities', 'List vulnerabilities by machine and software'),
  r('GET', '/recommendations', 'List security recommendations'),
  r('GET', '/recommendations/{id}', 'Get security recommendation'),
  r('GET', '/recommendations/{id}/software', 'Get software of a recommendation'),
  r('GET', '/recommendations/{id}/machineReferences', 'Get machines of a recommendation'),
  r('GET', '/recommendations/{id}/vulnerabilities', 'Get vulnerabilities of a recommendation'),
  r('GET', '/exposureScore', 'Get exposure score'),
  r('GET', '/exposureScore/ByMachineGroups', 'Get exposure score by device group'),
  r('GET', '/configurationScore', 'Get device secure score'),
  r('GET', '/remediationTasks', 'List remediation activities'),
  r('GET', '/remediationTasks/{id}', 'Get remediation activity'),
  r('GET', '/remediationTasks/{id}/machineReferences', 'Get machines of a remediation activity'),
  r('GET', '/deviceavinfo', 'Get antivirus health of devices'),
  r('GET', '/DeviceAuthenticatedScanDefinitions', 'List authenticated scan definitions'),
  r('GET', '/baselineProfiles', 'List security baseline profiles'),
  r('GET', '/baselineConfigurations', 'List security baseline configurations'),
  ...[
    'SecureConfigurationsAssessmentByMachine', 'SecureConfigurationsAssessmentExport', 'SoftwareInventoryByMachine',
    'SoftwareInventoryExport', 'SoftwareVulnerabilitiesByMachine', 'SoftwareVulnerabilitiesExport',
    'SoftwareVulnerabilityChangesByMachine', 'SoftwareInventoryNoProductCodeByMachine', 'SoftwareInventoryNoProductCodeExport',
    'certificateAssessmentByMachine', 'certificateAssessmentExport', 'InfoGatheringExport', 'BaselineComplianceAssessmentByMachine',
  ].map((name) => r('GET', `/machines/${name}`, `Export assessment (${name})`)),
];
