/**
 * Role use cases (MDE's RBAC, reference §9): a tenant's roles — name, description, MDE's permission
 * options and the device groups they cover — administered by operators and by holders of the
 * portal-settings permission, every change audited; and the RoleLookup (domain/rbac.ts) that turns a
 * signed-in user's role names into what the bearer check scopes the user by. A role renamed or
 * deleted is renamed in, or taken from, its users and the external identity providers' mappings.
 * The built-in `Palisade Administrator` role is listed with the stored ones and can be neither
 * changed nor deleted.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { Repos, RolePatch, StateStore } from '../domain/ports.ts';
import type { RoleLookup, UserRole } from '../domain/rbac.ts';
import {
  administratorRole, isAdministratorRoleName, MAX_ROLE_DESCRIPTION, MAX_ROLE_NAME, roleNameKey, ADMINISTRATOR_ROLE_ID, type Role,
} from '../domain/role.ts';
import { isRolePermissionOption, userRoleOf, type RolePermissionOption } from '../domain/role-permissions.ts';
import { audited } from './audit.ts';

/** What creating a role takes (the API's body): options default to none, groups to none. */
export interface RoleInput {
  name: unknown;
  description?: unknown;
  permissions?: unknown;
  deviceGroups?: unknown;
}

/** Called with the tenant whose roles (or users' roles, or groups) changed. */
export type RbacChangeListener = (tenantId: string) => void;

function checkName(v: unknown): string {
  const name = typeof v === 'string' ? v.trim() : '';
  if (!name || name.length > MAX_ROLE_NAME) throw errors.invalidBody(`A role needs a name of 1 to ${MAX_ROLE_NAME} characters`);
  if (isAdministratorRoleName(name)) throw errors.badRequest(`'${name}' is the built-in role's name`);
  return name;
}

function checkDescription(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > MAX_ROLE_DESCRIPTION) throw errors.invalidBody(`'description' must be a string of at most ${MAX_ROLE_DESCRIPTION} characters`);
  return v.trim() || null;
}

function checkPermissions(v: unknown): RolePermissionOption[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw errors.invalidBody("'permissions' must be a list of role permission options");
  const out = new Set<RolePermissionOption>();
  for (const p of v) {
    if (typeof p !== 'string' || !isRolePermissionOption(p)) throw errors.invalidBody(`'${String(p).slice(0, 64)}' is not a role permission option`);
    out.add(p);
  }
  return [...out];
}

/** 'all', or existing rbacGroupIds (0 = the ungrouped devices), each once, ascending. */
async function checkGroups(r: Pick<Repos, 'deviceGroups'>, tenantId: string, v: unknown): Promise<Role['deviceGroups']> {
  if (v === undefined) return [];
  if (v === 'all') return 'all';
  if (!Array.isArray(v)) throw errors.invalidBody("'deviceGroups' must be 'all' or a list of rbacGroupIds");
  const known = new Set([0, ...(await r.deviceGroups.list(tenantId)).map((g) => g.id)]);
  const out = new Set<number>();
  for (const g of v) {
    if (typeof g !== 'number' || !Number.isSafeInteger(g) || !known.has(g)) throw errors.invalidBody(`'${String(g).slice(0, 64)}' is not an rbacGroupId of this tenant`);
    out.add(g);
  }
  return [...out].sort((a, b) => a - b);
}

/** The role named or identified by `idOrName` (any case), the built-in one included, or null. */
export async function findRole(r: Pick<Repos, 'roles'>, tenantId: string, idOrName: string): Promise<Role | null> {
  const key = idOrName.trim();
  if (key.toLowerCase() === ADMINISTRATOR_ROLE_ID || isAdministratorRoleName(key)) return administratorRole(tenantId);
  return (await r.roles.get(tenantId, key.toLowerCase())) ?? (await r.roles.getByName(tenantId, key));
}

/** A tenant's roles, administered by operators and portal-settings holders. */
export class RoleService {
  private readonly listeners: RbacChangeListener[] = [];

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Calls `l` after each committed change of a tenant's roles. */
  onChange(l: RbacChangeListener): void {
    this.listeners.push(l);
  }

  /** The built-in role, then the stored ones by name. */
  async list(ctx: Ctx): Promise<Role[]> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return [administratorRole(ctx.tenantId), ...(await this.store.roles.list(ctx.tenantId))];
  }

  /** One role by id or name (any case); 404 when there is none. */
  async get(ctx: Ctx, idOrName: string): Promise<Role> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    const role = await findRole(this.store, ctx.tenantId, idOrName);
    if (!role) throw errors.notFound(`Role ${idOrName} was not found`);
    return role;
  }

  /** Creates a role; its name must be new in the tenant (any case). */
  async create(ctx: Ctx, input: RoleInput): Promise<Role> {
    const role = await audited(this.store, ctx, this.clock, 'role.create', String(input.name).slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const role: Role = {
        tenantId: ctx.tenantId, id: randomUUID(), name: checkName(input.name), description: checkDescription(input.description),
        permissions: checkPermissions(input.permissions), deviceGroups: await checkGroups(r, ctx.tenantId, input.deviceGroups),
        builtIn: false, createdAt: this.clock().toISOString(),
      };
      await r.roles.insert(role);
      return role;
    }, JSON.stringify(input).slice(0, 2000));
    this.changed(ctx.tenantId);
    return role;
  }

  /** Changes what the body names; a rename follows into every user holding the role. The built-in role is refused. */
  async update(ctx: Ctx, idOrName: string, input: Partial<RoleInput>): Promise<Role> {
    const role = await audited(this.store, ctx, this.clock, 'role.update', idOrName.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const old = await findRole(r, ctx.tenantId, idOrName);
      if (!old) throw errors.notFound(`Role ${idOrName} was not found`);
      if (old.builtIn) throw errors.badRequest(`The built-in role ${old.name} cannot be changed`);
      const patch: RolePatch = {};
      if (input.name !== undefined) patch.name = checkName(input.name);
      if (input.description !== undefined) patch.description = checkDescription(input.description);
      if (input.permissions !== undefined) patch.permissions = checkPermissions(input.permissions);
      if (input.deviceGroups !== undefined) patch.deviceGroups = await checkGroups(r, ctx.tenantId, input.deviceGroups);
      const updated = (await r.roles.update(ctx.tenantId, old.id, patch))!;
      if (updated.name !== old.name) {
        await renameInUsers(r, ctx.tenantId, old.name, updated.name);
        await renameInMappings(r, ctx.tenantId, old.name, updated.name);
      }
      return updated;
    }, JSON.stringify(input).slice(0, 2000));
    this.changed(ctx.tenantId);
    return role;
  }

  /** Deletes a role and takes it from every user holding it. The built-in role is refused. */
  async delete(ctx: Ctx, idOrName: string): Promise<Role> {
    const role = await audited(this.store, ctx, this.clock, 'role.delete', idOrName.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const old = await findRole(r, ctx.tenantId, idOrName);
      if (!old) throw errors.notFound(`Role ${idOrName} was not found`);
      if (old.builtIn) throw errors.badRequest(`The built-in role ${old.name} cannot be deleted`);
      await r.roles.delete(ctx.tenantId, old.id);
      await renameInUsers(r, ctx.tenantId, old.name, null);
      await renameInMappings(r, ctx.tenantId, old.name, null);
      return old;
    });
    this.changed(ctx.tenantId);
    return role;
  }

  private changed(tenantId: string): void {
    for (const l of this.listeners) l(tenantId);
  }
}

/** Renames role `from` (any case) to `to` in every user holding it, or takes it away when `to` is null. */
async function renameInUsers(r: Pick<Repos, 'users'>, tenantId: string, from: string, to: string | null): Promise<void> {
  const key = roleNameKey(from);
  for (const u of await r.users.list(tenantId)) {
    if (!u.roles.some((n) => roleNameKey(n) === key)) continue;
    const roles = [...new Set(u.roles.flatMap((n) => (roleNameKey(n) === key ? (to === null ? [] : [to]) : [n])))];
    await r.users.update(tenantId, u.id, { roles });
  }
}

/**
 * Renames role `from` (any case) to `to` in every external identity provider's mapping of the
 * tenant, or takes it out when `to` is null (a claim value left with no role is dropped).
 */
async function renameInMappings(r: Pick<Repos, 'externalIdps'>, tenantId: string, from: string, to: string | null): Promise<void> {
  const key = roleNameKey(from);
  for (const idp of await r.externalIdps.list(tenantId)) {
    if (!Object.values(idp.roleMapping).some((names) => names.some((n) => roleNameKey(n) === key))) continue;
    const roleMapping: Record<string, string[]> = {};
    for (const [value, names] of Object.entries(idp.roleMapping)) {
      const renamed = [...new Set(names.flatMap((n) => (roleNameKey(n) === key ? (to === null ? [] : [to]) : [n])))];
      if (renamed.length > 0) roleMapping[value] = renamed;
    }
    await r.externalIdps.update(tenantId, idp.id, { roleMapping });
  }
}

/** Takes device group `groupId` out of every stored role of the tenant that lists it (a deleted group). */
export async function removeGroupFromRoles(r: Pick<Repos, 'roles'>, tenantId: string, groupId: number): Promise<void> {
  for (const role of await r.roles.list(tenantId)) {
    if (role.deviceGroups === 'all' || !role.deviceGroups.includes(groupId)) continue;
    await r.roles.update(tenantId, role.id, { deviceGroups: role.deviceGroups.filter((g) => g !== groupId) });
  }
}

/** The roles a user's names resolve to in a tenant (unknown names are skipped; any case). */
export async function resolveRoles(r: Pick<Repos, 'roles'>, tenantId: string, names: readonly string[]): Promise<Role[]> {
  const out = new Map<string, Role>();
  for (const n of names) {
    const role = isAdministratorRoleName(n) ? administratorRole(tenantId) : await r.roles.getByName(tenantId, n);
    if (role) out.set(role.id, role);
  }
  return [...out.values()];
}

/** A RoleLookup with a short cache, and the way to drop a tenant's entries at once. */
export interface CachedRoleLookup {
  lookup: RoleLookup;
  /** Forgets what is cached for the tenant (a change in this process). */
  invalidate(tenantId: string): void;
}

/**
 * The RoleLookup over the state store: the user's role names resolved against the tenant's roles;
 * none for an unknown or disabled user. Answers are cached for `ttlMs` per user, so a change made by
 * another process (an admin command) takes effect within that time; one made here, at once through
 * `invalidate`.
 */
export function storedRoleLookup(store: Pick<Repos, 'users' | 'roles'>, o: { ttlMs?: number; clock?: () => number } = {}): CachedRoleLookup {
  const ttlMs = o.ttlMs ?? 5_000;
  const now = o.clock ?? Date.now;
  const cache = new Map<string, Map<string, { at: number; roles: Promise<readonly UserRole[]> }>>();
  const load = async (tenantId: string, userId: string): Promise<readonly UserRole[]> => {
    const u = await store.users.get(tenantId, userId.toLowerCase());
    if (!u || u.disabled) return [];
    return (await resolveRoles(store, tenantId, u.roles)).map((r) => userRoleOf({ name: r.name, options: r.permissions, deviceGroups: r.deviceGroups }));
  };
  return {
    lookup: (tenantId, userId) => {
      let perTenant = cache.get(tenantId);
      if (!perTenant) cache.set(tenantId, (perTenant = new Map()));
      const hit = perTenant.get(userId);
      if (hit && now() - hit.at < ttlMs) return hit.roles;
      if (perTenant.size > 10_000) perTenant.clear();
      const roles = load(tenantId, userId);
      perTenant.set(userId, { at: now(), roles });
      roles.catch(() => perTenant.delete(userId));
      return roles;
    },
    invalidate: (tenantId) => {
      cache.delete(tenantId);
    },
  };
}
