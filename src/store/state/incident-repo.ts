/** IncidentRepo over kysely: incidents, numbered per tenant, with their alerts read from `alerts`. */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { incidentAlertOf, severityRank, type AlertSeverity, type Incident } from '../../domain/alert.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { DeviceScope, IncidentPatch, IncidentRepo, Page } from '../../domain/ports.ts';
import { INCIDENT } from '../../entities/incident.ts';
import { incidentInScope, kyselyAlertRepo } from './alert-repo.ts';
import type { IncidentsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { entityQuery } from './list-query-sql.ts';
import { atomically, checkPaging, emptyScope, ordered } from './repo-support.ts';
import { conflictAware } from './write-errors.ts';

type IncidentSelect = SelectQueryBuilder<StateDb, 'incidents', object>;

function scoped(db: Kysely<StateDb>, tenantId: string, scope: DeviceScope): IncidentSelect {
  return db.selectFrom('incidents').where('incidents.tenant_id', '=', tenantId).where(incidentInScope(scope));
}

/** An IncidentRepo on `db`; each incident's alerts are read on the connection that read the incident. */
export function kyselyIncidentRepo(db: Kysely<StateDb>, dialect: StateDialect): IncidentRepo {
  const hydrate = async (conn: Kysely<StateDb>, tenantId: string, rows: IncidentsTable[], scope: DeviceScope): Promise<Incident[]> => {
    if (!rows.length) return [];
    const byIncident = new Map<number, Incident['alerts']>();
    for (const a of await kyselyAlertRepo(conn, dialect).byIncidents(tenantId, rows.map((r) => Number(r.incident_id)), scope)) {
      const list = byIncident.get(a.incidentId!) ?? [];
      list.push(incidentAlertOf(a));
      byIncident.set(a.incidentId!, list);
    }
    return rows.map((r) => rowToRecord<Incident, IncidentsTable>(INCIDENT.decl, r, { alerts: byIncident.get(Number(r.incident_id)) ?? [] }));
  };
  const getOne = async (conn: Kysely<StateDb>, tenantId: string, id: number, scope: DeviceScope) => {
    if (emptyScope(scope)) return null;
    const row = await scoped(conn, tenantId, scope).selectAll('incidents').where('incidents.incident_id', '=', id).executeTakeFirst();
    return row ? (await hydrate(conn, tenantId, [row], scope))[0] : null;
  };

  return {
    create(i) {
      return atomically(db, async (trx) => {
        const last = await trx.selectFrom('incidents').select((eb) => eb.fn.max('incident_id').as('m')).where('tenant_id', '=', i.tenantId).executeTakeFirst();
        const incidentId = Number(last?.m ?? 0) + 1;
        const row = recordToRow<Incident, IncidentsTable>(INCIDENT.decl, { ...i, incidentId, alerts: [] });
        await conflictAware(dialect, `Incident ${incidentId}`, () => trx.insertInto('incidents').values(row).execute());
        return incidentId;
      });
    },

    get: (tenantId, id, scope) => getOne(db, tenantId, id, scope),

    async list(tenantId: string, q: ListQuery, scope: DeviceScope): Promise<Page<Incident>> {
      checkPaging(q);
      const sqlOf = entityQuery(INCIDENT.decl, new Date());
      const where = q.filter ? sqlOf.where(q.filter) : null;
      const order = sqlOf.orderBy(q.orderBy);
      if (emptyScope(scope)) return q.count ? { items: [], total: 0 } : { items: [] };
      let base = scoped(db, tenantId, scope);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll('incidents'), order).limit(q.top).offset(q.skip).execute();
      const items = await hydrate(db, tenantId, rows, scope);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    update(tenantId: string, id: number, patch: IncidentPatch, scope: DeviceScope) {
      if (emptyScope(scope)) return Promise.resolve(null);
      return atomically(db, async (trx) => {
        if (!(await scoped(trx, tenantId, scope).select('incidents.incident_id').where('incidents.incident_id', '=', id).executeTakeFirst())) return null;
        const columns = patchToColumns<Incident, IncidentsTable>(INCIDENT.decl, patch);
        if (Object.keys(columns).length) await trx.updateTable('incidents').set(columns).where('tenant_id', '=', tenantId).where('incident_id', '=', id).execute();
        return getOne(trx, tenantId, id, scope);
      });
    },

    alertJoined(tenantId, id, time, severity) {
      return atomically(db, async (trx) => {
        const row = await trx.selectFrom('incidents').select('severity').where('tenant_id', '=', tenantId).where('incident_id', '=', id).executeTakeFirst();
        if (!row) return;
        const raise = severityRank(severity) > severityRank(row.severity as AlertSeverity);
        await trx.updateTable('incidents')
          .set(patchToColumns<Incident, IncidentsTable>(INCIDENT.decl, { lastUpdateTime: time, ...(raise ? { severity } : {}) }))
          .where('tenant_id', '=', tenantId).where('incident_id', '=', id).execute();
      });
    },
  };
}
