/** RoleRepo over kysely: a tenant's stored roles, permission options and device groups as JSON. */
import type { Kysely } from 'kysely';
import type { RolePatch, RoleRepo } from '../../domain/ports.ts';
import { roleNameKey, type Role } from '../../domain/role.ts';
import type { RolePermissionOption } from '../../domain/role-permissions.ts';
import type { RolesTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { conflictAware } from './write-errors.ts';

function toRole(r: RolesTable): Role {
  return {
    tenantId: r.tenant_id,
    id: r.role_id,
    name: r.name,
    description: r.description,
    permissions: JSON.parse(r.permissions) as RolePermissionOption[],
    deviceGroups: JSON.parse(r.device_groups) as Role['deviceGroups'],
    builtIn: false,
    createdAt: r.created_at,
  };
}

/** The columns a patch changes. */
function patchColumns(p: RolePatch): Partial<RolesTable> {
  const c: Partial<RolesTable> = {};
  if (p.name !== undefined) {
    c.name = p.name;
    c.name_key = roleNameKey(p.name);
  }
  if (p.description !== undefined) c.description = p.description;
  if (p.permissions !== undefined) c.permissions = JSON.stringify(p.permissions);
  if (p.deviceGroups !== undefined) c.device_groups = JSON.stringify(p.deviceGroups);
  return c;
}

/** A RoleRepo on `db` (the store or one transaction); list order is the lower-cased name. */
export function kyselyRoleRepo(db: Kysely<StateDb>, dialect: StateDialect): RoleRepo {
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('role_id', '=', id).executeTakeFirst();
    return r ? toRole(r) : null;
  };
  return {
    async insert(r) {
      await conflictAware(dialect, `Role ${r.name}`, () => db.insertInto('roles').values({
        tenant_id: r.tenantId, role_id: r.id, name: r.name, name_key: roleNameKey(r.name), description: r.description,
        permissions: JSON.stringify(r.permissions), device_groups: JSON.stringify(r.deviceGroups), created_at: r.createdAt,
      }).execute());
    },
    get,
    async getByName(tenantId, name) {
      const r = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('name_key', '=', roleNameKey(name)).executeTakeFirst();
      return r ? toRole(r) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name_key').orderBy('role_id').execute();
      return rows.map(toRole);
    },
    async update(tenantId, id, patch) {
      const columns = patchColumns(patch);
      if (Object.keys(columns).length > 0) {
        const r = await conflictAware(dialect, `Role ${patch.name ?? id}`, () =>
          db.updateTable('roles').set(columns).where('tenant_id', '=', tenantId).where('role_id', '=', id).executeTakeFirst());
        if (Number(r.numUpdatedRows) === 0) return null;
      }
      return get(tenantId, id);
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('roles').where('tenant_id', '=', tenantId).where('role_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
