/** DeviceGroupRepo over kysely: a tenant's ranked device groups, the matching rule stored as JSON. */
import { sql, type Kysely } from 'kysely';
import type { DeviceGroup, DeviceGroupRule, RemediationLevel } from '../../domain/device-group.ts';
import type { DeviceGroupRepo } from '../../domain/ports.ts';
import type { DeviceGroupsTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toGroup(r: DeviceGroupsTable): DeviceGroup {
  return {
    tenantId: r.tenant_id,
    id: Number(r.group_id),
    name: r.name,
    description: r.description,
    rank: Number(r.group_rank),
    remediationLevel: r.remediation_level as RemediationLevel,
    rule: JSON.parse(r.rule) as DeviceGroupRule,
    createdAt: r.created_at,
  };
}

/** A DeviceGroupRepo on `db` (the store or one transaction). */
export function kyselyDeviceGroupRepo(db: Kysely<StateDb>, dialect: StateDialect): DeviceGroupRepo {
  return {
    async insert(g) {
      await conflictAware(dialect, `Device group ${g.name}`, () => db.insertInto('device_groups').values({
        tenant_id: g.tenantId, group_id: g.id, name: g.name, name_key: g.name.toLowerCase(), description: g.description,
        group_rank: g.rank, remediation_level: g.remediationLevel, rule: JSON.stringify(g.rule), created_at: g.createdAt,
      }).execute());
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('device_groups').selectAll().where('tenant_id', '=', tenantId).where('group_id', '=', id).executeTakeFirst();
      return r ? toGroup(r) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('device_groups').selectAll().where('tenant_id', '=', tenantId).orderBy('group_rank').orderBy('group_id').execute();
      return rows.map(toGroup);
    },
    async nextId(tenantId) {
      const r = await db.insertInto('device_group_ids').values({ tenant_id: tenantId, last_id: 1 })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ last_id: sql<number>`device_group_ids.last_id + 1` }))
        .returning('last_id').executeTakeFirstOrThrow();
      return Number(r.last_id);
    },
    async setRank(tenantId, id, rank) {
      await db.updateTable('device_groups').set({ group_rank: rank }).where('tenant_id', '=', tenantId).where('group_id', '=', id).execute();
    },
    async update(tenantId, id, patch) {
      const c: Partial<DeviceGroupsTable> = {};
      if (patch.name !== undefined) {
        c.name = patch.name;
        c.name_key = patch.name.toLowerCase();
      }
      if (patch.description !== undefined) c.description = patch.description;
      if (patch.remediationLevel !== undefined) c.remediation_level = patch.remediationLevel;
      if (patch.rule !== undefined) c.rule = JSON.stringify(patch.rule);
      if (Object.keys(c).length > 0) {
        const r = await conflictAware(dialect, `Device group ${patch.name ?? id}`, () =>
          db.updateTable('device_groups').set(c).where('tenant_id', '=', tenantId).where('group_id', '=', id).executeTakeFirst());
        if (Number(r.numUpdatedRows) === 0) return null;
      }
      const r = await db.selectFrom('device_groups').selectAll().where('tenant_id', '=', tenantId).where('group_id', '=', id).executeTakeFirst();
      return r ? toGroup(r) : null;
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('device_groups').where('tenant_id', '=', tenantId).where('group_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
