/**
 * DetectionRuleRepo over kysely: custom detection rules, their list queries, the scheduler's due
 * rules and the per-rule run lease. The lease is two columns of the rule's row, taken with one
 * conditional UPDATE, which both SQLite (one writer at a time) and PostgreSQL (the row lock, with
 * the condition re-checked after it) apply atomically: of two processes racing for a rule, exactly
 * one updates the row.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DetectionRule } from '../../domain/detection-rule.ts';
import { errors } from '../../domain/errors.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { DetectionRulePatch, DetectionRuleRepo, Page } from '../../domain/ports.ts';
import { DETECTION_RULE } from '../../entities/detection-rule.ts';
import type { DetectionRulesTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { canonicalInstant } from './instant.ts';
import { entityQuery, type OrderTerm } from './list-query-sql.ts';
import { conflictAware } from './write-errors.ts';

const toRecord = (r: DetectionRulesTable) => rowToRecord<DetectionRule, DetectionRulesTable>(DETECTION_RULE.decl, r, {});

/** Applies the ORDER BY of a list query. */
function ordered<O>(q: SelectQueryBuilder<StateDb, 'detection_rules', O>, terms: readonly OrderTerm[]): SelectQueryBuilder<StateDb, 'detection_rules', O> {
  for (const t of terms) {
    q = q.orderBy(t.expr, (ob) => {
      const directed = t.dir === 'asc' ? ob.asc() : ob.desc();
      return t.nulls === 'first' ? directed.nullsFirst() : t.nulls === 'last' ? directed.nullsLast() : directed;
    });
  }
  return q;
}

/** A DetectionRuleRepo on `db` (the store or one transaction). */
export function kyselyDetectionRuleRepo(db: Kysely<StateDb>, dialect: StateDialect): DetectionRuleRepo {
  const getOne = async (tenantId: string, id: string) => {
    const row = await db.selectFrom('detection_rules').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  };
  return {
    async insert(r) {
      const row = recordToRow<DetectionRule, DetectionRulesTable>(DETECTION_RULE.decl, r);
      await conflictAware(dialect, `Detection rule ${r.id}`, () => db.insertInto('detection_rules').values(row).execute());
    },

    get: getOne,

    async list(tenantId: string, q: ListQuery): Promise<Page<DetectionRule>> {
      if (!Number.isSafeInteger(q.top) || q.top < 0) throw errors.odata(`Invalid $top: ${q.top}`);
      if (!Number.isSafeInteger(q.skip) || q.skip < 0) throw errors.odata(`Invalid $skip: ${q.skip}`);
      const sqlOf = entityQuery(DETECTION_RULE.decl, new Date());
      const where = q.filter ? sqlOf.where(q.filter) : null;
      let base = db.selectFrom('detection_rules').where('tenant_id', '=', tenantId);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll(), sqlOf.orderBy(q.orderBy)).limit(q.top).offset(q.skip).execute();
      const items = rows.map(toRecord);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async update(tenantId: string, id: string, patch: DetectionRulePatch) {
      const columns = patchToColumns<DetectionRule, DetectionRulesTable>(DETECTION_RULE.decl, patch);
      if (Object.keys(columns).length) {
        const r = await db.updateTable('detection_rules').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return null;
      }
      return getOne(tenantId, id);
    },

    async delete(tenantId: string, id: string) {
      const r = await db.deleteFrom('detection_rules').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async count(tenantId: string) {
      const r = await db.selectFrom('detection_rules').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async due(now: string, limit: number) {
      const at = canonicalInstant(now);
      const rows = await db.selectFrom('detection_rules').select(['tenant_id', 'id'])
        .where('is_enabled', '=', 1).where('next_run_at', 'is not', null).where('next_run_at', '<=', at)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', at)]))
        .orderBy('next_run_at').orderBy('tenant_id').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
    },

    async nearRealTime(tenantId: string) {
      const rows = await db.selectFrom('detection_rules').selectAll().where('tenant_id', '=', tenantId)
        .where('period', '=', '0').where('is_enabled', '=', 1).orderBy('id').execute();
      return rows.map(toRecord);
    },

    async takeLease(tenantId: string, id: string, owner: string, now: string, until: string) {
      const at = canonicalInstant(now);
      const r = await db.updateTable('detection_rules')
        .set({ lease_owner: owner, lease_expires_at: canonicalInstant(until) })
        .where('tenant_id', '=', tenantId).where('id', '=', id)
        .where('is_enabled', '=', 1).where('next_run_at', 'is not', null).where('next_run_at', '<=', at)
        .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<=', at), eb('lease_owner', '=', owner)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return null;
      return getOne(tenantId, id);
    },

    async recordRun(tenantId, id, owner, run) {
      const columns: Partial<DetectionRulesTable> = patchToColumns<DetectionRule, DetectionRulesTable>(DETECTION_RULE.decl, run);
      let q = db.updateTable('detection_rules').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (owner !== null) {
        q = q.where('lease_owner', '=', owner);
        columns.lease_owner = null;
        columns.lease_expires_at = null;
      }
      const r = await q.set(columns).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
