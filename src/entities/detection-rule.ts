/**
 * The custom detection rule entity, declared once: its properties in the key order of Microsoft
 * Graph's `detectionRule` (security/rules/detectionRules), which of them `$filter` accepts, and how
 * the domain DetectionRule is stored in the `detection_rules` table (migration 0005). The run lease
 * and the run bookkeeping are stored but never shown.
 */
import { RULE_ERROR_CODES, RULE_RUN_STATUSES, RULE_SEVERITIES, type DetectionRule } from '../domain/detection-rule.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each DetectionRule field is stored. */
const RULE_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'id', codec: 'text', immutable: true },
  displayName: { column: 'display_name', codec: 'text' },
  isEnabled: { column: 'is_enabled', codec: 'boolean' },
  createdBy: { column: 'created_by', codec: 'text', immutable: true },
  createdDateTime: { column: 'created_at', codec: 'instant', immutable: true },
  lastModifiedBy: { column: 'last_modified_by', codec: 'text' },
  lastModifiedDateTime: { column: 'last_modified_at', codec: 'instant' },
  queryText: { column: 'query_text', codec: 'text' },
  queryModifiedDateTime: { column: 'query_modified_at', codec: 'instant' },
  period: { column: 'period', codec: 'text' },
  nextRunDateTime: { column: 'next_run_at', codec: 'instant', nullable: true },
  nrtTable: { column: 'nrt_table', codec: 'text', nullable: true },
  detectionAction: { column: 'detection_action', codec: 'json' },
  lastRunDateTime: { column: 'last_run_at', codec: 'instant', nullable: true },
  lastRunStatus: { column: 'last_run_status', codec: 'text', nullable: true },
  lastRunFailureReason: { column: 'last_run_failure_reason', codec: 'text', nullable: true },
  lastRunErrorCode: { column: 'last_run_error_code', codec: 'text', nullable: true },
  lastSuccessDateTime: { column: 'last_success_at', codec: 'instant', nullable: true },
  leaseOwner: { column: 'lease_owner', codec: 'text', nullable: true },
  leaseExpiresDateTime: { column: 'lease_expires_at', codec: 'instant', nullable: true },
} as const satisfies StorageOf<DetectionRule>;

/** The `detection_rules` row (kysely table type). */
export type DetectionRulesRow = RowOf<typeof RULE_STORAGE>;

/** Custom detection rules: /api/detectionrules…, `#DetectionRules`. */
export const DETECTION_RULE = defineEntity<DetectionRule>({
  set: 'DetectionRules',
  description: 'Custom detection rule (shaped after Microsoft Graph security detectionRule)',
  table: 'detection_rules',
  key: 'id',
  maxTop: 1_000,
  defaultTop: 1_000,
  defaultOrder: [{ field: 'createdDateTime', dir: 'desc' }],
  storage: RULE_STORAGE,
  properties: [
    { name: 'id', type: 'string', description: 'Rule id', filter: true },
    { name: 'displayName', type: 'string', filter: { ignoreCase: true } },
    { name: 'isEnabled', type: 'boolean', filter: true },
    { name: 'createdBy', type: 'string', description: 'The app or user that created the rule', filter: true },
    { name: 'createdDateTime', type: 'datetime', filter: true },
    { name: 'lastModifiedDateTime', type: 'datetime', filter: true },
    { name: 'lastModifiedBy', type: 'string', filter: true },
    {
      name: 'queryCondition', type: { object: [
        { name: 'queryText', type: 'string', description: 'The advanced hunting query (KQL); it must return Timestamp, DeviceId and ReportId' },
        { name: 'lastModifiedDateTime', type: 'datetime' },
      ] },
      members: { queryText: 'queryText', lastModifiedDateTime: 'queryModifiedDateTime' },
    },
    {
      name: 'schedule', type: { object: [
        { name: 'period', type: 'string', description: "'0' (near real time, on every committed batch) or 5M…24H (e.g. 1H, 3H, 12H, 24H)" },
        { name: 'nextRunDateTime', type: 'datetime', nullable: true },
      ] },
      members: { period: 'period', nextRunDateTime: 'nextRunDateTime' },
    },
    {
      name: 'detectionAction', type: { object: [
        {
          name: 'alertTemplate', type: { object: [
            { name: 'title', type: 'string' },
            { name: 'description', type: 'string' },
            { name: 'severity', type: { enum: RULE_SEVERITIES } },
            { name: 'category', type: 'string' },
            { name: 'recommendedActions', type: 'string', nullable: true },
            { name: 'mitreTechniques', type: { list: 'string' } },
            { name: 'impactedAssets', type: { list: { object: [{ name: '@odata.type', type: 'string' }, { name: 'identifier', type: 'string' }] } } },
          ] },
        },
        {
          name: 'organizationalScope', nullable: true, type: { object: [
            { name: 'scopeType', type: 'string' },
            { name: 'scopeNames', type: { list: 'string' } },
          ] },
        },
        { name: 'responseActions', type: { list: 'bag' }, description: 'Automatic actions, each with its @odata.type and identifier' },
      ] },
    },
    {
      name: 'lastRunDetails', type: { object: [
        { name: 'lastRunDateTime', type: 'datetime', nullable: true },
        { name: 'status', type: { enum: RULE_RUN_STATUSES }, nullable: true },
        { name: 'failureReason', type: 'string', nullable: true },
        { name: 'errorCode', type: { enum: RULE_ERROR_CODES }, nullable: true },
      ] },
      members: { lastRunDateTime: 'lastRunDateTime', status: 'lastRunStatus', failureReason: 'lastRunFailureReason', errorCode: 'lastRunErrorCode' },
    },
  ],
});
