/** IndicatorRepo over kysely: indicators (live and tombstones), the tenant's counters, Indicators list queries. */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Indicator } from '../../domain/indicator.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { IndicatorPatch, IndicatorRepo, Page } from '../../domain/ports.ts';
import { INDICATOR } from '../../entities/indicator.ts';
import type { IndicatorsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { canonicalFromMs } from './instant.ts';
import { entityQuery } from './list-query-sql.ts';
import { checkPaging, chunks, ordered } from './repo-support.ts';
import { conflictAware } from './write-errors.ts';

type IndicatorSelect = SelectQueryBuilder<StateDb, 'indicators', object>;

const toRecord = (r: IndicatorsTable): Indicator => rowToRecord<Indicator, IndicatorsTable>(INDICATOR.decl, r, {});

/** Live, unexpired indicators of a tenant at `now`. */
function activeOf(db: Kysely<StateDb>, tenantId: string, now: Date): IndicatorSelect {
  const at = canonicalFromMs(now.getTime());
  return db.selectFrom('indicators').where('indicators.tenant_id', '=', tenantId).where('indicators.deleted', '=', 0)
    .where((eb) => eb.or([eb('indicators.expiration_time', 'is', null), eb('indicators.expiration_time', '>', at)]));
}

/** An IndicatorRepo on `db`. A second live indicator with the same (type, value) is a PalisadeError 'Conflict'. */
export function kyselyIndicatorRepo(db: Kysely<StateDb>, dialect: StateDialect): IndicatorRepo {
  return {
    async allocate(tenantId, ids) {
      await db.insertInto('indicator_counters').values({ tenant_id: tenantId, last_id: 0, version: 0 })
        .onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      await db.updateTable('indicator_counters')
        .set({ last_id: sql`last_id + ${ids}`, version: sql`version + 1` })
        .where('tenant_id', '=', tenantId).execute();
      const r = await db.selectFrom('indicator_counters').select(['last_id', 'version']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return { firstId: Number(r.last_id) - ids + 1, version: Number(r.version) };
    },

    async version(tenantId) {
      const r = await db.selectFrom('indicator_counters').select('version').where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? Number(r.version) : 0;
    },

    async insert(i) {
      const row = recordToRow<Indicator, IndicatorsTable>(INDICATOR.decl, i);
      await conflictAware(dialect, `Indicator ${i.indicatorType} ${i.indicatorValue}`, () => db.insertInto('indicators').values(row).execute());
    },

    async update(tenantId, id, patch: IndicatorPatch) {
      const columns = patchToColumns<Indicator, IndicatorsTable>(INDICATOR.decl, patch);
      const r = await db.updateTable('indicators').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return null;
      const row = await db.selectFrom('indicators').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findLiveByValues(tenantId, keys) {
      const out: Indicator[] = [];
      const byType = new Map<string, string[]>();
      for (const k of keys) byType.set(k.indicatorType, [...(byType.get(k.indicatorType) ?? []), k.indicatorValue]);
      for (const [type, values] of byType) {
        for (const part of chunks([...new Set(values)])) {
          const rows = await db.selectFrom('indicators').selectAll().where('tenant_id', '=', tenantId).where('deleted', '=', 0)
            .where('indicator_type', '=', type).where('indicator_value', 'in', part).execute();
          out.push(...rows.map(toRecord));
        }
      }
      return out;
    },

    async getLive(tenantId, ids) {
      const out: Indicator[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('indicators').selectAll().where('tenant_id', '=', tenantId).where('deleted', '=', 0).where('id', 'in', part).execute();
        out.push(...rows.map(toRecord));
      }
      return out;
    },

    async markDeleted(tenantId, ids, version, at, by) {
      let n = 0;
      for (const part of chunks([...new Set(ids)])) {
        const r = await db.updateTable('indicators')
          .set({ deleted: 1, change_version: version, last_update_time: canonicalFromMs(Date.parse(at)), last_updated_by: by })
          .where('tenant_id', '=', tenantId).where('deleted', '=', 0).where('id', 'in', part).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    },

    async list(tenantId, q: ListQuery, now, createdBy, scope = 'all') {
      checkPaging(q);
      const sqlOf = entityQuery(INDICATOR.decl, now);
      const where = q.filter ? sqlOf.where(q.filter) : null;
      const order = sqlOf.orderBy(q.orderBy);
      let base = activeOf(db, tenantId, now);
      if (createdBy !== undefined) base = base.where('indicators.created_by', '=', createdBy);
      // rbac_group_ids is the JSON text of a list of id strings: '[]' for every device, else '["1","7"]'
      if (scope !== 'all') {
        const groups = [...scope];
        base = base.where((eb) => eb.or([eb('indicators.rbac_group_ids', '=', '[]'), ...groups.map((g) => eb('indicators.rbac_group_ids', 'like', `%${JSON.stringify(String(g))}%`))]));
      }
      if (where) base = base.where(where);
      const page = ordered(base.selectAll('indicators'), order);
      const rows = q.top === 0 ? [] : await page.limit(q.top).offset(q.skip).execute();
      const items = rows.map(toRecord);
      if (!q.count) return { items } satisfies Page<Indicator>;
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async countActive(tenantId, now) {
      const r = await activeOf(db, tenantId, now).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async active(tenantId, now) {
      const rows = await activeOf(db, tenantId, now).selectAll('indicators').orderBy('indicators.change_version').execute();
      return rows.map(toRecord);
    },

    async matchable(tenantId, now) {
      const rows = await activeOf(db, tenantId, now)
        .select(['indicators.id', 'indicators.indicator_type', 'indicators.indicator_value', 'indicators.action', 'indicators.severity',
          'indicators.generate_alert', 'indicators.title', 'indicators.rbac_group_ids', 'indicators.expiration_time'])
        .execute();
      return rows.map((r) => ({
        id: r.id,
        indicatorType: r.indicator_type as Indicator['indicatorType'],
        indicatorValue: r.indicator_value,
        action: r.action as Indicator['action'],
        severity: r.severity as Indicator['severity'],
        generateAlert: Boolean(Number(r.generate_alert)),
        title: r.title,
        rbacGroupIds: r.rbac_group_ids === '[]' ? [] : (JSON.parse(r.rbac_group_ids) as string[]),
        expirationTime: r.expiration_time,
      }));
    },

    async changedSince(tenantId, sinceVersion) {
      const rows = await db.selectFrom('indicators').selectAll().where('tenant_id', '=', tenantId)
        .where('change_version', '>', sinceVersion).orderBy('change_version').orderBy('id').execute();
      return rows.map(toRecord);
    },
  };
}
