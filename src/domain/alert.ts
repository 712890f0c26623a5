/**
 * Alerts and incidents: records, enums and the draft a detection hands to `AlertService.raise`
 * (services/alerts.ts). How an alert is stored and shown is declared once in src/entities/alert.ts;
 * value names are MDE's (reference §3.2).
 */
import type { Ctx } from './context.ts';

export const ALERT_STATUSES = ['Unknown', 'New', 'InProgress', 'Resolved'] as const;
/** An alert's status; PATCH accepts New, InProgress and Resolved (Unknown is only ever shown). */
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** The statuses a client may set. */
export const SETTABLE_ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const;

export const ALERT_SEVERITIES = ['UnSpecified', 'Informational', 'Low', 'Medium', 'High'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
/** Orders severities (UnSpecified lowest, High highest): an incident takes the highest of its alerts'. */
export function severityRank(s: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(s);
}

export const ALERT_CLASSIFICATIONS = ['TruePositive', 'InformationalExpectedActivity', 'FalsePositive'] as const;
export type AlertClassification = (typeof ALERT_CLASSIFICATIONS)[number];

/**
 * Determinations MDE accepts, both spellings of the two the reference notes (update-alert page:
 * ConfirmedActivity, NotMalicious; alerts/batch pages: ConfirmedUserActivity, Clean). A value is
 * stored as the client sent it. Apt and SecurityPersonnel were removed by MDE and are refused.
 */
export const ALERT_DETERMINATIONS = [
  'MultiStagedAttack', 'MaliciousUserActivity', 'CompromisedUser', 'Malware', 'Phishing', 'UnwantedSoftware',
  'SecurityTesting', 'LineOfBusinessApplication', 'ConfirmedActivity', 'ConfirmedUserActivity',
  'NotMalicious', 'Clean', 'InsufficientData', 'Other',
] as const;
export type AlertDetermination = (typeof ALERT_DETERMINATIONS)[number];

/** Categories of CreateAlertByReference's list (reference §3.2), plus `None` an old sample shows. */
export const ALERT_CATEGORIES = [
  'General', 'CommandAndControl', 'Collection', 'CredentialAccess', 'DefenseEvasion', 'Discovery', 'Exfiltration',
  'Exploit', 'Execution', 'InitialAccess', 'LateralMovement', 'Malware', 'Persistence', 'PrivilegeEscalation',
  'Ransomware', 'SuspiciousActivity', 'None',
] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

/**
 * Detection sources as MDE names them (MDE documents no closed list; these are the values its
 * samples and Graph's mapping show). Palisade raises `CustomerTI` for indicator matches and for
 * CreateAlertByReference (as MDE's own API-created sample alerts show), `CustomDetection` for
 * custom detection rules.
 */
export const DETECTION_SOURCES = [
  'WindowsDefenderAtp', 'WindowsDefenderAv', 'WindowsDefenderSmartScreen', 'CustomerTI', 'CustomDetection',
  'AutomatedInvestigation', 'MTP', 'Manual',
] as const;
export type DetectionSource = (typeof DETECTION_SOURCES)[number];

export const INVESTIGATION_STATES = [
  'Unknown', 'Terminated', 'SuccessfullyRemediated', 'Benign', 'Failed', 'PartiallyRemediated', 'Running',
  'PendingApproval', 'PendingResource', 'PartiallyInvestigated', 'TerminatedByUser', 'TerminatedBySystem', 'Queued',
  'InnerFailure', 'PreexistingAlert', 'UnsupportedOs', 'UnsupportedAlertType', 'SuppressedAlert',
] as const;

export const EVIDENCE_ENTITY_TYPES = ['File', 'Process', 'User', 'Ip', 'Url', 'Registry', 'Machine'] as const;
export type EvidenceEntityType = (typeof EVIDENCE_ENTITY_TYPES)[number];

/** One evidence item, every key of MDE's evidence object (null when it does not apply). */
export interface AlertEvidence {
  entityType: EvidenceEntityType;
  evidenceCreationTime: string;
  sha1: string | null;
  sha256: string | null;
  fileName: string | null;
  filePath: string | null;
  processId: number | null;
  processCommandLine: string | null;
  processCreationTime: string | null;
  parentProcessId: number | null;
  parentProcessCreationTime: string | null;
  parentProcessFileName: string | null;
  parentProcessFilePath: string | null;
  ipAddress: string | null;
  url: string | null;
  registryKey: string | null;
  registryHive: string | null;
  registryValueType: string | null;
  registryValue: string | null;
  registryValueName: string | null;
  accountName: string | null;
  domainName: string | null;
  userSid: string | null;
  aadUserId: string | null;
  userPrincipalName: string | null;
  detectionStatus: string | null;
}

/** What a detection says of one evidence item: its type and whichever keys apply (the rest are null). */
export type AlertEvidenceDraft = { entityType: EvidenceEntityType } & Partial<Omit<AlertEvidence, 'entityType' | 'evidenceCreationTime'>>;

/** One comment on an alert or incident. */
export interface AlertComment {
  comment: string;
  createdBy: string;
  createdTime: string;
}

/** The user an alert is about (MDE's relatedUser). */
export interface RelatedUser {
  userName: string;
  domainName: string | null;
}

/** An alert as stored. Datetimes are ISO-8601 UTC strings (kept to the 100 ns tick where given). */
export interface Alert {
  tenantId: string;
  /** `da<ticks>_<n>`: the creation time in .NET ticks and a random number (DESIGN.md §5). */
  id: string;
  incidentId: number | null;
  investigationId: number | null;
  investigationState: string | null;
  assignedTo: string | null;
  severity: AlertSeverity;
  status: AlertStatus;
  classification: AlertClassification | null;
  determination: AlertDetermination | null;
  detectionSource: string;
  detectorId: string | null;
  category: string;
  threatFamilyName: string | null;
  threatName: string | null;
  title: string;
  description: string;
  recommendedAction: string | null;
  alertCreationTime: string;
  firstEventTime: string | null;
  lastEventTime: string | null;
  lastUpdateTime: string;
  resolvedTime: string | null;
  machineId: string | null;
  computerDnsName: string | null;
  /** The device group of the alert's machine at raise time: the alert's scope (0 = ungrouped). */
  rbacGroupId: number;
  rbacGroupName: string | null;
  mitreTechniques: string[];
  relatedUser: RelatedUser | null;
  loggedOnUsers: { accountName: string; domainName: string | null }[];
  comments: AlertComment[];
  evidence: AlertEvidence[];
  /** The raiser's idempotency key (e.g. rule id + event), unique per tenant; null for none. */
  dedupeKey: string | null;
  /** The indicator that raised the alert, when one did (grouping into incidents). */
  indicatorId: string | null;
}

/**
 * What a detection (indicator match, custom rule, CreateAlertByReference) hands to
 * `AlertService.raise`. The machine is looked up in the tenant; its name and device group are
 * copied onto the alert.
 */
export interface AlertDraft {
  /**
   * The caller's idempotency key, unique per tenant: raising twice with one key yields one alert
   * (the second call returns the first alert, `created: false`). Make it name the event, e.g.
   * `rule:<ruleId>:<ReportId>:<Timestamp>` or `ioc:<indicatorId>:<deviceId>:<ReportId>`.
   */
  dedupeKey: string;
  title: string;
  description: string;
  severity: AlertSeverity;
  category: string;
  detectionSource: string;
  /** The machine the alert is about (40 hex characters). */
  machineId: string;
  detectorId?: string | null;
  threatFamilyName?: string | null;
  threatName?: string | null;
  recommendedAction?: string | null;
  mitreTechniques?: string[];
  /** When the first and last event of the alert happened (ISO-8601 UTC); default: now. */
  firstEventTime?: string;
  lastEventTime?: string;
  relatedUser?: RelatedUser | null;
  evidence?: AlertEvidenceDraft[];
  /** The indicator that matched, for indicator alerts. */
  indicatorId?: string | null;
}

/** The outcome of raising an alert: the alert, and whether this call created it. */
export interface RaisedAlert {
  alert: Alert;
  created: boolean;
}

/**
 * The use case detections call to raise an alert (implemented by services/alerts.ts AlertService).
 * `ctx` is a system context of the tenant (`systemCtx(tenantId)`); idempotent on `draft.dedupeKey`.
 */
export interface AlertRaiser {
  raise(ctx: Ctx, draft: AlertDraft): Promise<RaisedAlert>;
  /**
   * Raises the drafts of one tenant together, in one transaction, with `raise`'s idempotence and
   * grouping (drafts with one dedupe key raise one alert). A draft the use case refuses (its machine
   * is gone, a field out of bounds) is left out and listed in `rejected`; any other failure throws
   * with nothing raised, so the caller can offer them all again.
   */
  raiseMany(ctx: Ctx, drafts: readonly AlertDraft[]): Promise<RaisedAlerts>;
}

/** The outcome of `AlertRaiser.raiseMany`: one entry per distinct dedupe key raised or found, and the refused drafts. */
export interface RaisedAlerts {
  alerts: RaisedAlert[];
  rejected: { draft: AlertDraft; reason: string }[];
}

export const INCIDENT_STATUSES = ['Active', 'InProgress', 'Resolved', 'Redirected'] as const;
/** An incident's status as M365 Defender names them. */
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
/** The statuses a client may set on an incident. */
export const SETTABLE_INCIDENT_STATUSES = ['Active', 'InProgress', 'Resolved'] as const;
export const INCIDENT_CLASSIFICATIONS = ['Unknown', ...ALERT_CLASSIFICATIONS] as const;
export const INCIDENT_DETERMINATIONS = ['NotAvailable', ...ALERT_DETERMINATIONS] as const;

/**
 * How long an open incident gathers alerts: a new alert joins the open incident of an alert raised
 * within this window before it that shares its device, user, file or indicator.
 */
export const INCIDENT_WINDOW_MS = 24 * 3600 * 1000;

/** An alert as an incident lists it (M365 Defender's incident `alerts[]` item). */
export interface IncidentAlert {
  alertId: string;
  /** The id the detecting service gave the alert: the alert id itself for Palisade's alerts. */
  providerAlertId: string;
  incidentId: number | null;
  serviceSource: string;
  creationTime: string;
  lastUpdatedTime: string;
  resolvedTime: string | null;
  firstActivity: string | null;
  lastActivity: string | null;
  title: string;
  description: string;
  category: string;
  status: AlertStatus;
  severity: AlertSeverity;
  investigationId: number | null;
  investigationState: string | null;
  classification: AlertClassification | null;
  determination: AlertDetermination | null;
  detectionSource: string;
  detectorId: string | null;
  assignedTo: string | null;
  threatFamilyName: string | null;
  mitreTechniques: string[];
  devices: { mdatpDeviceId: string; deviceDnsName: string | null; rbacGroupName: string | null }[];
  entities: AlertEvidence[];
}

/** How an incident lists one of its alerts. */
export function incidentAlertOf(a: Alert): IncidentAlert {
  return {
    alertId: a.id, providerAlertId: a.id, incidentId: a.incidentId, serviceSource: 'MicrosoftDefenderForEndpoint',
    creationTime: a.alertCreationTime, lastUpdatedTime: a.lastUpdateTime, resolvedTime: a.resolvedTime,
    firstActivity: a.firstEventTime, lastActivity: a.lastEventTime, title: a.title, description: a.description,
    category: a.category, status: a.status, severity: a.severity, investigationId: a.investigationId,
    investigationState: a.investigationState, classification: a.classification, determination: a.determination,
    detectionSource: a.detectionSource, detectorId: a.detectorId, assignedTo: a.assignedTo,
    threatFamilyName: a.threatFamilyName, mitreTechniques: a.mitreTechniques,
    devices: a.machineId ? [{ mdatpDeviceId: a.machineId, deviceDnsName: a.computerDnsName, rbacGroupName: a.rbacGroupName }] : [],
    entities: a.evidence,
  };
}

/**
 * An incident: a group of alerts. `alerts` is not stored with it: the store reads the incident's
 * alerts (those whose incidentId is this one) when it loads the incident.
 */
export interface Incident {
  tenantId: string;
  incidentId: number;
  incidentName: string;
  createdTime: string;
  lastUpdateTime: string;
  assignedTo: string | null;
  classification: string;
  determination: string;
  status: IncidentStatus;
  severity: AlertSeverity;
  tags: string[];
  comments: AlertComment[];
  /** Its alerts, oldest first (read from the alerts; a caller sees the incident when one of them is in scope). */
  alerts: IncidentAlert[];
}

/** .NET ticks (100 ns since 0001-01-01) of an ISO-8601 instant, as MDE's alert ids carry them. */
export function ticksOf(iso: string): bigint {
  const ms = Date.parse(iso);
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  const sub = BigInt((frac + '0000000').slice(3, 7));
  return (BigInt(ms) + 62_135_596_800_000n) * 10_000n + sub;
}
