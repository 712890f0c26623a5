/**
 * The MDE machine action entity, declared once: its properties in the key order of the corpus
 * samples (Elastic's capture of `/api/machineactions`, which is also a superset of the keys of the
 * Cisco and Swimlane ones), the filterable ones MDE documents plus `lastUpdateDateTimeUtc`, and how
 * the domain MachineAction is stored in the `machine_actions` table (migration 0007). The expiry,
 * acknowledgement and the sensor's last report are stored but never shown.
 */
import {
  COMMAND_STATUSES, LIVE_RESPONSE_COMMAND_TYPES, MACHINE_ACTION_STATUSES, MACHINE_ACTION_TYPES, type MachineAction,
} from '../domain/machine-action.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each MachineAction field is stored. */
const ACTION_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'id', codec: 'text', immutable: true },
  type: { column: 'type', codec: 'text', immutable: true },
  scope: { column: 'scope', codec: 'text', nullable: true, immutable: true },
  requestor: { column: 'requestor', codec: 'text', immutable: true },
  requestorComment: { column: 'requestor_comment', codec: 'text', immutable: true },
  requestSource: { column: 'request_source', codec: 'text', immutable: true },
  externalId: { column: 'external_id', codec: 'text', nullable: true, immutable: true },
  title: { column: 'title', codec: 'text', nullable: true, immutable: true },
  status: { column: 'status', codec: 'text' },
  machineId: { column: 'machine_id', codec: 'text', immutable: true },
  computerDnsName: { column: 'computer_dns_name', codec: 'text', nullable: true, immutable: true },
  rbacGroupId: { column: 'rbac_group_id', codec: 'integer', immutable: true },
  creationDateTimeUtc: { column: 'created_at', codec: 'instant', immutable: true },
  lastUpdateDateTimeUtc: { column: 'last_update_at', codec: 'instant' },
  cancellationRequestor: { column: 'cancellation_requestor', codec: 'text', nullable: true },
  cancellationComment: { column: 'cancellation_comment', codec: 'text', nullable: true },
  cancellationDateTimeUtc: { column: 'cancellation_at', codec: 'instant', nullable: true },
  errorHResult: { column: 'error_hresult', codec: 'integer' },
  relatedFileInfo: { column: 'related_file_info', codec: 'json', nullable: true, immutable: true },
  commands: { column: 'commands', codec: 'json' },
  expiresAt: { column: 'expires_at', codec: 'instant', immutable: true },
  acknowledged: { column: 'acknowledged', codec: 'boolean' },
  statusMessage: { column: 'status_message', codec: 'text', nullable: true },
  fileInfo: { column: 'file_info', codec: 'json', nullable: true },
} as const satisfies StorageOf<MachineAction>;

/** The `machine_actions` row (kysely table type). */
export type MachineActionsRow = RowOf<typeof ACTION_STORAGE>;

const COMMAND = {
  object: [
    { name: 'index', type: 'integer' },
    { name: 'startTime', type: 'datetime', nullable: true },
    { name: 'endTime', type: 'datetime', nullable: true },
    { name: 'commandStatus', type: { enum: COMMAND_STATUSES } },
    { name: 'errors', type: { list: 'string' } },
    {
      name: 'command', type: {
        object: [
          { name: 'type', type: { enum: LIVE_RESPONSE_COMMAND_TYPES } },
          { name: 'params', type: { list: { object: [{ name: 'key', type: 'string' }, { name: 'value', type: 'string' }] } } },
        ],
      },
    },
  ],
} as const;

/** Machine actions: /api/machineactions…, `#MachineActions`. Newest first by default. */
export const MACHINE_ACTION = defineEntity<MachineAction>({
  set: 'MachineActions',
  description: 'MDE machine action (a response action requested on a device)',
  table: 'machine_actions',
  key: 'id',
  maxTop: 10_000,
  defaultTop: 10_000,
  defaultOrder: [{ field: 'creationDateTimeUtc', dir: 'desc' }],
  storage: ACTION_STORAGE,
  properties: [
    { name: 'id', type: 'string', description: 'Action id (a GUID)', filter: { operators: ['eq', 'ne', 'in'], ignoreCase: true } },
    { name: 'type', type: { enum: MACHINE_ACTION_TYPES }, filter: true },
    { name: 'title', type: 'string', nullable: true },
    { name: 'requestor', type: 'string', description: 'The app\'s client id or the user\'s UPN; a detection rule\'s id for its automatic actions', filter: true },
    { name: 'requestorComment', type: 'string' },
    { name: 'status', type: { enum: MACHINE_ACTION_STATUSES }, filter: true },
    { name: 'machineId', type: 'string', filter: { ignoreCase: true } },
    { name: 'computerDnsName', type: 'string', nullable: true },
    { name: 'creationDateTimeUtc', type: 'datetime', filter: true },
    { name: 'lastUpdateDateTimeUtc', type: 'datetime', filter: true },
    { name: 'cancellationRequestor', type: 'string', nullable: true },
    { name: 'cancellationComment', type: 'string', nullable: true },
    { name: 'cancellationDateTimeUtc', type: 'datetime', nullable: true },
    { name: 'errorHResult', type: 'integer' },
    { name: 'scope', type: 'string', nullable: true },
    { name: 'externalId', type: 'string', nullable: true },
    { name: 'requestSource', type: 'string' },
    {
      name: 'relatedFileInfo', nullable: true,
      type: { object: [{ name: 'fileIdentifier', type: 'string' }, { name: 'fileIdentifierType', type: { enum: ['Sha1', 'Sha256', 'Md5'] } }] },
    },
    { name: 'commands', type: { list: COMMAND }, description: 'Live response commands with their status; empty for other kinds' },
    { name: 'troubleshootInfo', type: 'string', nullable: true, constant: null },
  ],
});
