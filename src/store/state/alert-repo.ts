/** AlertRepo over kysely: alerts, the entities they are about, and Alerts list queries. */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Alert } from '../../domain/alert.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { AlertPatch, AlertRepo, DeviceScope, Page } from '../../domain/ports.ts';
import { ALERT } from '../../entities/alert.ts';
import type { AlertsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { canonicalInstant } from './instant.ts';
import { entityQuery } from './list-query-sql.ts';
import { atomically, checkPaging, chunks, emptyScope, ordered } from './repo-support.ts';
import { conflictAware } from './write-errors.ts';

type AlertSelect = SelectQueryBuilder<StateDb, 'alerts', object>;

/** Restricts an alerts query to a tenant and a device-group scope (non-empty). */
function scoped(db: Kysely<StateDb>, tenantId: string, scope: DeviceScope): AlertSelect {
  let q: AlertSelect = db.selectFrom('alerts').where('alerts.tenant_id', '=', tenantId);
  if (scope !== 'all') q = q.where('alerts.rbac_group_id', 'in', [...scope]);
  return q;
}

const toAlert = (r: AlertsTable): Alert => rowToRecord<Alert, AlertsTable>(ALERT.decl, r, {});

/** An AlertRepo on `db`. An existing alert id or dedupe key on insert is a PalisadeError 'Conflict'. */
export function kyselyAlertRepo(db: Kysely<StateDb>, dialect: StateDialect): AlertRepo {
  const getOne = async (conn: Kysely<StateDb>, tenantId: string, id: string, scope: DeviceScope): Promise<Alert | null> => {
    if (emptyScope(scope)) return null;
    const row = await scoped(conn, tenantId, scope).selectAll('alerts').where('alerts.id', '=', id).executeTakeFirst();
    return row ? toAlert(row) : null;
  };

  return {
    async insert(a: Alert) {
      const row = recordToRow<Alert, AlertsTable>(ALERT.decl, a);
      await conflictAware(dialect, `Alert ${a.id}`, () => db.insertInto('alerts').values(row).execute());
    },

    get: (tenantId, id, scope) => getOne(db, tenantId, id, scope),

    async getByDedupeKey(tenantId, dedupeKey) {
      const row = await db.selectFrom('alerts').selectAll().where('tenant_id', '=', tenantId).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
      return row ? toAlert(row) : null;
    },

    async list(tenantId: string, q: ListQuery, scope: DeviceScope, machineId?: string): Promise<Page<Alert>> {
      checkPaging(q);
      const sqlOf = entityQuery(ALERT.decl, new Date());
      // Translate first so an invalid query fails the same way whatever the caller's scope.
      const where = q.filter ? sqlOf.where(q.filter) : null;
      const order = sqlOf.orderBy(q.orderBy);
      if (emptyScope(scope)) return q.count ? { items: [], total: 0 } : { items: [] };
      let base = scoped(db, tenantId, scope);
      if (machineId !== undefined) base = base.where('alerts.machine_id', '=', machineId);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll('alerts'), order).limit(q.top).offset(q.skip).execute();
      const items = rows.map(toAlert);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async getMany(tenantId, ids, scope) {
      if (emptyScope(scope) || !ids.length) return [];
      const out: Alert[] = [];
      for (const part of chunks([...new Set(ids)])) {
        out.push(...(await scoped(db, tenantId, scope).selectAll('alerts').where('alerts.id', 'in', part).execute()).map(toAlert));
      }
      return out;
    },

    update(tenantId: string, id: string, patch: AlertPatch, scope: DeviceScope) {
      if (emptyScope(scope)) return Promise.resolve(null);
      return atomically(db, async (trx) => {
        const columns = patchToColumns<Alert, AlertsTable>(ALERT.decl, patch);
        if (Object.keys(columns).length) {
          let q = trx.updateTable('alerts').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id);
          if (scope !== 'all') q = q.where('rbac_group_id', 'in', [...scope]);
          if (Number((await q.executeTakeFirst()).numUpdatedRows) === 0) return null;
        }
        return getOne(trx, tenantId, id, scope);
      });
    },

    async byIncidents(tenantId, incidentIds, scope) {
      if (!incidentIds.length || emptyScope(scope)) return [];
      const out: Alert[] = [];
      for (const part of chunks([...new Set(incidentIds)])) {
        const rows = await scoped(db, tenantId, scope).selectAll().where('incident_id', 'in', part)
          .orderBy('alert_creation_time').orderBy('id').execute();
        out.push(...rows.map(toAlert));
      }
      return out;
    },

    async addEntities(tenantId, alertId, entities, at) {
      const time = canonicalInstant(at);
      const rows = [...new Set(entities)].map((entity) => ({ tenant_id: tenantId, alert_id: alertId, entity, alert_time: time }));
      for (const part of chunks(rows)) await db.insertInto('alert_entities').values(part).execute();
    },

    async moveMachine(tenantId, machineId, rbacGroupId, rbacGroupName) {
      const r = await db.updateTable('alerts').set({ rbac_group_id: rbacGroupId, rbac_group_name: rbacGroupName })
        .where('tenant_id', '=', tenantId).where('machine_id', '=', machineId).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async openIncidentSharing(tenantId, entities, since) {
      // One look per entity, newest first, stopping at the first alert of an open incident: each walks
      // the (tenant, entity, alert_time) index backwards, so the cost does not grow with the number of
      // alerts sharing the entity (a single IN over all of them sorted every match in the window).
      let best: { time: string; incident: number } | null = null;
      for (const entity of [...new Set(entities)].slice(0, 200)) {
        const row = await db.selectFrom('alert_entities as e')
          .innerJoin('alerts as a', (j) => j.onRef('a.tenant_id', '=', 'e.tenant_id').onRef('a.id', '=', 'e.alert_id'))
          .innerJoin('incidents as i', (j) => j.onRef('i.tenant_id', '=', 'a.tenant_id').onRef('i.incident_id', '=', 'a.incident_id'))
          .select(['e.alert_time', 'i.incident_id'])
          .where('e.tenant_id', '=', tenantId)
          .where('e.entity', '=', entity)
          .where('e.alert_time', '>=', canonicalInstant(since))
          .where('i.status', '!=', 'Resolved')
          .orderBy('e.alert_time', 'desc').orderBy('i.incident_id', 'desc')
          .limit(1).executeTakeFirst();
        if (!row) continue;
        const time = String(row.alert_time);
        const incident = Number(row.incident_id);
        if (!best || time > best.time || (time === best.time && incident > best.incident)) best = { time, incident };
      }
      return best ? best.incident : null;
    },
  };
}

/** Alerts whose incident is `incidentId` exist in `scope` (an incident's visibility), as a SQL condition on `incidents`. */
export function incidentInScope(scope: DeviceScope) {
  if (scope === 'all') return sql<boolean>`1 = 1`;
  return sql<boolean>`exists (select 1 from alerts v where v.tenant_id = incidents.tenant_id and v.incident_id = incidents.incident_id and v.rbac_group_id in (${sql.join([...scope])}))`;
}
