/**
 * ActionRepo over kysely: machine actions, their list queries, a device's unacknowledged actions
 * (its /work poll), the compare-and-set status transitions and the sweeper's expired actions. The
 * partial unique index `machine_actions_one_open` (migration 0007) keeps one open action of each
 * type per machine; a second insert is a 'Conflict'.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ListQuery } from '../../domain/list-query.ts';
import type { MachineAction } from '../../domain/machine-action.ts';
import type { ActionRepo, DeviceScope, MachineActionPatch, Page } from '../../domain/ports.ts';
import { MACHINE_ACTION } from '../../entities/machine-action.ts';
import type { MachineActionsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { canonicalInstant } from './instant.ts';
import { entityQuery } from './list-query-sql.ts';
import { atomically, checkPaging, emptyScope, ordered } from './repo-support.ts';
import { conflictAware } from './write-errors.ts';

type ActionSelect = SelectQueryBuilder<StateDb, 'machine_actions', object>;

const OPEN = ['Pending', 'InProgress'];

const toAction = (r: MachineActionsTable): MachineAction => rowToRecord<MachineAction, MachineActionsTable>(MACHINE_ACTION.decl, r, {});

/** Restricts a machine-actions query to a tenant and a device-group scope (non-empty). */
function scoped(db: Kysely<StateDb>, tenantId: string, scope: DeviceScope): ActionSelect {
  let q: ActionSelect = db.selectFrom('machine_actions').where('tenant_id', '=', tenantId);
  if (scope !== 'all') q = q.where('rbac_group_id', 'in', [...scope]);
  return q;
}

/** An ActionRepo on `db` (the store or one transaction). */
export function kyselyActionRepo(db: Kysely<StateDb>, dialect: StateDialect): ActionRepo {
  const getOne = async (conn: Kysely<StateDb>, tenantId: string, id: string, scope: DeviceScope): Promise<MachineAction | null> => {
    if (emptyScope(scope)) return null;
    const row = await scoped(conn, tenantId, scope).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAction(row) : null;
  };
  return {
    async insert(a) {
      const row = recordToRow<MachineAction, MachineActionsTable>(MACHINE_ACTION.decl, a);
      await conflictAware(dialect, `An open ${a.type} action on machine ${a.machineId}`, () => db.insertInto('machine_actions').values(row).execute());
    },

    get: (tenantId, id, scope) => getOne(db, tenantId, id, scope),

    async list(tenantId: string, q: ListQuery, scope: DeviceScope, machineId?: string): Promise<Page<MachineAction>> {
      checkPaging(q);
      const sqlOf = entityQuery(MACHINE_ACTION.decl, new Date());
      // translate first, so an invalid query fails the same way whatever the caller's scope
      const where = q.filter ? sqlOf.where(q.filter) : null;
      const order = sqlOf.orderBy(q.orderBy);
      if (emptyScope(scope)) return q.count ? { items: [], total: 0 } : { items: [] };
      let base = scoped(db, tenantId, scope);
      if (machineId !== undefined) base = base.where('machine_id', '=', machineId);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll(), order).limit(q.top).offset(q.skip).execute();
      const items = rows.map(toAction);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async openOf(tenantId, machineId, type) {
      const row = await db.selectFrom('machine_actions').selectAll().where('tenant_id', '=', tenantId).where('machine_id', '=', machineId)
        .where('type', '=', type).where('status', 'in', OPEN).executeTakeFirst();
      return row ? toAction(row) : null;
    },

    async unacknowledged(tenantId, machineId) {
      const rows = await db.selectFrom('machine_actions').selectAll().where('tenant_id', '=', tenantId).where('machine_id', '=', machineId)
        .where('status', 'in', OPEN).where('acknowledged', '=', 0).orderBy('created_at').orderBy('id').execute();
      return rows.map(toAction);
    },

    transition(tenantId, id, from, patch: MachineActionPatch) {
      return atomically(db, async (trx) => {
        const columns = patchToColumns<MachineAction, MachineActionsTable>(MACHINE_ACTION.decl, patch);
        if (!from.length) return null;
        const r = await trx.updateTable('machine_actions').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id)
          .where('status', 'in', [...from]).executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return null;
        return getOne(trx, tenantId, id, 'all');
      });
    },

    async moveMachine(tenantId, machineId, rbacGroupId) {
      const r = await db.updateTable('machine_actions').set({ rbac_group_id: rbacGroupId })
        .where('tenant_id', '=', tenantId).where('machine_id', '=', machineId).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async expired(now, limit) {
      const rows = await db.selectFrom('machine_actions').select(['tenant_id', 'id']).where('status', 'in', OPEN)
        .where('expires_at', '<=', canonicalInstant(now)).orderBy('expires_at').orderBy('tenant_id').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
    },
  };
}
