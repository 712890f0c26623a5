/** AuditRepo over kysely: the append-only audit log. */
import type { Kysely } from 'kysely';
import type { ListQuery } from '../../domain/list-query.ts';
import type { AuditRepo, Page } from '../../domain/ports.ts';
import type { AuditLogEntry, AuditRecord } from '../../domain/tenant.ts';
import { AUDIT_LOG } from '../../entities/audit-log.ts';
import type { AuditLogTable, StateDb } from './db-schema.ts';
import { entityQuery } from './list-query-sql.ts';
import { checkPaging, ordered } from './repo-support.ts';

function toEntry(r: AuditLogTable & { seq: number }): AuditLogEntry {
  return {
    tenantId: r.tenant_id, id: Number(r.seq), time: r.time, actorKind: r.actor_kind, actorId: r.actor_id, actorName: r.actor_name,
    action: r.action, target: r.target, result: r.result as AuditRecord['result'], details: r.details,
  };
}

/** An AuditRepo on `db`; `list` returns the newest `limit` records, newest first; `query` is the OData list. */
export function kyselyAuditRepo(db: Kysely<StateDb>): AuditRepo {
  return {
    async append(r: AuditRecord) {
      await db.insertInto('audit_log').values({
        tenant_id: r.tenantId,
        time: r.time,
        actor_kind: r.actorKind,
        actor_id: r.actorId,
        actor_name: r.actorName ?? null,
        action: r.action,
        target: r.target,
        result: r.result,
        details: r.details,
      }).execute();
    },
    async list(tenantId: string, limit: number) {
      if (limit <= 0) return [];
      const rows = await db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('time', 'desc').orderBy('seq', 'desc').limit(Math.floor(limit)).execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        time: r.time,
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        actorName: r.actor_name,
        action: r.action,
        target: r.target,
        result: r.result as AuditRecord['result'],
        details: r.details,
      }));
    },
    async query(tenantId: string, q: ListQuery): Promise<Page<AuditLogEntry>> {
      checkPaging(q);
      const sqlOf = entityQuery(AUDIT_LOG.decl, new Date());
      const where = q.filter ? sqlOf.where(q.filter) : null;
      let base = db.selectFrom('audit_log').where('tenant_id', '=', tenantId);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll(), sqlOf.orderBy(q.orderBy)).limit(q.top).offset(q.skip).execute();
      const items = rows.map((r) => toEntry(r as AuditLogTable & { seq: number }));
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },
  };
}
