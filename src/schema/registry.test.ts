import { describe, expect, it } from 'vitest';
import { TABLES, getTable } from './registry.ts';

describe('table registry', () => {
  it('declares the twelve MDE device and alert tables', () => {
    expect(TABLES.map((t) => t.name).sort()).toEqual([
      'AlertEvidence', 'AlertInfo', 'DeviceEvents', 'DeviceFileCertificateInfo', 'DeviceFileEvents',
      'DeviceImageLoadEvents', 'DeviceInfo', 'DeviceLogonEvents', 'DeviceNetworkEvents', 'DeviceNetworkInfo',
      'DeviceProcessEvents', 'DeviceRegistryEvents',
    ]);
  });

  it('looks tables up case-sensitively', () => {
    expect(getTable('DeviceProcessEvents')?.name).toBe('DeviceProcessEvents');
    expect(getTable('deviceprocessevents')).toBeUndefined();
    expect(getTable('Nope')).toBeUndefined();
  });

  it('starts every table with a datetime Timestamp and has unique, described columns', () => {
    for (const t of TABLES) {
      expect(t.columns[0]).toMatchObject({ name: 'Timestamp', type: 'datetime' });
      const names = t.columns.map((c) => c.name);
      expect(new Set(names).size, t.name).toBe(names.length);
      for (const c of t.columns) expect(c.description.length, `${t.name}.${c.name}`).toBeGreaterThan(5);
    }
  });

  it('applies the MDE type rules to every column', () => {
    for (const t of TABLES) {
      for (const c of t.columns) {
        const where = `${t.name}.${c.name}`;
        if (c.name === 'Timestamp' || c.name.endsWith('Time')) expect(c.type, where).toBe('datetime');
        else if (/Port$/.test(c.name)) expect(c.type, where).toBe('int');
        else if (/^Is[A-Z]/.test(c.name)) expect(c.type, where).toBe('bool');
        else if (/(^|[a-z])(ProcessId|ParentId|FileSize|LogonId|SessionId)$/.test(c.name) || ['ReportId', 'OSBuild', 'FileSize', 'LogonId', 'ProcessId'].includes(c.name)) {
          expect(c.type, where).toBe('long');
        }
      }
    }
  });

  it('expands the IPACCT/IPVER/IPRDP/PRDP abbreviations in place', () => {
    const names = getTable('DeviceProcessEvents')!.columns.map((c) => c.name);
    const i = names.indexOf('LogonId');
    expect(names.slice(i + 1, i + 7)).toEqual([
      'InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'InitiatingProcessAccountSid',
      'InitiatingProcessAccountUpn', 'InitiatingProcessAccountObjectId', 'InitiatingProcessLogonId',
    ]);
    expect(names.slice(-8)).toEqual([
      'InitiatingProcessSessionId', 'IsInitiatingProcessRemoteSession', 'InitiatingProcessRemoteSessionDeviceName',
      'InitiatingProcessRemoteSessionIP', 'CreatedProcessSessionId', 'IsProcessRemoteSession',
      'ProcessRemoteSessionDeviceName', 'ProcessRemoteSessionIP',
    ]);
    expect(names).toContain('InitiatingProcessVersionInfoFileDescription');
    expect(names).toHaveLength(66);
  });

  it('keeps JSON payload columns as MDE ships them', () => {
    const type = (t: string, c: string) => getTable(t)!.columns.find((x) => x.name === c)?.type;
    expect(type('DeviceEvents', 'AdditionalFields')).toBe('dynamic');
    expect(type('DeviceNetworkEvents', 'AdditionalFields')).toBe('dynamic');
    expect(type('DeviceLogonEvents', 'AdditionalFields')).toBe('dynamic');
    expect(type('DeviceProcessEvents', 'AdditionalFields')).toBe('string');
    expect(type('DeviceInfo', 'LoggedOnUsers')).toBe('string');
    expect(type('DeviceNetworkInfo', 'IPAddresses')).toBe('string');
    expect(type('DeviceFileCertificateInfo', 'CrlDistributionPointUrls')).toBe('string');
    expect(type('AlertEvidence', 'ApplicationId')).toBe('int');
  });
});
