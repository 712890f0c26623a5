/**
 * Alerts and incidents as Microsoft Graph's security API shows them (`alerts_v2`, `incidents`):
 * Graph's names and camel-case enum values over the same stored alerts and incidents
 * (src/entities/alert.ts, incident.ts). Declared here once: the filterable fields (an OData entity
 * set, with the field and value each one means on the stored entity), and the JSON of each item.
 *
 * Graph's enums are evolvable: members added after `unknownFutureValue` are sent only to a client
 * that asks with `Prefer: include-unknown-enum-members`; the others get `unknownFutureValue`.
 * `severity` and `status` are never null (`unknown` when MDE has no value).
 */
import type { Alert, AlertEvidence, Incident } from '../domain/alert.ts';
import type { EntitySetSpec, FieldSpec, FilterExpr, FilterLiteral, ListQuery, OrderBy } from '../domain/list-query.ts';
import { PalisadeError } from '../domain/errors.ts';

/** MDE value → Graph value, for the enums Graph renames. */
type ValueMap = Readonly<Record<string, string>>;

const ALERT_STATUS: ValueMap = { Unknown: 'unknown', New: 'new', InProgress: 'inProgress', Resolved: 'resolved' };
const SEVERITY: ValueMap = { UnSpecified: 'unknown', Informational: 'informational', Low: 'low', Medium: 'medium', High: 'high' };
const CLASSIFICATION: ValueMap = { TruePositive: 'truePositive', InformationalExpectedActivity: 'informationalExpectedActivity', FalsePositive: 'falsePositive', Unknown: 'unknown' };
const DETERMINATION: ValueMap = {
  MultiStagedAttack: 'multiStagedAttack', MaliciousUserActivity: 'maliciousUserActivity', CompromisedUser: 'compromisedAccount',
  Malware: 'malware', Phishing: 'phishing', UnwantedSoftware: 'unwantedSoftware', SecurityTesting: 'securityTesting',
  LineOfBusinessApplication: 'lineOfBusinessApplication', ConfirmedActivity: 'confirmedUserActivity', ConfirmedUserActivity: 'confirmedUserActivity',
  NotMalicious: 'notMalicious', Clean: 'notMalicious', InsufficientData: 'notEnoughDataToValidate', Other: 'other', NotAvailable: 'unknown',
};
const DETECTION_SOURCE: ValueMap = {
  WindowsDefenderAtp: 'microsoftDefenderForEndpoint', WindowsDefenderAv: 'antivirus', WindowsDefenderSmartScreen: 'smartScreen',
  CustomerTI: 'customTi', CustomDetection: 'customDetection', AutomatedInvestigation: 'automatedInvestigation', MTP: 'microsoft365Defender', Manual: 'manual',
};
const INCIDENT_STATUS: ValueMap = { Active: 'active', InProgress: 'inProgress', Resolved: 'resolved', Redirected: 'redirected' };

/** Graph's detectionSource members declared before `unknownFutureValue`; any other source is a late member. */
const EARLY_DETECTION_SOURCES: ReadonlySet<string> = new Set([
  'unknown', ...Object.values(DETECTION_SOURCE), 'microsoftDefenderForOffice365', 'microsoftThreatExperts', 'microsoftDefenderForIdentity',
  'cloudAppSecurity', 'azureAdIdentityProtection', 'microsoftDataLossPrevention', 'appGovernancePolicy', 'appGovernanceDetection',
]);

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const mapped = (m: ValueMap, v: string | null) => (v === null ? null : m[v] ?? lowerFirst(v));

/** A Graph enum value as a client may receive it: a late member only when it asked for them. */
function evolvable(v: string | null, early: ReadonlySet<string>, includeUnknown: boolean): string | null {
  return v !== null && !early.has(v) && !includeUnknown ? 'unknownFutureValue' : v;
}

/** One filterable Graph field: its type and values, and the stored field and values it stands for. */
interface GraphField extends FieldSpec {
  stored: string;
  values?: ValueMap;
  /** Graph sends it as a string while the store keeps a number (incidentId). */
  numeric?: boolean;
  /** The Graph value that stands for no stored value (an alert's classification `unknown` is null). */
  nullValue?: string;
}

function setOf(name: string, fields: readonly GraphField[], maxTop: number): EntitySetSpec {
  return { name, fields, maxTop, defaultTop: maxTop };
}

const enumField = (name: string, stored: string, values: ValueMap): GraphField =>
  ({ name, stored, values, type: 'string', enumValues: [...new Set([...Object.values(values), 'unknownFutureValue'])], operators: ['eq', 'ne', 'in'] });

const ALERT_FIELDS: readonly GraphField[] = [
  { name: 'id', stored: 'id', type: 'string' },
  { name: 'providerAlertId', stored: 'id', type: 'string' },
  { name: 'incidentId', stored: 'incidentId', type: 'string', numeric: true, operators: ['eq', 'ne', 'in'] },
  enumField('status', 'status', ALERT_STATUS),
  enumField('severity', 'severity', SEVERITY),
  { ...enumField('classification', 'classification', CLASSIFICATION), nullValue: 'unknown' },
  enumField('detectionSource', 'detectionSource', DETECTION_SOURCE),
  { name: 'detectorId', stored: 'detectorId', type: 'string' },
  { name: 'title', stored: 'title', type: 'string' },
  { name: 'category', stored: 'category', type: 'string' },
  { name: 'assignedTo', stored: 'assignedTo', type: 'string' },
  { name: 'createdDateTime', stored: 'alertCreationTime', type: 'datetime' },
  { name: 'lastUpdateDateTime', stored: 'lastUpdateTime', type: 'datetime' },
  { name: 'resolvedDateTime', stored: 'resolvedTime', type: 'datetime' },
];

const INCIDENT_FIELDS: readonly GraphField[] = [
  { name: 'id', stored: 'incidentId', type: 'string', numeric: true, operators: ['eq', 'ne', 'in'] },
  { name: 'displayName', stored: 'incidentName', type: 'string' },
  enumField('status', 'status', INCIDENT_STATUS),
  enumField('severity', 'severity', SEVERITY),
  enumField('classification', 'classification', CLASSIFICATION),
  { name: 'assignedTo', stored: 'assignedTo', type: 'string' },
  { name: 'createdDateTime', stored: 'createdTime', type: 'datetime' },
  { name: 'lastUpdateDateTime', stored: 'lastUpdateTime', type: 'datetime' },
];

/** Graph's `alerts_v2` set: filterable fields, `$top` at most 2,000 (Graph's page). */
export const GRAPH_ALERTS_SET = setOf('security/alerts_v2', ALERT_FIELDS, 2000);
/** Graph's `incidents` set: `$top` at most 50 (Graph's page). */
export const GRAPH_INCIDENTS_SET = setOf('security/incidents', INCIDENT_FIELDS, 50);

function storedLiteral(f: GraphField, v: FilterLiteral): FilterLiteral[] {
  if (f.numeric && typeof v === 'string') {
    if (!/^\d{1,15}$/.test(v)) throw new PalisadeError('ODataError', `'${v}' is not a valid ${f.name}`);
    return [Number(v)];
  }
  if (f.nullValue !== undefined && v === f.nullValue) return [null];
  if (f.values && typeof v === 'string') {
    // a Graph value may stand for several stored spellings (notMalicious: NotMalicious and Clean)
    const stored = Object.entries(f.values).filter(([, g]) => g === v).map(([s]) => s);
    return stored.length ? stored : [`\u0000${v}`];
  }
  return [v];
}

function translate(e: FilterExpr, byName: ReadonlyMap<string, GraphField>): FilterExpr {
  switch (e.kind) {
    case 'and':
    case 'or':
      return { ...e, left: translate(e.left, byName), right: translate(e.right, byName) };
    case 'not':
      return { kind: 'not', expr: translate(e.expr, byName) };
    case 'cmp': {
      const f = byName.get(e.field.toLowerCase())!;
      const values = storedLiteral(f, e.value);
      if (values.length === 1) return { ...e, field: f.stored, value: values[0] };
      const any: FilterExpr = { kind: 'in', field: f.stored, values };
      return e.op === 'ne' ? { kind: 'not', expr: any } : any;
    }
    case 'in': {
      const f = byName.get(e.field.toLowerCase())!;
      return { kind: 'in', field: f.stored, values: e.values.flatMap((v) => storedLiteral(f, v)) };
    }
    case 'fn': {
      const f = byName.get(e.field.toLowerCase())!;
      return { ...e, field: f.stored };
    }
    case 'any':
      return e;
  }
}

/** A list query parsed against a Graph set, restated over the stored entity's fields and values. */
export function storedQuery(q: ListQuery, set: EntitySetSpec): ListQuery {
  const byName = new Map((set.fields as readonly GraphField[]).map((f) => [f.name.toLowerCase(), f]));
  const orderBy: OrderBy[] = q.orderBy.map((o) => ({ field: byName.get(o.field.toLowerCase())!.stored, dir: o.dir }));
  return { ...q, orderBy, ...(q.filter ? { filter: translate(q.filter, byName) } : {}) };
}

const GRAPH_TYPE = '#microsoft.graph.security.';

function fileDetails(e: AlertEvidence) {
  return { sha1: e.sha1, sha256: e.sha256, fileName: e.fileName, filePath: e.filePath, fileSize: null, filePublisher: null, signer: null, issuer: null };
}

function userAccount(e: Pick<AlertEvidence, 'accountName' | 'domainName' | 'userSid' | 'aadUserId' | 'userPrincipalName'>) {
  return { accountName: e.accountName, domainName: e.domainName, userSid: e.userSid, azureAdUserId: e.aadUserId, userPrincipalName: e.userPrincipalName, displayName: null };
}

/** One MDE evidence item as Graph's typed evidence. */
function graphEvidence(e: AlertEvidence, a: Alert): Record<string, unknown> {
  const common = { createdDateTime: e.evidenceCreationTime, verdict: 'unknown', remediationStatus: 'none', remediationStatusDetails: null, roles: [], tags: [] };
  switch (e.entityType) {
    case 'Process':
      return {
        '@odata.type': `${GRAPH_TYPE}processEvidence`, ...common, processId: e.processId, parentProcessId: e.parentProcessId,
        processCommandLine: e.processCommandLine, processCreationDateTime: e.processCreationTime, parentProcessCreationDateTime: e.parentProcessCreationTime,
        detectionStatus: e.detectionStatus, mdeDeviceId: a.machineId, imageFile: fileDetails(e),
        parentProcessImageFile: { fileName: e.parentProcessFileName, filePath: e.parentProcessFilePath },
        userAccount: e.accountName ? userAccount(e) : null,
      };
    case 'File':
      return { '@odata.type': `${GRAPH_TYPE}fileEvidence`, ...common, detectionStatus: e.detectionStatus, mdeDeviceId: a.machineId, fileDetails: fileDetails(e) };
    case 'User':
      return { '@odata.type': `${GRAPH_TYPE}userEvidence`, ...common, userAccount: userAccount(e) };
    case 'Ip':
      return { '@odata.type': `${GRAPH_TYPE}ipEvidence`, ...common, ipAddress: e.ipAddress, countryLetterCode: null };
    case 'Url':
      return { '@odata.type': `${GRAPH_TYPE}urlEvidence`, ...common, url: e.url };
    case 'Registry':
      return {
        '@odata.type': `${GRAPH_TYPE}registryValueEvidence`, ...common, registryKey: e.registryKey, registryHive: e.registryHive,
        registryValue: e.registryValue, registryValueName: e.registryValueName, registryValueType: e.registryValueType,
      };
    case 'Machine':
      return deviceEvidence(a, e.evidenceCreationTime);
  }
}

function deviceEvidence(a: Alert, at: string): Record<string, unknown> {
  return {
    '@odata.type': `${GRAPH_TYPE}deviceEvidence`, createdDateTime: at, verdict: 'unknown', remediationStatus: 'none', remediationStatusDetails: null,
    roles: [], tags: [], mdeDeviceId: a.machineId, deviceDnsName: a.computerDnsName, rbacGroupId: a.rbacGroupId, rbacGroupName: a.rbacGroupName,
    loggedOnUsers: a.loggedOnUsers.map((u) => ({ accountName: u.accountName, domainName: u.domainName })),
  };
}

/** Links into this server's API for an alert and its incident (Palisade has no portal). */
export interface GraphLinks {
  baseUrl: string;
}

/** An alert as Graph's `alert` resource (v2). */
export function graphAlertJson(a: Alert, links: GraphLinks, includeUnknown: boolean): Record<string, unknown> {
  const evidence = a.evidence.map((e) => graphEvidence(e, a));
  if (a.machineId && !a.evidence.some((e) => e.entityType === 'Machine')) evidence.unshift(deviceEvidence(a, a.alertCreationTime));
  return {
    id: a.id,
    providerAlertId: a.id,
    incidentId: a.incidentId === null ? null : String(a.incidentId),
    status: mapped(ALERT_STATUS, a.status) ?? 'unknown',
    severity: mapped(SEVERITY, a.severity) ?? 'unknown',
    classification: mapped(CLASSIFICATION, a.classification),
    determination: mapped(DETERMINATION, a.determination),
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: evolvable(mapped(DETECTION_SOURCE, a.detectionSource), EARLY_DETECTION_SOURCES, includeUnknown),
    detectorId: a.detectorId,
    tenantId: a.tenantId,
    title: a.title,
    description: a.description,
    recommendedActions: a.recommendedAction,
    category: a.category,
    assignedTo: a.assignedTo,
    alertWebUrl: `${links.baseUrl}/api/alerts/${a.id}`,
    incidentWebUrl: a.incidentId === null ? null : `${links.baseUrl}/api/incidents/${a.incidentId}`,
    actorDisplayName: null,
    threatDisplayName: a.threatName,
    threatFamilyName: a.threatFamilyName,
    mitreTechniques: a.mitreTechniques,
    createdDateTime: a.alertCreationTime,
    lastUpdateDateTime: a.lastUpdateTime,
    resolvedDateTime: a.resolvedTime,
    firstActivityDateTime: a.firstEventTime,
    lastActivityDateTime: a.lastEventTime,
    comments: a.comments.map((c) => ({ comment: c.comment, createdByDisplayName: c.createdBy, createdDateTime: c.createdTime })),
    evidence,
    systemTags: [],
  };
}

/** An incident as Graph's `incident` resource; `alerts` when the client asked for `$expand=alerts`. */
export function graphIncidentJson(i: Incident, links: GraphLinks, alerts?: Record<string, unknown>[]): Record<string, unknown> {
  return {
    id: String(i.incidentId),
    tenantId: i.tenantId,
    status: mapped(INCIDENT_STATUS, i.status) ?? 'active',
    incidentWebUrl: `${links.baseUrl}/api/incidents/${i.incidentId}`,
    redirectIncidentId: null,
    displayName: i.incidentName,
    createdDateTime: i.createdTime,
    lastUpdateDateTime: i.lastUpdateTime,
    assignedTo: i.assignedTo,
    classification: mapped(CLASSIFICATION, i.classification),
    determination: mapped(DETERMINATION, i.determination),
    severity: mapped(SEVERITY, i.severity) ?? 'unknown',
    customTags: i.tags,
    systemTags: [],
    description: null,
    lastModifiedBy: null,
    resolvingComment: null,
    summary: null,
    comments: i.comments.map((c) => ({ comment: c.comment, createdByDisplayName: c.createdBy, createdDateTime: c.createdTime })),
    ...(alerts ? { alerts } : {}),
  };
}
