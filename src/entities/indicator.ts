/**
 * The MDE indicator entity, declared once: its properties in the key order of real payloads (the
 * union of the corpus samples: a POST response carries `source`/`sourceType`, a list item
 * `externalId`), the filterable ones MDE documents, and how the domain Indicator is stored in the
 * `indicators` table. Properties MDE shows that Palisade does not model are constants.
 */
import { INDICATOR_ACTIONS, INDICATOR_SEVERITIES, INDICATOR_TYPES, type Indicator } from '../domain/indicator.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each Indicator field is stored. */
const INDICATOR_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'id', codec: 'text', immutable: true },
  indicatorValue: { column: 'indicator_value', codec: 'text', immutable: true },
  indicatorType: { column: 'indicator_type', codec: 'text', immutable: true },
  action: { column: 'action', codec: 'text' },
  createdBy: { column: 'created_by', codec: 'text', immutable: true },
  source: { column: 'source', codec: 'text', immutable: true },
  sourceType: { column: 'source_type', codec: 'text', immutable: true },
  severity: { column: 'severity', codec: 'text' },
  application: { column: 'application', codec: 'text', nullable: true },
  educateUrl: { column: 'educate_url', codec: 'text', nullable: true },
  title: { column: 'title', codec: 'text' },
  description: { column: 'description', codec: 'text' },
  recommendedActions: { column: 'recommended_actions', codec: 'text', nullable: true },
  creationTimeDateTimeUtc: { column: 'creation_time', codec: 'instant', immutable: true },
  expirationTime: { column: 'expiration_time', codec: 'instant', nullable: true },
  lastUpdateTime: { column: 'last_update_time', codec: 'instant' },
  lastUpdatedBy: { column: 'last_updated_by', codec: 'text', nullable: true },
  rbacGroupNames: { column: 'rbac_group_names', codec: 'json' },
  rbacGroupIds: { column: 'rbac_group_ids', codec: 'json' },
  mitreTechniques: { column: 'mitre_techniques', codec: 'json' },
  generateAlert: { column: 'generate_alert', codec: 'boolean' },
  createdByDisplayName: { column: 'created_by_display_name', codec: 'text', immutable: true },
  externalId: { column: 'external_id', codec: 'text', nullable: true },
  createdBySource: { column: 'created_by_source', codec: 'text', immutable: true },
  changeVersion: { column: 'change_version', codec: 'integer' },
  deleted: { column: 'deleted', codec: 'boolean' },
} as const satisfies StorageOf<Indicator>;

/** The `indicators` row (kysely table type). */
export type IndicatorsRow = RowOf<typeof INDICATOR_STORAGE>;

/** Indicators: /api/indicators…, `#Indicators`. Newest first by default. */
export const INDICATOR = defineEntity<Indicator>({
  set: 'Indicators',
  description: 'MDE indicator (custom threat intelligence)',
  table: 'indicators',
  key: 'id',
  maxTop: 10_000,
  defaultTop: 10_000,
  defaultOrder: [{ field: 'creationTimeDateTimeUtc', dir: 'desc' }],
  storage: INDICATOR_STORAGE,
  properties: [
    { name: 'id', type: 'string', description: 'Indicator id (a number as a string)', filter: { operators: ['eq', 'ne', 'in'], sortable: false } },
    { name: 'indicatorValue', type: 'string', filter: true },
    { name: 'indicatorType', type: { enum: INDICATOR_TYPES }, filter: true },
    { name: 'action', type: { enum: INDICATOR_ACTIONS }, filter: true },
    { name: 'createdBy', type: 'string', description: 'The creating app\'s client id, or the user\'s UPN', filter: true },
    { name: 'source', type: 'string', description: 'The creator\'s display name' },
    { name: 'sourceType', type: { enum: ['AadApp', 'User'] } },
    { name: 'severity', type: { enum: INDICATOR_SEVERITIES }, filter: true },
    { name: 'category', type: 'integer', constant: 1 },
    { name: 'application', type: 'string', nullable: true, filter: true },
    { name: 'educateUrl', type: 'string', nullable: true },
    { name: 'bypassDurationHours', type: 'integer', nullable: true, constant: null },
    { name: 'title', type: 'string', filter: true },
    { name: 'description', type: 'string' },
    { name: 'recommendedActions', type: 'string', nullable: true },
    { name: 'creationTimeDateTimeUtc', type: 'datetime', filter: true },
    { name: 'expirationTime', type: 'datetime', nullable: true, filter: true },
    { name: 'lastUpdateTime', type: 'datetime', filter: true },
    { name: 'lastUpdatedBy', type: 'string', nullable: true },
    { name: 'rbacGroupNames', type: { list: 'string' }, description: 'Device groups the indicator applies to; empty: every device' },
    { name: 'rbacGroupIds', type: { list: 'string' } },
    { name: 'notificationId', type: 'string', nullable: true, constant: null },
    { name: 'notificationBody', type: 'string', nullable: true, constant: null },
    { name: 'version', type: 'string', nullable: true, constant: null },
    { name: 'mitreTechniques', type: { list: 'string' } },
    { name: 'historicalDetection', type: 'boolean', constant: false },
    { name: 'lookBackPeriod', type: 'string', nullable: true, constant: null },
    { name: 'generateAlert', type: 'boolean', filter: true },
    { name: 'additionalInfo', type: 'string', nullable: true, constant: null },
    { name: 'createdByDisplayName', type: 'string', filter: true },
    { name: 'externalId', type: 'string', nullable: true },
    { name: 'createdBySource', type: 'string' },
    { name: 'certificateInfo', type: 'bag', nullable: true, constant: null },
  ],
});
