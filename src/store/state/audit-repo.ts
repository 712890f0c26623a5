/** AuditRepo over kysely: the append-only audit log. */
import type { Kysely } from 'kysely';
import type { AuditRepo } from '../../domain/ports.ts';
import type { AuditRecord } from '../../domain/tenant.ts';
import type { StateDb } from './db-schema.ts';

/** An AuditRepo on `db`; `list` returns the newest `limit` records, newest first. */
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
  };
}
