/**
 * Device-group use cases (MDE's RBAC, reference §9): operators and holders of the portal-settings
 * permission create, list, update and delete a tenant's ranked groups (a deleted group leaves every role); every change recomputes the membership of all the tenant's devices in the same
 * transaction, and `regroupDevice` places one device when it enrolls or its tags change, so
 * machines' rbacGroupId/rbacGroupName always come from the groups.
 */
import type { Ctx } from '../domain/context.ts';
import type { Device } from '../domain/device.ts';
import {
  MAX_RULE_VALUES, membershipOf, REMEDIATION_LEVELS, ruleHasCondition,
  type DeviceGroup, type DeviceGroupRule, type RemediationLevel,
} from '../domain/device-group.ts';
import { errors } from '../domain/errors.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { Repos, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';
import { removeGroupFromRoles, type RbacChangeListener } from './roles.ts';

/** Longest group name and rule value accepted. */
export const MAX_GROUP_NAME = 128;
/** Devices read per page while recomputing a tenant's membership. */
const PAGE = 1000;

/** What creating a group takes; rank defaults to after the last group, remediation level to full remediation. */
export interface DeviceGroupInput {
  name: string;
  description?: string | null;
  rank?: number;
  remediationLevel?: string;
  rule: Partial<DeviceGroupRule>;
}

function values(field: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw errors.invalidBody(`'${field}' must be a list of strings`);
  if (v.length > MAX_RULE_VALUES) throw errors.invalidBody(`'${field}' takes at most ${MAX_RULE_VALUES} values`);
  return v.map((x) => {
    if (typeof x !== 'string' || !x.trim() || x.length > MAX_GROUP_NAME) throw errors.invalidBody(`'${field}' values must be non-empty strings of at most ${MAX_GROUP_NAME} characters`);
    return x.trim();
  });
}

function checkName(v: unknown): string {
  const name = typeof v === 'string' ? v.trim() : '';
  if (!name || name.length > MAX_GROUP_NAME) throw errors.invalidBody(`A device group needs a name of 1 to ${MAX_GROUP_NAME} characters`);
  return name;
}

function checkDescription(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > 1024) throw errors.invalidBody("'description' must be a string of at most 1024 characters");
  return v.trim() || null;
}

function checkLevel(v: unknown): RemediationLevel {
  if (typeof v !== 'string' || !(REMEDIATION_LEVELS as readonly string[]).includes(v)) throw errors.invalidBody(`The remediation level must be one of: ${REMEDIATION_LEVELS.join(', ')}`);
  return v as RemediationLevel;
}

function checkRule(r: Partial<DeviceGroupRule>): DeviceGroupRule {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw errors.invalidBody("'rule' must be an object with names, domains, tags and osPlatforms lists");
  const rule = { names: values('names', r.names), domains: values('domains', r.domains), tags: values('tags', r.tags), osPlatforms: values('osPlatforms', r.osPlatforms) };
  if (!ruleHasCondition(rule)) throw errors.invalidBody('A device group needs at least one matching condition (name, domain, tag or OS)');
  return rule;
}

/**
 * Places `d` in its group (the first by rank whose rule matches, else ungrouped) and stores the change
 * when its group differs; the device's alerts and machine actions move with it, so whoever may see
 * the device sees its alerts and actions, and nobody else does. Returns the device as stored.
 * Callers run it inside their transaction.
 */
export async function regroupDevice(r: Pick<Repos, 'deviceGroups' | 'devices' | 'alerts' | 'actions'>, d: Device, groups?: readonly DeviceGroup[]): Promise<Device> {
  const m = membershipOf(d, groups ?? await r.deviceGroups.list(d.tenantId));
  if (m.rbacGroupId === d.rbacGroupId && m.rbacGroupName === d.rbacGroupName) return d;
  const moved = await r.devices.update(d.tenantId, d.id, m, 'all');
  if (!moved) return d;
  await r.alerts.moveMachine(d.tenantId, d.id, m.rbacGroupId, m.rbacGroupName);
  await r.actions.moveMachine(d.tenantId, d.id, m.rbacGroupId);
  return moved;
}

/** Recomputes the group of every device of the tenant; returns how many devices changed group. */
async function regroupTenant(r: Repos, tenantId: string, now: Date): Promise<number> {
  const groups = await r.deviceGroups.list(tenantId);
  let changed = 0;
  for (let skip = 0; ; skip += PAGE) {
    const page = await r.devices.list(tenantId, { top: PAGE, skip, count: false, orderBy: [{ field: 'id', dir: 'asc' }] }, 'all', now);
    for (const d of page.items) if ((await regroupDevice(r, d, groups)) !== d) changed++;
    if (page.items.length < PAGE) return changed;
  }
}

/** Device groups of a tenant, administered by operators. */
export class DeviceGroupService {
  private readonly listeners: RbacChangeListener[] = [];

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Calls `l` after each committed change of a tenant's groups (a deleted group leaves roles). */
  onChange(l: RbacChangeListener): void {
    this.listeners.push(l);
  }

  /** The tenant's groups, rank 1 first. */
  async list(ctx: Ctx): Promise<DeviceGroup[]> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return this.store.deviceGroups.list(ctx.tenantId);
  }

  /** Creates a group at `rank` (groups from that rank on move down one) and regroups the tenant's devices. */
  async create(ctx: Ctx, input: DeviceGroupInput): Promise<{ group: DeviceGroup; regrouped: number }> {
    return audited(this.store, ctx, this.clock, 'deviceGroup.create', String(input.name), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const name = checkName(input.name);
      const level = checkLevel(input.remediationLevel ?? 'Full remediation');
      const rule = checkRule(input.rule ?? {});
      // the id first: taking it holds the tenant's group counter, so the ranks read next stay true
      const id = await r.deviceGroups.nextId(ctx.tenantId);
      const existing = await r.deviceGroups.list(ctx.tenantId);
      const last = existing.length + 1;
      const rank = input.rank ?? last;
      if (!Number.isSafeInteger(rank) || rank < 1 || rank > last) throw errors.invalidBody(`The rank must be an integer from 1 to ${last}`);
      // from the bottom up, so no two groups ever share a rank
      for (const g of [...existing].reverse()) if (g.rank >= rank) await r.deviceGroups.setRank(ctx.tenantId, g.id, g.rank + 1);
      const group: DeviceGroup = {
        tenantId: ctx.tenantId, id, name, description: checkDescription(input.description),
        rank, remediationLevel: level, rule, createdAt: this.clock().toISOString(),
      };
      await r.deviceGroups.insert(group);
      return { group, regrouped: await regroupTenant(r, ctx.tenantId, this.clock()) };
    }, JSON.stringify(input).slice(0, 2000));
  }

  /**
   * Changes what `input` names — name, description, remediation level, rule (replaced whole), rank
   * (the groups between move by one) — and regroups the tenant's devices.
   */
  async update(ctx: Ctx, idOrName: string, input: Partial<DeviceGroupInput>): Promise<{ group: DeviceGroup; regrouped: number }> {
    return audited(this.store, ctx, this.clock, 'deviceGroup.update', idOrName.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const all = await r.deviceGroups.list(ctx.tenantId);
      const group = all.find((g) => String(g.id) === idOrName.trim() || g.name.toLowerCase() === idOrName.trim().toLowerCase());
      if (!group) throw errors.notFound(`Device group ${idOrName} was not found`);
      const patch: Parameters<Repos['deviceGroups']['update']>[2] = {};
      if (input.name !== undefined) patch.name = checkName(input.name);
      if (input.description !== undefined) patch.description = checkDescription(input.description);
      if (input.remediationLevel !== undefined) patch.remediationLevel = checkLevel(input.remediationLevel);
      if (input.rule !== undefined) patch.rule = checkRule(input.rule ?? {});
      if (input.rank !== undefined && input.rank !== group.rank) {
        const rank = input.rank;
        if (!Number.isSafeInteger(rank) || rank < 1 || rank > all.length) throw errors.invalidBody(`The rank must be an integer from 1 to ${all.length}`);
        // out of the way first (ranks stay unique at every step), then the groups between move by one toward the old place
        await r.deviceGroups.setRank(ctx.tenantId, group.id, all.length + 1);
        const between = rank < group.rank ? all.filter((g) => g.rank >= rank && g.rank < group.rank).reverse() : all.filter((g) => g.rank > group.rank && g.rank <= rank);
        for (const g of between) await r.deviceGroups.setRank(ctx.tenantId, g.id, rank < group.rank ? g.rank + 1 : g.rank - 1);
        await r.deviceGroups.setRank(ctx.tenantId, group.id, rank);
      }
      await r.deviceGroups.update(ctx.tenantId, group.id, patch);
      const updated = (await r.deviceGroups.get(ctx.tenantId, group.id))!;
      return { group: updated, regrouped: await regroupTenant(r, ctx.tenantId, this.clock()) };
    }, JSON.stringify(input).slice(0, 2000));
  }

  /** Deletes a group (by id or name, any case); the ranks below close up and its devices are regrouped. */
  async delete(ctx: Ctx, idOrName: string): Promise<{ group: DeviceGroup; regrouped: number }> {
    return audited(this.store, ctx, this.clock, 'deviceGroup.delete', idOrName, async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const all = await r.deviceGroups.list(ctx.tenantId);
      const group = all.find((g) => String(g.id) === idOrName || g.name.toLowerCase() === idOrName.toLowerCase());
      if (!group) throw errors.notFound(`Device group ${idOrName} was not found`);
      await r.deviceGroups.delete(ctx.tenantId, group.id);
      for (const g of all) if (g.rank > group.rank) await r.deviceGroups.setRank(ctx.tenantId, g.id, g.rank - 1);
      await removeGroupFromRoles(r, ctx.tenantId, group.id);
      return { group, regrouped: await regroupTenant(r, ctx.tenantId, this.clock()) };
    }).finally(() => this.changed(ctx.tenantId));
  }

  private changed(tenantId: string): void {
    for (const l of this.listeners) l(tenantId);
  }
}
