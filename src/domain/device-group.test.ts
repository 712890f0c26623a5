import { describe, expect, it } from 'vitest';
import { membershipOf, nameAndDomain, ruleMatches, UNGROUPED_ID, wildcardMatch, type DeviceGroup, type DeviceGroupRule, type GroupedDevice } from './device-group.ts';

const rule = (over: Partial<DeviceGroupRule>): DeviceGroupRule => ({ names: [], domains: [], tags: [], osPlatforms: [], ...over });
const group = (id: number, rank: number, r: Partial<DeviceGroupRule>): DeviceGroup => ({
  tenantId: 't', id, name: `g${id}`, description: null, rank, remediationLevel: 'Full remediation', rule: rule(r), createdAt: '2025-01-01T00:00:00.000Z',
});
const dev = (computerDnsName: string, osPlatform = 'Linux', machineTags: string[] = []): GroupedDevice => ({ computerDnsName, osPlatform, machineTags });

describe('wildcardMatch', () => {
  it('compares whole values ignoring case, with * as a prefix, suffix or both', () => {
    expect(wildcardMatch('WEB01', 'web01')).toBe(true);
    expect(wildcardMatch('web', 'web01')).toBe(false);
    expect(wildcardMatch('web*', 'Web01')).toBe(true);
    expect(wildcardMatch('*01', 'web01')).toBe(true);
    expect(wildcardMatch('*01', 'web02')).toBe(false);
    expect(wildcardMatch('*eb0*', 'web01')).toBe(true);
    expect(wildcardMatch('*', 'anything')).toBe(true);
    expect(wildcardMatch('w*1', 'web01')).toBe(false);
  });
  it('splits a DNS name into the computer name and its domain', () => {
    expect(nameAndDomain('web01.corp.example.com')).toEqual({ name: 'web01', domain: 'corp.example.com' });
    expect(nameAndDomain('laptop')).toEqual({ name: 'laptop', domain: '' });
  });
});

describe('ruleMatches', () => {
  it('ORs the values of one property', () => {
    const r = rule({ names: ['web*', 'db*'] });
    expect(ruleMatches(r, dev('web1.corp'))).toBe(true);
    expect(ruleMatches(r, dev('db7.corp'))).toBe(true);
    expect(ruleMatches(r, dev('mail.corp'))).toBe(false);
  });
  it('ANDs the properties present', () => {
    const r = rule({ domains: ['*.eu.example.com'], osPlatforms: ['Windows11', 'Linux'], tags: ['prod*'] });
    expect(ruleMatches(r, dev('a.paris.eu.example.com', 'linux', ['Production']))).toBe(true);
    expect(ruleMatches(r, dev('a.paris.eu.example.com', 'macOS', ['Production']))).toBe(false);
    expect(ruleMatches(r, dev('a.paris.eu.example.com', 'Linux', ['test']))).toBe(false);
    expect(ruleMatches(r, dev('a.nyc.us.example.com', 'Linux', ['Production']))).toBe(false);
  });
  it('matches a tag against any of the device tags, and no rule without a condition', () => {
    expect(ruleMatches(rule({ tags: ['pci'] }), dev('x', 'Linux', ['finance', 'PCI']))).toBe(true);
    expect(ruleMatches(rule({}), dev('x'))).toBe(false);
  });
});

describe('membershipOf', () => {
  const groups = [group(7, 2, { osPlatforms: ['Linux'] }), group(3, 1, { names: ['srv*'] }), group(9, 3, { tags: ['vip'] })];
  it('gives the first matching group by rank, whatever the list order', () => {
    expect(membershipOf(dev('srv1', 'Linux'), groups)).toEqual({ rbacGroupId: 3, rbacGroupName: 'g3' });
    expect(membershipOf(dev('ws1', 'Linux', ['vip']), groups)).toEqual({ rbacGroupId: 7, rbacGroupName: 'g7' });
    expect(membershipOf(dev('ws1', 'macOS', ['VIP']), groups)).toEqual({ rbacGroupId: 9, rbacGroupName: 'g9' });
  });
  it('leaves a device no rule matches ungrouped', () => {
    expect(membershipOf(dev('ws1', 'macOS'), groups)).toEqual({ rbacGroupId: UNGROUPED_ID, rbacGroupName: null });
    expect(membershipOf(dev('ws1'), [])).toEqual({ rbacGroupId: UNGROUPED_ID, rbacGroupName: null });
  });
});
