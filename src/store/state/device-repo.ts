/** DeviceRepo over kysely: devices, their tag sets, and Machines list queries. */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { REVOKED_CREDENTIAL, type Device } from '../../domain/device.ts';
import type { FilterExpr, ListQuery } from '../../domain/list-query.ts';
import type { DevicePatch, DeviceRepo, DeviceScope, Page } from '../../domain/ports.ts';
import type { DevicesTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { MACHINE } from '../../entities/machine.ts';
import { entityQuery } from './list-query-sql.ts';
import { atomically, checkPaging, chunks, emptyScope, ordered } from './repo-support.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { conflictAware } from './write-errors.ts';

type DeviceSelect = SelectQueryBuilder<StateDb, 'devices', object>;

/** Restricts a devices query to a tenant and a device-group scope (non-empty). */
function scoped(db: Kysely<StateDb>, tenantId: string, scope: DeviceScope): DeviceSelect {
  let q: DeviceSelect = db.selectFrom('devices').where('devices.tenant_id', '=', tenantId);
  if (scope !== 'all') q = q.where('devices.rbac_group_id', 'in', [...scope]);
  return q;
}

/** Tags of the given devices in one query per chunk of ids, in stored order. */
async function loadTags(db: Kysely<StateDb>, tenantId: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('device_tags').select(['device_id', 'tag'])
      .where('tenant_id', '=', tenantId).where('device_id', 'in', part)
      .orderBy('device_id').orderBy('position').execute();
    for (const r of rows) {
      const list = tags.get(r.device_id);
      if (list) list.push(r.tag);
      else tags.set(r.device_id, [r.tag]);
    }
  }
  return tags;
}

/** Devices of the rows (all of one tenant), tags attached, order kept. */
async function hydrate(db: Kysely<StateDb>, tenantId: string, rows: DevicesTable[]): Promise<Device[]> {
  if (!rows.length) return [];
  const tags = await loadTags(db, tenantId, rows.map((r) => r.id));
  return rows.map((r) => rowToRecord<Device, DevicesTable>(MACHINE.decl, r, { machineTags: tags.get(r.id) ?? [] }));
}

/** A tag list as a set: duplicates dropped, first occurrence kept, order preserved. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/** Replaces a device's tag set (duplicates dropped, order kept). */
async function writeTags(db: Kysely<StateDb>, tenantId: string, deviceId: string, tags: readonly string[], replace: boolean): Promise<void> {
  if (replace) await db.deleteFrom('device_tags').where('tenant_id', '=', tenantId).where('device_id', '=', deviceId).execute();
  const rows = normalizeTags(tags).map((tag, position) => ({ tenant_id: tenantId, device_id: deviceId, tag, position }));
  for (const part of chunks(rows)) await db.insertInto('device_tags').values(part).execute();
}

/**
 * A DeviceRepo on `db`. Writes of a device and its tags are atomic (they join an enclosing tx).
 * Inserting an existing device id is a PalisadeError 'Conflict'.
 */
export function kyselyDeviceRepo(db: Kysely<StateDb>, dialect: StateDialect): DeviceRepo {
  const getOne = async (conn: Kysely<StateDb>, tenantId: string, id: string, scope: DeviceScope): Promise<Device | null> => {
    if (emptyScope(scope)) return null;
    const row = await scoped(conn, tenantId, scope).selectAll('devices').where('devices.id', '=', id).executeTakeFirst();
    return row ? (await hydrate(conn, tenantId, [row]))[0] : null;
  };

  return {
    async insert(d: Device) {
      const row = recordToRow<Device, DevicesTable>(MACHINE.decl, d);
      await conflictAware(dialect, `Device ${d.id}`, () =>
        atomically(db, async (trx) => {
          await trx.insertInto('devices').values(row).execute();
          await writeTags(trx, d.tenantId, d.id, d.machineTags, false);
        }));
    },

    get(tenantId: string, id: string, scope: DeviceScope) {
      return getOne(db, tenantId, id, scope);
    },

    async getByName(tenantId: string, computerDnsName: string, scope: DeviceScope) {
      if (emptyScope(scope)) return null;
      const row = await scoped(db, tenantId, scope).selectAll('devices')
        .where(sql`lower(${sql.ref('devices.computer_dns_name')})`, '=', sql`lower(${computerDnsName})`)
        .orderBy('devices.last_seen', 'desc').orderBy('devices.id').limit(1).executeTakeFirst();
      return row ? (await hydrate(db, tenantId, [row]))[0] : null;
    },

    async list(tenantId: string, q: ListQuery, scope: DeviceScope, now: Date): Promise<Page<Device>> {
      checkPaging(q);
      const sqlOf = entityQuery(MACHINE.decl, now);
      // Translate first so an invalid query fails the same way whatever the caller's scope.
      const where = q.filter ? sqlOf.where(q.filter) : null;
      const order = sqlOf.orderBy(q.orderBy);
      if (emptyScope(scope)) return q.count ? { items: [], total: 0 } : { items: [] };
      let base = scoped(db, tenantId, scope);
      if (where) base = base.where(where);
      const page = ordered(base.selectAll('devices'), order);
      const rows = q.top === 0 ? [] : await page.limit(q.top).offset(q.skip).execute();
      const items = await hydrate(db, tenantId, rows);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async getMany(tenantId: string, ids: readonly string[], scope: DeviceScope) {
      if (emptyScope(scope) || !ids.length) return [];
      const rows: DevicesTable[] = [];
      for (const part of chunks([...new Set(ids)])) {
        rows.push(...await scoped(db, tenantId, scope).selectAll('devices').where('devices.id', 'in', part).execute());
      }
      return hydrate(db, tenantId, rows);
    },

    update(tenantId: string, id: string, patch: DevicePatch, scope: DeviceScope) {
      if (emptyScope(scope)) return Promise.resolve(null);
      return atomically(db, async (trx) => {
        const columns = patchToColumns<Device, DevicesTable>(MACHINE.decl, patch);
        if (Object.keys(columns).length) {
          let q = trx.updateTable('devices').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id);
          if (scope !== 'all') q = q.where('rbac_group_id', 'in', [...scope]);
          if (Number((await q.executeTakeFirst()).numUpdatedRows) === 0) return null;
        } else if (!(await scoped(trx, tenantId, scope).select('devices.id').where('devices.id', '=', id).executeTakeFirst())) {
          return null;
        }
        if (patch.machineTags !== undefined) await writeTags(trx, tenantId, id, patch.machineTags, true);
        // a patch may move the device out of the caller's groups; the result is read unscoped
        return getOne(trx, tenantId, id, 'all');
      });
    },

    async credentialOf(deviceId: string) {
      const r = await db.selectFrom('devices').select(['tenant_id', 'id', 'computer_dns_name', 'os_platform', 'rbac_group_id', 'credential_hash'])
        .where('id', '=', deviceId).limit(1).executeTakeFirst();
      return r ? { tenantId: r.tenant_id, id: r.id, computerDnsName: r.computer_dns_name, osPlatform: r.os_platform, rbacGroupId: Number(r.rbac_group_id), credentialHash: r.credential_hash } : null;
    },

    async revokeCredential(tenantId: string, id: string, scope: DeviceScope) {
      if (emptyScope(scope)) return false;
      let q = db.updateTable('devices').set({ credential_hash: REVOKED_CREDENTIAL }).where('tenant_id', '=', tenantId).where('id', '=', id);
      if (scope !== 'all') q = q.where('rbac_group_id', 'in', [...scope]);
      return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
    },

    async findByTag(tenantId: string, tag: string, startsWith: boolean, scope: DeviceScope) {
      if (emptyScope(scope)) return [];
      const sqlOf = entityQuery(MACHINE.decl, new Date());
      const member: FilterExpr = startsWith
        ? { kind: 'fn', name: 'startswith', field: '$it', value: tag }
        : { kind: 'cmp', op: 'eq', field: '$it', value: tag };
      const rows = await ordered(scoped(db, tenantId, scope).selectAll('devices').where(sqlOf.any('machineTags', member)), sqlOf.orderBy([])).execute();
      return hydrate(db, tenantId, rows);
    },

    async count(tenantId: string) {
      const r = await db.selectFrom('devices').select((eb) => eb.fn.countAll().as('n'))
        .where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
