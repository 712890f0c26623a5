import { describe, expect, it } from 'vitest';
import { walkRels, type Rel, type Scan } from '../ir/ir.ts';
import { planKql } from '../compile.ts';
import { TABLES } from '../../schema/registry.ts';

const opts = { tenantId: 't', deviceScope: 'all' as const, now: new Date('2024-05-01T00:00:00Z') };

function scans(kql: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  walkRels(planKql(kql, opts, TABLES), (r: Rel) => {
    if (r.k === 'scan') out[(r as Scan).table] = (r as Scan).columns.map((c) => c.name);
  });
  return out;
}

describe('column pruning', () => {
  it('reads only the columns a union pipeline uses, from every table', () => {
    expect(scans('union DeviceFileEvents, DeviceRegistryEvents | where ActionType endswith "Deleted" | summarize count() by ActionType, bin(Timestamp, 1d)'))
      .toEqual({ DeviceFileEvents: ['Timestamp', 'ActionType'], DeviceRegistryEvents: ['Timestamp', 'ActionType'] });
  });

  it('keeps filter, sort and join keys even when they are not returned', () => {
    expect(scans('DeviceProcessEvents | where FileName == "a" | order by Timestamp desc | project DeviceName')).toEqual({ DeviceProcessEvents: ['Timestamp', 'DeviceName', 'FileName'] });
    const j = scans('DeviceProcessEvents | join kind=inner (DeviceNetworkEvents) on DeviceId | project FileName, RemoteUrl');
    expect(j.DeviceProcessEvents.sort()).toEqual(['DeviceId', 'FileName']);
    expect(j.DeviceNetworkEvents.sort()).toEqual(['DeviceId', 'RemoteUrl']);
  });

  it('passes through mv-expand only what is read above it', () => {
    expect(scans('DeviceInfo | extend U = parse_json(LoggedOnUsers) | mv-expand U | summarize dcount(DeviceId) by tostring(U.UserName)'))
      .toEqual({ DeviceInfo: ['DeviceId', 'LoggedOnUsers'] });
  });

  it('keeps one column when nothing is read (count) and every column of the result', () => {
    expect(scans('DeviceInfo | count').DeviceInfo).toHaveLength(1);
    expect(scans('DeviceLogonEvents | take 5').DeviceLogonEvents).toEqual(TABLES.find((t) => t.name === 'DeviceLogonEvents')!.columns.map((c) => c.name));
  });
});
