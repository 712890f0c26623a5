/**
 * The audit log entry entity (`GET /api/auditlogs`, Palisade's own): one record of a mutating call —
 * when, who (kind, id and name), what, which target, the result and details — declared once over the
 * `audit_log` table (migration 0001, `actor_name` from 0011-roles). Newest first unless asked otherwise.
 */
import type { AuditLogEntry } from '../domain/tenant.ts';
import type { StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each AuditLogEntry field is stored (the table's own row type is in db-schema.ts: `seq` is generated). */
const AUDIT_LOG_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'seq', codec: 'integer', immutable: true },
  time: { column: 'time', codec: 'instant', immutable: true },
  actorKind: { column: 'actor_kind', codec: 'text', immutable: true },
  actorId: { column: 'actor_id', codec: 'text', immutable: true },
  actorName: { column: 'actor_name', codec: 'text', nullable: true, immutable: true },
  action: { column: 'action', codec: 'text', immutable: true },
  target: { column: 'target', codec: 'text', immutable: true },
  result: { column: 'result', codec: 'text', immutable: true },
  details: { column: 'details', codec: 'text', nullable: true, immutable: true },
} as const satisfies StorageOf<AuditLogEntry>;

/** Audit log entries: /api/auditlogs, `#AuditLogs`. Newest first. */
export const AUDIT_LOG = defineEntity<AuditLogEntry>({
  set: 'AuditLogs',
  description: 'A record of a change made in the tenant (or a refused attempt): who, what, which target, when, and the result',
  table: 'audit_log',
  key: 'id',
  maxTop: 10_000,
  defaultTop: 1_000,
  defaultOrder: [{ field: 'time', dir: 'desc' }, { field: 'id', dir: 'desc' }],
  storage: AUDIT_LOG_STORAGE,
  properties: [
    { name: 'id', type: 'integer', description: 'The record\'s number: later records have higher numbers', filter: true },
    { name: 'time', type: 'datetime', description: 'When the call was made (UTC)', filter: true },
    { name: 'actorKind', type: { enum: ['user', 'app', 'operator', 'system', 'device'] }, description: 'What kind of caller acted', filter: true },
    { name: 'actorId', type: 'string', description: 'The caller: user object id, app client id, operator (local:<name>), device id', filter: true },
    { name: 'actorName', type: 'string', nullable: true, description: 'The caller as people know it: user principal name, app name (null in records older than names)', filter: { ignoreCase: true } },
    { name: 'action', type: 'string', description: 'What was done, e.g. machine.isolate, alert.update, role.create', filter: true },
    { name: 'target', type: 'string', description: 'What it was done to (an id or a name)', filter: true },
    { name: 'result', type: { enum: ['success', 'failure'] }, description: 'Whether it was done', filter: true },
    { name: 'details', type: 'string', nullable: true, description: 'What was asked, as JSON text; for a failure, why' },
  ],
});
