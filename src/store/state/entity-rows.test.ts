import { describe, expect, it } from 'vitest';
import type { Device } from '../../domain/device.ts';
import { MACHINE } from '../../entities/machine.ts';
import type { DevicesTable } from './db-schema.ts';
import { normalizeTags } from './device-repo.ts';
import { patchToColumns as patchOf, recordToRow, rowToRecord } from './entity-rows.ts';

const deviceToRow = (d: Device) => recordToRow<Device, DevicesTable>(MACHINE.decl, d);
const rowToDevice = (r: DevicesTable, machineTags: string[]) => rowToRecord<Device, DevicesTable>(MACHINE.decl, r, { machineTags });
const patchToColumns = (p: Partial<Device>) => patchOf<Device, DevicesTable>(MACHINE.decl, p);

const device: Device = {
  tenantId: 't', id: 'a'.repeat(40), computerDnsName: 'pc-1.contoso.com', firstSeen: '2025-01-01T00:00:00.000Z',
  lastSeen: '2025-06-01T10:20:30.400Z', osPlatform: 'Linux', osVersion: null, version: null, osProcessor: 'x64',
  osArchitecture: '64-bit', osBuild: 0, lastIpAddress: '10.1.1.1', lastExternalIpAddress: null, agentVersion: '1.2.3',
  sensorHealth: 'NoSensorData', onboardingStatus: 'Onboarded', rbacGroupId: 0, rbacGroupName: null, riskScore: 'Low',
  exposureLevel: null, deviceValue: 'High', aadDeviceId: null, isAadJoined: false, machineTags: ['b', 'a'],
  ipAddresses: [{ ipAddress: '10.1.1.1', macAddress: 'AABBCCDDEEFF', type: 'Ethernet', operationalStatus: 'Up' }],
  managedBy: 'Palisade', managedByStatus: 'Success', defenderAvStatus: 'Updated', credentialHash: 'scrypt$x',
};

describe('entity rows (the machine declaration)', () => {
  it('round-trips every field, with booleans as 0/1 and ip addresses as JSON', () => {
    const row = deviceToRow(device);
    expect(row.is_aad_joined).toBe(0);
    expect(JSON.parse(row.ip_addresses)).toEqual(device.ipAddresses);
    expect(deviceToRow({ ...device, isAadJoined: true }).is_aad_joined).toBe(1);
    expect(rowToDevice(row, ['b', 'a'])).toEqual(device);
  });

  it('refuses a device with a missing field rather than storing undefined', () => {
    const broken = { ...device } as Partial<Device>;
    delete broken.osPlatform;
    expect(() => deviceToRow(broken as Device)).toThrow(/osPlatform/);
  });

  it('turns a patch into column updates, never touching identity or credentials', () => {
    expect(patchToColumns({ deviceValue: 'Low', lastSeen: '2025-06-02T00:00:00Z', isAadJoined: true, machineTags: ['x'] }))
      .toEqual({ device_value: 'Low', last_seen: '2025-06-02T00:00:00.000Z', is_aad_joined: 1 });
    expect(patchToColumns({ tenantId: 'u', id: 'x', firstSeen: '2020-01-01Z', credentialHash: 'y' } as never)).toEqual({});
    expect(patchToColumns({ osBuild: null, rbacGroupName: undefined })).toEqual({ os_build: null });
  });

  it('normalises tag lists to sets in first-seen order', () => {
    expect(normalizeTags(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });
});
