/**
 * Applying an RBAC configuration (domain/rbac-config.ts) to a tenant: device groups in the file's
 * order take ranks 1..n (groups the file does not name keep theirs, after), roles and users are
 * created or brought to what the file says, by name. Applying the same file again changes nothing
 * (and records nothing). Every name the file refers to is checked before the first change, and each
 * change goes through the users, roles and device-group use cases, so it is authorized and audited
 * like any other.
 */
import type { Ctx } from '../domain/context.ts';
import type { DeviceGroup } from '../domain/device-group.ts';
import { errors } from '../domain/errors.ts';
import { UNGROUPED_NAME, type RbacConfig } from '../domain/rbac-config.ts';
import { isAdministratorRoleName } from '../domain/role.ts';
import { isRolePermissionOption } from '../domain/role-permissions.ts';
import type { DeviceGroupService } from './device-groups.ts';
import type { RoleService } from './roles.ts';
import type { UserService } from './users.ts';

/** What applying did to one named thing. */
export interface ApplyOutcome {
  name: string;
  result: 'created' | 'updated' | 'unchanged';
}

/** The report of one application; a created user comes with its generated password (shown once). */
export interface ApplyReport {
  deviceGroups: ApplyOutcome[];
  roles: ApplyOutcome[];
  users: (ApplyOutcome & { password?: string })[];
}

const key = (s: string) => s.trim().toLowerCase();
const sameList = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify([...a].map(String).sort()) === JSON.stringify([...b].map(String).sort());

/** Applies RBAC configurations through the settings use cases. */
export class RbacConfigService {
  constructor(private readonly s: { users: UserService; roles: RoleService; deviceGroups: DeviceGroupService }) {}

  /** Brings the tenant of `ctx` to `config` (idempotent). */
  async apply(ctx: Ctx, config: RbacConfig): Promise<ApplyReport> {
    const { users, roles, deviceGroups } = this.s;
    // every reference resolves before anything changes
    const groupNames = new Set([...config.deviceGroups.map((g) => key(g.name)), ...(await deviceGroups.list(ctx)).map((g) => key(g.name)), key(UNGROUPED_NAME)]);
    const roleNames = new Set([...config.roles.map((r) => key(r.name)), ...(await roles.list(ctx)).map((r) => key(r.name))]);
    for (const r of config.roles) {
      if (isAdministratorRoleName(r.name)) throw errors.badRequest(`'${r.name}' is the built-in role; it cannot be declared`);
      for (const p of r.permissions) if (!isRolePermissionOption(p)) throw errors.invalidBody(`Role '${r.name}': '${p}' is not a role permission option`);
      if (r.deviceGroups !== 'all') for (const g of r.deviceGroups) if (!groupNames.has(key(g))) throw errors.invalidBody(`Role '${r.name}' names the device group '${g}', which is neither in the file nor in the tenant`);
    }
    for (const u of config.users) for (const r of u.roles) if (!roleNames.has(key(r))) throw errors.invalidBody(`User '${u.userPrincipalName}' holds the role '${r}', which is neither in the file nor in the tenant`);

    const report: ApplyReport = { deviceGroups: [], roles: [], users: [] };
    for (const [i, g] of config.deviceGroups.entries()) {
      const rank = i + 1;
      const rule = { names: g.rule.names ?? [], domains: g.rule.domains ?? [], tags: g.rule.tags ?? [], osPlatforms: g.rule.osPlatforms ?? [] };
      const level = g.remediationLevel ?? 'Full remediation';
      const found = (await deviceGroups.list(ctx)).find((x) => key(x.name) === key(g.name));
      if (!found) {
        await deviceGroups.create(ctx, { name: g.name, description: g.description ?? null, rank, remediationLevel: level, rule });
        report.deviceGroups.push({ name: g.name, result: 'created' });
        continue;
      }
      const same = found.rank === rank && found.remediationLevel === level && (found.description ?? null) === (g.description ?? null)
        && (Object.keys(rule) as (keyof typeof rule)[]).every((k) => JSON.stringify(found.rule[k]) === JSON.stringify(rule[k]));
      if (!same) await deviceGroups.update(ctx, String(found.id), { rank, remediationLevel: level, description: g.description ?? null, rule });
      report.deviceGroups.push({ name: g.name, result: same ? 'unchanged' : 'updated' });
    }

    const groups: DeviceGroup[] = await deviceGroups.list(ctx);
    const idOf = (n: string) => (key(n) === key(UNGROUPED_NAME) ? 0 : groups.find((g) => key(g.name) === key(n))!.id);
    const existingRoles = await roles.list(ctx);
    for (const r of config.roles) {
      const wanted = { name: r.name, description: r.description ?? null, permissions: [...new Set(r.permissions)], deviceGroups: r.deviceGroups === 'all' ? 'all' as const : [...new Set(r.deviceGroups.map(idOf))].sort((a, b) => a - b) };
      const found = existingRoles.find((x) => key(x.name) === key(r.name));
      if (!found) {
        await roles.create(ctx, wanted);
        report.roles.push({ name: r.name, result: 'created' });
        continue;
      }
      const same = found.name === wanted.name && found.description === wanted.description && sameList(found.permissions, wanted.permissions)
        && (found.deviceGroups === 'all' || wanted.deviceGroups === 'all' ? found.deviceGroups === wanted.deviceGroups : sameList(found.deviceGroups, wanted.deviceGroups));
      if (!same) await roles.update(ctx, found.id, wanted);
      report.roles.push({ name: r.name, result: same ? 'unchanged' : 'updated' });
    }

    const existingUsers = await users.list(ctx);
    const allRoles = await roles.list(ctx);
    const roleName = (n: string) => allRoles.find((x) => key(x.name) === key(n))!.name;
    for (const u of config.users) {
      const wantedRoles = [...new Set(u.roles.map(roleName))];
      const found = existingUsers.find((x) => key(x.userPrincipalName) === key(u.userPrincipalName));
      if (!found) {
        const made = await users.create(ctx, { userPrincipalName: u.userPrincipalName, displayName: u.displayName, roles: wantedRoles });
        report.users.push({ name: u.userPrincipalName, result: 'created', ...(made.generatedPassword ? { password: made.generatedPassword } : {}) });
        continue;
      }
      const displayName = u.displayName?.trim() || found.displayName;
      const same = sameList(found.roles, wantedRoles) && found.displayName === displayName;
      if (!same) await users.update(ctx, found.id, { roles: wantedRoles, displayName });
      report.users.push({ name: u.userPrincipalName, result: same ? 'unchanged' : 'updated' });
    }
    return report;
  }
}
