/**
 * Reading the audit log (`GET /api/auditlogs`): the tenant's records, filtered, sorted and paged as
 * the caller asks (newest first by default), for operators and holders of the portal-settings
 * permission only. Recording is services/audit.ts's.
 */
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { Page, StateStore } from '../domain/ports.ts';
import type { AuditLogEntry } from '../domain/tenant.ts';

/** The audit log's reader. */
export class AuditLogService {
  constructor(private readonly store: StateStore) {}

  /** A page of the tenant's audit records. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<AuditLogEntry>> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return this.store.audit.query(ctx.tenantId, q);
  }
}
