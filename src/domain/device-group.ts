/**
 * Device groups (MDE's RBAC, reference §9): ranked groups whose matching rules place each device of a
 * tenant in exactly one group. Rank 1 is tried first; the first group whose rule matches wins; a
 * device no rule matches is ungrouped (rbacGroupId 0). Everything here is pure.
 */
import type { Device } from './device.ts';

/** The rbacGroupId of devices no group matches ("Ungrouped devices (default)"). */
export const UNGROUPED_ID = 0;

/** MDE's remediation levels of a device group, spelled as MDE shows them (reference §9). */
export const REMEDIATION_LEVELS = [
  'No automated response',
  'Semi - approval required for all folders',
  'Semi - approval required for non-temporary folders',
  'Semi - approval required for system folders',
  'Full remediation',
] as const;
/** One remediation level. */
export type RemediationLevel = (typeof REMEDIATION_LEVELS)[number];

/** MDE's limit of values per rule property. */
export const MAX_RULE_VALUES = 10;

/**
 * A group's matching rule. Each property is a list of values, any of which may match (OR); the
 * properties that are present must all match (AND); an empty list places no condition. `names`,
 * `domains` and `tags` accept a `*` at the start and/or end as a wildcard; all comparisons ignore case.
 */
export interface DeviceGroupRule {
  /** The device's computer name: the first label of computerDnsName. */
  names: string[];
  /** The device's domain: computerDnsName after its first label ('' when it has none). */
  domains: string[];
  /** Any of the device's machineTags. */
  tags: string[];
  /** The device's osPlatform (exact, any case). */
  osPlatforms: string[];
}

/** A device group of a tenant as stored. */
export interface DeviceGroup {
  tenantId: string;
  /** rbacGroupId: a positive integer, unique in the tenant (0 is the ungrouped default). */
  id: number;
  name: string;
  description: string | null;
  /** 1 = tried first; ranks of a tenant are 1..n without gaps. */
  rank: number;
  remediationLevel: RemediationLevel;
  rule: DeviceGroupRule;
  createdAt: string;
}

/** What a device's group is decided on. */
export type GroupedDevice = Pick<Device, 'computerDnsName' | 'osPlatform' | 'machineTags'>;

/** The group a device belongs to: its id and name (null name for the ungrouped default). */
export interface Membership {
  rbacGroupId: number;
  rbacGroupName: string | null;
}

/** True when `value` matches `pattern` (case-insensitive; `*` at either end is a wildcard). */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  const head = p.startsWith('*');
  const tail = p.length > 1 && p.endsWith('*');
  const core = p.slice(head ? 1 : 0, tail ? -1 : undefined);
  if (head && tail) return v.includes(core);
  if (head) return v.endsWith(core);
  if (tail) return v.startsWith(core);
  return v === core;
}

/** Splits a computerDnsName into the computer name and the domain. */
export function nameAndDomain(computerDnsName: string): { name: string; domain: string } {
  const dot = computerDnsName.indexOf('.');
  return dot < 0 ? { name: computerDnsName, domain: '' } : { name: computerDnsName.slice(0, dot), domain: computerDnsName.slice(dot + 1) };
}

/** True when the rule has at least one condition. */
export function ruleHasCondition(rule: DeviceGroupRule): boolean {
  return rule.names.length + rule.domains.length + rule.tags.length + rule.osPlatforms.length > 0;
}

/** True when every present property of the rule has a value matching the device; a rule without conditions matches nothing. */
export function ruleMatches(rule: DeviceGroupRule, d: GroupedDevice): boolean {
  if (!ruleHasCondition(rule)) return false;
  const { name, domain } = nameAndDomain(d.computerDnsName);
  const any = (values: readonly string[], test: (v: string) => boolean) => values.length === 0 || values.some(test);
  return any(rule.names, (p) => wildcardMatch(p, name))
    && any(rule.domains, (p) => wildcardMatch(p, domain))
    && any(rule.tags, (p) => d.machineTags.some((t) => wildcardMatch(p, t)))
    && any(rule.osPlatforms, (os) => os.toLowerCase() === d.osPlatform.toLowerCase());
}

/** The group of a device: the lowest-ranked group whose rule matches it, else the ungrouped default. */
export function membershipOf(d: GroupedDevice, groups: readonly DeviceGroup[]): Membership {
  const hit = [...groups].sort((a, b) => a.rank - b.rank).find((g) => ruleMatches(g.rule, d));
  return hit ? { rbacGroupId: hit.id, rbacGroupName: hit.name } : { rbacGroupId: UNGROUPED_ID, rbacGroupName: null };
}
