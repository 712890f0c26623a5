/**
 * The incident entity (M365 Defender's incident, served under /api/incidents), declared once: its
 * properties in the key order of the Swimlane captures of GET /api/incidents, and how the domain
 * Incident is stored in the `incidents` table (its alerts are read from `alerts`).
 */
import {
  ALERT_SEVERITIES, ALERT_STATUSES, INCIDENT_CLASSIFICATIONS, INCIDENT_DETERMINATIONS, INCIDENT_STATUSES, type Incident,
} from '../domain/alert.ts';
import { EVIDENCE_MEMBERS } from './alert.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

const INCIDENT_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  incidentId: { column: 'incident_id', codec: 'integer', immutable: true },
  incidentName: { column: 'incident_name', codec: 'text' },
  createdTime: { column: 'created_time', codec: 'instant', immutable: true },
  lastUpdateTime: { column: 'last_update_time', codec: 'instant' },
  assignedTo: { column: 'assigned_to', codec: 'text', nullable: true },
  classification: { column: 'classification', codec: 'text' },
  determination: { column: 'determination', codec: 'text' },
  status: { column: 'status', codec: 'text' },
  severity: { column: 'severity', codec: 'text' },
  tags: { column: 'tags', codec: 'json' },
  comments: { column: 'comments', codec: 'json' },
  alerts: { loaded: 'the alerts whose incident_id is the incident' },
} as const satisfies StorageOf<Incident>;

/** The `incidents` row (kysely table type). */
export type IncidentsRow = RowOf<typeof INCIDENT_STORAGE>;

const COMMENT = { object: [{ name: 'comment', type: 'string' }, { name: 'createdBy', type: 'string', nullable: true }, { name: 'createdTime', type: 'datetime' }] } as const;

/** Incidents: /api/incidents…, `#Incidents`. */
export const INCIDENT = defineEntity<Incident>({
  set: 'Incidents',
  description: 'Incident: alerts grouped by a shared device, user, file or indicator',
  table: 'incidents',
  key: 'incidentId',
  maxTop: 100,
  defaultTop: 100,
  defaultOrder: [{ field: 'lastUpdateTime', dir: 'desc' }],
  storage: INCIDENT_STORAGE,
  properties: [
    { name: 'incidentId', type: 'integer', filter: true },
    { name: 'incidentUri', type: 'string', nullable: true, constant: null },
    { name: 'redirectIncidentId', type: 'integer', nullable: true, constant: null },
    { name: 'incidentName', type: 'string', filter: true },
    { name: 'createdTime', type: 'datetime', filter: true },
    { name: 'lastUpdateTime', type: 'datetime', filter: true },
    { name: 'assignedTo', type: 'string', nullable: true, filter: { ignoreCase: true } },
    { name: 'classification', type: { enum: INCIDENT_CLASSIFICATIONS }, filter: true },
    { name: 'determination', type: { enum: INCIDENT_DETERMINATIONS }, filter: true },
    { name: 'status', type: { enum: INCIDENT_STATUSES }, filter: true },
    { name: 'severity', type: { enum: ALERT_SEVERITIES }, filter: true },
    { name: 'tags', type: { list: 'string' } },
    { name: 'comments', type: { list: COMMENT } },
    {
      name: 'alerts',
      type: {
        list: {
          object: [
            { name: 'alertId', type: 'string' },
            { name: 'providerAlertId', type: 'string' },
            { name: 'incidentId', type: 'integer', nullable: true },
            { name: 'serviceSource', type: 'string' },
            { name: 'creationTime', type: 'datetime' },
            { name: 'lastUpdatedTime', type: 'datetime' },
            { name: 'resolvedTime', type: 'datetime', nullable: true },
            { name: 'firstActivity', type: 'datetime', nullable: true },
            { name: 'lastActivity', type: 'datetime', nullable: true },
            { name: 'title', type: 'string' },
            { name: 'description', type: 'string' },
            { name: 'category', type: 'string' },
            { name: 'status', type: { enum: ALERT_STATUSES } },
            { name: 'severity', type: { enum: ALERT_SEVERITIES } },
            { name: 'investigationId', type: 'integer', nullable: true },
            { name: 'investigationState', type: 'string', nullable: true },
            { name: 'classification', type: 'string', nullable: true },
            { name: 'determination', type: 'string', nullable: true },
            { name: 'detectionSource', type: 'string' },
            { name: 'detectorId', type: 'string', nullable: true },
            { name: 'assignedTo', type: 'string', nullable: true },
            { name: 'actorName', type: 'string', nullable: true },
            { name: 'threatFamilyName', type: 'string', nullable: true },
            { name: 'mitreTechniques', type: { list: 'string' } },
            {
              name: 'devices',
              type: { list: { object: [{ name: 'mdatpDeviceId', type: 'string' }, { name: 'deviceDnsName', type: 'string', nullable: true }, { name: 'rbacGroupName', type: 'string', nullable: true }] } },
            },
            { name: 'entities', type: { list: { object: EVIDENCE_MEMBERS } } },
          ],
        },
      },
    },
  ],
});
