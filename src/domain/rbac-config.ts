/**
 * An RBAC configuration file (`palisade admin rbac apply FILE`; examples in docs/examples/rbac/): a
 * tenant's device groups in rank order, its roles (device groups named, not numbered) and its users
 * with their roles. `parseRbacConfig` checks the file's shape and that every name it refers to is
 * declared in it (or exists: groups and roles already in the tenant are looked up when applied).
 */
import { errors } from './errors.ts';

/** A device group as the file declares it; its rank is its place in the list. */
export interface RbacConfigGroup {
  name: string;
  description?: string | null;
  remediationLevel?: string;
  rule: { names?: string[]; domains?: string[]; tags?: string[]; osPlatforms?: string[] };
}

/** A role as the file declares it: device groups by name (`UnassignedGroup` = the ungrouped devices) or 'all'. */
export interface RbacConfigRole {
  name: string;
  description?: string | null;
  permissions: string[];
  deviceGroups: 'all' | string[];
}

/** A user as the file declares it. */
export interface RbacConfigUser {
  userPrincipalName: string;
  displayName?: string;
  roles: string[];
}

/** A whole configuration. */
export interface RbacConfig {
  description?: string;
  deviceGroups: RbacConfigGroup[];
  roles: RbacConfigRole[];
  users: RbacConfigUser[];
}

/** The name a role's `deviceGroups` uses for the ungrouped devices (MDE's MachineGroup for them). */
export const UNGROUPED_NAME = 'UnassignedGroup';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(path: string, v: unknown, optional = false): string[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x.trim())) throw errors.invalidBody(`'${path}' must be a list of non-empty strings`);
  return (v as string[]).map((x) => x.trim());
}

function name(path: string, v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) throw errors.invalidBody(`'${path}' must be a non-empty string`);
  return v.trim();
}

function list(path: string, v: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw errors.invalidBody(`'${path}' must be a list`);
  return v;
}

/** Reads a configuration; throws InvalidRequestBody naming the first problem (a path like `roles/2/deviceGroups`). */
export function parseRbacConfig(v: unknown): RbacConfig {
  if (!isObject(v)) throw errors.invalidBody('An RBAC configuration is a JSON object with deviceGroups, roles and users');
  const deviceGroups = list('deviceGroups', v.deviceGroups).map((g, i): RbacConfigGroup => {
    if (!isObject(g) || !isObject(g.rule)) throw errors.invalidBody(`'deviceGroups/${i}' needs a name and a rule`);
    return {
      name: name(`deviceGroups/${i}/name`, g.name),
      description: typeof g.description === 'string' ? g.description : null,
      remediationLevel: typeof g.remediationLevel === 'string' ? g.remediationLevel : undefined,
      rule: {
        names: strings(`deviceGroups/${i}/rule/names`, g.rule.names, true), domains: strings(`deviceGroups/${i}/rule/domains`, g.rule.domains, true),
        tags: strings(`deviceGroups/${i}/rule/tags`, g.rule.tags, true), osPlatforms: strings(`deviceGroups/${i}/rule/osPlatforms`, g.rule.osPlatforms, true),
      },
    };
  });
  const roles = list('roles', v.roles).map((r, i): RbacConfigRole => {
    if (!isObject(r)) throw errors.invalidBody(`'roles/${i}' must be an object`);
    return {
      name: name(`roles/${i}/name`, r.name),
      description: typeof r.description === 'string' ? r.description : null,
      permissions: strings(`roles/${i}/permissions`, r.permissions, true),
      deviceGroups: r.deviceGroups === 'all' ? 'all' : strings(`roles/${i}/deviceGroups`, r.deviceGroups, true),
    };
  });
  const users = list('users', v.users).map((u, i): RbacConfigUser => {
    if (!isObject(u)) throw errors.invalidBody(`'users/${i}' must be an object`);
    return {
      userPrincipalName: name(`users/${i}/userPrincipalName`, u.userPrincipalName),
      displayName: typeof u.displayName === 'string' ? u.displayName : undefined,
      roles: strings(`users/${i}/roles`, u.roles, true),
    };
  });
  for (const [what, names] of [['device group', deviceGroups.map((g) => g.name)], ['role', roles.map((r) => r.name)], ['user', users.map((u) => u.userPrincipalName)]] as const) {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n.toLowerCase())) throw errors.invalidBody(`The ${what} '${n}' is declared twice`);
      seen.add(n.toLowerCase());
    }
  }
  return { description: typeof v.description === 'string' ? v.description : undefined, deviceGroups, roles, users };
}
