/**
 * The MDE alert entity, declared once: its properties in the key order of real payloads (the
 * Swimlane and Elastic captures of /api/alerts), which of them `$filter` and `$orderby` accept (the
 * filterable properties MDE documents for List alerts, plus a few), `evidence` as the navigation
 * property `$expand=evidence` fills, and how the domain Alert is stored in the `alerts` table.
 */
import {
  ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, ALERT_STATUSES, type Alert,
} from '../domain/alert.ts';
import type { RowOf, StorageOf, ValueDecl } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each Alert field is stored. Event times keep the text they were given (to the 100 ns tick). */
const ALERT_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'id', codec: 'text', immutable: true },
  incidentId: { column: 'incident_id', codec: 'integer', nullable: true },
  investigationId: { column: 'investigation_id', codec: 'integer', nullable: true },
  investigationState: { column: 'investigation_state', codec: 'text', nullable: true },
  assignedTo: { column: 'assigned_to', codec: 'text', nullable: true },
  severity: { column: 'severity', codec: 'text' },
  status: { column: 'status', codec: 'text' },
  classification: { column: 'classification', codec: 'text', nullable: true },
  determination: { column: 'determination', codec: 'text', nullable: true },
  detectionSource: { column: 'detection_source', codec: 'text', immutable: true },
  detectorId: { column: 'detector_id', codec: 'text', nullable: true, immutable: true },
  category: { column: 'category', codec: 'text' },
  threatFamilyName: { column: 'threat_family_name', codec: 'text', nullable: true },
  threatName: { column: 'threat_name', codec: 'text', nullable: true },
  title: { column: 'title', codec: 'text' },
  description: { column: 'description', codec: 'text' },
  recommendedAction: { column: 'recommended_action', codec: 'text', nullable: true },
  alertCreationTime: { column: 'alert_creation_time', codec: 'instant', immutable: true },
  firstEventTime: { column: 'first_event_time', codec: 'text', nullable: true },
  lastEventTime: { column: 'last_event_time', codec: 'text', nullable: true },
  lastUpdateTime: { column: 'last_update_time', codec: 'instant' },
  resolvedTime: { column: 'resolved_time', codec: 'instant', nullable: true },
  machineId: { column: 'machine_id', codec: 'text', nullable: true, immutable: true },
  computerDnsName: { column: 'computer_dns_name', codec: 'text', nullable: true },
  rbacGroupId: { column: 'rbac_group_id', codec: 'integer' },
  rbacGroupName: { column: 'rbac_group_name', codec: 'text', nullable: true },
  mitreTechniques: { column: 'mitre_techniques', codec: 'json' },
  relatedUser: { column: 'related_user', codec: 'json', nullable: true },
  loggedOnUsers: { column: 'logged_on_users', codec: 'json' },
  comments: { column: 'comments', codec: 'json' },
  evidence: { column: 'evidence', codec: 'json' },
  dedupeKey: { column: 'dedupe_key', codec: 'text', nullable: true, immutable: true },
  indicatorId: { column: 'indicator_id', codec: 'text', nullable: true, immutable: true },
} as const satisfies StorageOf<Alert>;

/** The `alerts` row (kysely table type). */
export type AlertsRow = RowOf<typeof ALERT_STORAGE>;

const s = (name: string, description?: string): ValueDecl => ({ name, type: 'string', nullable: true, ...(description ? { description } : {}) });
const n = (name: string): ValueDecl => ({ name, type: 'integer', nullable: true });
const t = (name: string): ValueDecl => ({ name, type: 'datetime', nullable: true });

/** One evidence item: every key MDE writes, in its order (null when it does not apply). */
export const EVIDENCE_MEMBERS: readonly ValueDecl[] = [
  { name: 'entityType', type: 'string', description: 'File, Process, User, Ip, Url, Registry, Machine' },
  { name: 'evidenceCreationTime', type: 'datetime' },
  s('sha1'), s('sha256'), s('fileName'), s('filePath'), n('processId'), s('processCommandLine'), t('processCreationTime'),
  n('parentProcessId'), t('parentProcessCreationTime'), s('parentProcessFileName'), s('parentProcessFilePath'),
  s('ipAddress'), s('url'), s('registryKey'), s('registryHive'), s('registryValueType'), s('registryValue'), s('registryValueName'),
  s('accountName'), s('domainName'), s('userSid'), s('aadUserId'), s('userPrincipalName'), s('detectionStatus', 'e.g. Detected, Blocked, Prevented'),
];

const COMMENT = { object: [{ name: 'comment', type: 'string' }, { name: 'createdBy', type: 'string', nullable: true }, { name: 'createdTime', type: 'datetime' }] } as const;

/** Alerts: /api/alerts…, `#Alerts`. */
export const ALERT = defineEntity<Alert>({
  set: 'Alerts',
  description: 'MDE alert entity',
  table: 'alerts',
  key: 'id',
  maxTop: 10_000,
  defaultTop: 10_000,
  defaultOrder: [{ field: 'alertCreationTime', dir: 'desc' }],
  storage: ALERT_STORAGE,
  properties: [
    { name: 'id', type: 'string', description: 'da<ticks>_<n>', filter: true },
    { name: 'incidentId', type: 'integer', nullable: true, filter: true },
    { name: 'investigationId', type: 'integer', nullable: true, filter: true },
    { name: 'assignedTo', type: 'string', nullable: true, filter: { ignoreCase: true } },
    { name: 'severity', type: { enum: ALERT_SEVERITIES }, filter: true },
    { name: 'status', type: { enum: ALERT_STATUSES }, filter: true },
    { name: 'classification', type: { enum: ALERT_CLASSIFICATIONS }, nullable: true, filter: true },
    { name: 'determination', type: { enum: ALERT_DETERMINATIONS }, nullable: true, filter: true },
    { name: 'investigationState', type: 'string', nullable: true, filter: true },
    { name: 'detectionSource', type: 'string', description: 'e.g. WindowsDefenderAtp, CustomerTI, CustomDetection', filter: true },
    { name: 'detectorId', type: 'string', nullable: true, filter: true },
    { name: 'category', type: 'string', filter: true },
    { name: 'threatFamilyName', type: 'string', nullable: true, filter: true },
    { name: 'title', type: 'string', filter: true },
    { name: 'description', type: 'string' },
    { name: 'alertCreationTime', type: 'datetime', filter: true },
    { name: 'firstEventTime', type: 'datetime', nullable: true },
    { name: 'lastEventTime', type: 'datetime', nullable: true },
    { name: 'lastUpdateTime', type: 'datetime', filter: true },
    { name: 'resolvedTime', type: 'datetime', nullable: true, filter: true },
    { name: 'machineId', type: 'string', nullable: true, filter: true },
    { name: 'computerDnsName', type: 'string', nullable: true, filter: { ignoreCase: true } },
    { name: 'rbacGroupName', type: 'string', nullable: true, filter: true },
    { name: 'aadTenantId', type: 'string', field: 'tenantId' },
    { name: 'threatName', type: 'string', nullable: true, filter: true },
    { name: 'mitreTechniques', type: { list: 'string' } },
    { name: 'relatedUser', type: { object: [{ name: 'userName', type: 'string' }, { name: 'domainName', type: 'string', nullable: true }] }, nullable: true },
    { name: 'loggedOnUsers', type: { list: { object: [{ name: 'accountName', type: 'string' }, { name: 'domainName', type: 'string', nullable: true }] } } },
    { name: 'comments', type: { list: COMMENT } },
    { name: 'evidence', type: { list: { object: EVIDENCE_MEMBERS } }, expand: true, description: 'Filled with $expand=evidence (and on a single alert)' },
    { name: 'domains', type: { list: 'string' }, constant: [] },
  ],
});
