import { describe, expect, it } from 'vitest';
import { EnrollBodySchema, HeartbeatSchema } from '../transport/protocol.ts';
import { Value } from '@sinclair/typebox/value';
import { enrollInfo, heartbeatOf, inventoryRows, parseOsRelease, parseUtmpUsers, protocolHostName, takeInventory } from './inventory.ts';

function utmpRecord(type: number, user: string): Buffer {
  const b = Buffer.alloc(384);
  b.writeInt16LE(type, 0);
  b.write(user, 44, 'utf8');
  return b;
}

describe('inventory', () => {
  it('parses os-release, quoted or not', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# comment\nPRETTY_NAME=\'Debian 12\'\n')).toEqual({
      NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian', PRETTY_NAME: 'Debian 12',
    });
  });

  it('reads the users of USER_PROCESS records of utmp, each once', () => {
    const buf = Buffer.concat([utmpRecord(2, 'reboot'), utmpRecord(7, 'alice'), utmpRecord(8, 'gone'), utmpRecord(7, 'bob'), utmpRecord(7, 'alice')]);
    expect(parseUtmpUsers(buf)).toEqual(['alice', 'bob']);
  });

  it('makes host names the enroll schema accepts', () => {
    expect(protocolHostName('web 01.example.com')).toBe('web-01.example.com');
    expect(protocolHostName('-x')).toBe('x');
    expect(protocolHostName('***')).toBe('linux-host');
  });

  it('builds enroll and heartbeat bodies the protocol schemas accept, and DeviceInfo naming the collectors', () => {
    const inv = takeInventory();
    expect(Value.Check(EnrollBodySchema, { enrollmentToken: 't', ...enrollInfo(inv) })).toBe(true);
    expect(Value.Check(HeartbeatSchema, heartbeatOf(inv, ['process', 'logon']))).toBe(true);
    const rows = inventoryRows(inv, new Date('2026-01-01T00:00:00Z'), ['process', 'file']);
    const info = rows.find((r) => r.table === 'DeviceInfo')!;
    expect(info.row.OSPlatform).toBe('Linux');
    expect(JSON.parse(String(info.row.AdditionalFields))).toMatchObject({ Collectors: ['process', 'file'], KernelRelease: inv.kernelRelease });
    expect(rows.filter((r) => r.table === 'DeviceNetworkInfo')).toHaveLength(inv.interfaces.length);
  });
});
