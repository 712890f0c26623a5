import { describe, expect, it } from 'vitest';
import { expandIpv6, IndicatorMatcher } from './indicator-matcher.ts';
import type { CompactIndicator } from './indicator-snapshot.ts';
import { packSnapshot, unpackSnapshot } from './indicator-snapshot.ts';

const ind = (id: string, type: CompactIndicator['type'], value: string, over: Partial<CompactIndicator> = {}): CompactIndicator => ({
  id, type, value, action: 'Audit', severity: 'Medium', generateAlert: true, title: `t${id}`, groups: null, expiresAtMs: null, ...over,
});
const NET = new Set(['Timestamp', 'RemoteIP', 'RemoteUrl']);
const PROC = new Set(['Timestamp', 'SHA1', 'SHA256', 'MD5', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256', 'InitiatingProcessMD5']);

describe('IndicatorMatcher', () => {
  const m = new IndicatorMatcher([
    ind('1', 'FileSha1', 'a'.repeat(40)),
    ind('2', 'FileSha256', 'b'.repeat(64), { action: 'Block', generateAlert: false }),
    ind('3', 'FileMd5', 'c'.repeat(32), { action: 'Allowed', generateAlert: false }),
    ind('4', 'DomainName', 'example.com'),
    ind('5', 'Url', 'https://www.example.org/bad'),
    ind('6', 'IpAddress', '203.0.113.9', { groups: [7] }),
    ind('7', 'IpAddress', '2001:0db8:0000:0000:0000:0000:0000:0001', { expiresAtMs: 1000 }),
    ind('8', 'CertificateThumbprint', 'e'.repeat(40), { action: 'BlockAndRemediate', generateAlert: true, severity: 'High' }),
    ind('9', 'FileSha1', 'f'.repeat(40), { action: 'Warn', generateAlert: false }),
  ]);
  const ids = (table: string, cols: Set<string>, row: Record<string, unknown>, group = 0, now = 0) => m.match(table, cols, row, group, now).map((h) => `${h.indicatorId}:${h.entity}:${h.severity}`);

  it('matches hashes of the file and of the initiating process, case-insensitively', () => {
    expect(ids('DeviceProcessEvents', PROC, { SHA1: 'A'.repeat(40) })).toEqual(['1:subject:Medium']);
    expect(ids('DeviceImageLoadEvents', PROC, { InitiatingProcessSHA256: 'b'.repeat(64) })).toEqual(['2:initiatingProcess:Informational']);
    expect(ids('DeviceRegistryEvents', PROC, { SHA1: 'a'.repeat(40) })).toEqual([]);
  });

  it('matches the file of an antivirus detection in DeviceEvents, and no other DeviceEvents row', () => {
    const cols = new Set([...PROC, 'ActionType']);
    expect(ids('DeviceEvents', cols, { ActionType: 'AntivirusDetection', SHA1: 'A'.repeat(40) })).toEqual(['1:subject:Medium']);
    expect(ids('DeviceEvents', cols, { ActionType: 'AntivirusScanCompleted', SHA1: 'a'.repeat(40) })).toEqual([]);
    expect(ids('DeviceEvents', cols, { ActionType: 'AntivirusDetection', InitiatingProcessSHA1: 'a'.repeat(40) })).toEqual([]);
  });

  it('lets an Allowed indicator suppress the others on the same entity, and Warn without alert raise nothing', () => {
    expect(ids('DeviceFileEvents', PROC, { SHA1: 'a'.repeat(40), MD5: 'c'.repeat(32) })).toEqual([]);
    expect(ids('DeviceFileEvents', PROC, { SHA1: 'a'.repeat(40), InitiatingProcessMD5: 'c'.repeat(32) })).toEqual(['1:subject:Medium']);
    expect(ids('DeviceFileEvents', PROC, { SHA1: 'f'.repeat(40) })).toEqual([]);
  });

  it('matches a domain and its subdomains, not look-alikes', () => {
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'example.com' })).toEqual(['4:remoteUrl:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'https://a.b.Example.com/x?y' })).toEqual(['4:remoteUrl:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'notexample.com' })).toEqual([]);
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'example.com.evil.net' })).toEqual([]);
  });

  it('matches a URL as a prefix at a path boundary, whatever the scheme', () => {
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'http://WWW.example.org/bad/page' })).toEqual(['5:remoteUrl:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'www.example.org/bad' })).toEqual(['5:remoteUrl:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteUrl: 'www.example.org/badge' })).toEqual([]);
  });

  it('matches IPs within the indicator\'s device groups and before it expires; IPv6 in any spelling', () => {
    expect(ids('DeviceNetworkEvents', NET, { RemoteIP: '203.0.113.9' }, 7)).toEqual(['6:remoteIp:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteIP: '203.0.113.9' }, 0)).toEqual([]);
    expect(ids('DeviceNetworkEvents', NET, { RemoteIP: '2001:db8::1' }, 0, 999)).toEqual(['7:remoteIp:Medium']);
    expect(ids('DeviceNetworkEvents', NET, { RemoteIP: '2001:db8::1' }, 0, 1000)).toEqual([]);
  });

  it('matches the signer certificate of DeviceFileCertificateInfo', () => {
    expect(ids('DeviceFileCertificateInfo', new Set(['SHA1', 'SignerHash']), { SignerHash: 'E'.repeat(40) })).toEqual(['8:certificate:High']);
  });

  it('expands IPv6 addresses, refusing what is not one', () => {
    expect(expandIpv6('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('FE80::1%eth0')).toBe('fe80:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('::ffff:192.0.2.1')).toBe('0000:0000:0000:0000:0000:ffff:c000:0201');
    expect(expandIpv6('1::2::3')).toBeNull();
    expect(expandIpv6('10.0.0.1')).toBeNull();
  });

  it('round-trips a snapshot through shared memory', () => {
    const list = [ind('1', 'FileSha1', 'a'.repeat(40))];
    expect(unpackSnapshot(packSnapshot('t', 3, list))).toEqual(list);
  });
});
