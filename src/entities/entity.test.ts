import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../domain/errors.ts';
import type { Device } from '../domain/device.ts';
import type { EntityDecl } from './declaration.ts';
import { defineEntity } from './entity.ts';
import { MACHINE } from './machine.ts';

const NOW = new Date('2025-06-15T12:00:00.000Z');
const DAY = 86_400_000;

const device: Device = {
  tenantId: 't', id: 'a'.repeat(40), computerDnsName: 'pc-1.contoso.com', firstSeen: '2025-01-01T00:00:00.000Z',
  lastSeen: '2025-06-15T10:20:30.400Z', osPlatform: 'Linux', osVersion: null, version: null, osProcessor: 'x64',
  osArchitecture: '64-bit', osBuild: 0, lastIpAddress: '10.1.1.1', lastExternalIpAddress: null, agentVersion: '1.2.3',
  sensorHealth: 'NoSensorData', onboardingStatus: 'Onboarded', rbacGroupId: 0, rbacGroupName: null, riskScore: 'Low',
  exposureLevel: null, deviceValue: 'High', aadDeviceId: null, isAadJoined: false, machineTags: ['b', 'a'],
  ipAddresses: [{ ipAddress: '10.1.1.1', macAddress: 'AABBCCDDEEFF', type: 'Ethernet', operationalStatus: 'Up', extra: 'dropped' } as Device['ipAddresses'][number]],
  managedBy: 'Palisade', managedByStatus: 'Success', defenderAvStatus: 'Updated', credentialHash: 'scrypt$x',
};

function errorOf(fn: () => unknown): PalisadeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PalisadeError);
    return e as PalisadeError;
  }
  throw new Error('expected an error');
}

describe('the machine entity', () => {
  it('writes every property in MDE key order, constants and derived values included, and no stored-only field', () => {
    const json = MACHINE.json(device, NOW);
    expect(Object.keys(json)).toEqual(MACHINE.decl.properties.map((p) => p.name));
    expect(Object.keys(json).slice(0, 6)).toEqual(['id', 'mergedIntoMachineId', 'isPotentialDuplication', 'isExcluded', 'exclusionReason', 'computerDnsName']);
    expect(json).toMatchObject({ mergedIntoMachineId: null, isPotentialDuplication: false, vmMetadata: null, healthStatus: 'NoSensorData', osBuild: 0 });
    expect(json.firstSeen).toBe('2025-01-01T00:00:00Z');
    expect(json.lastSeen).toBe('2025-06-15T10:20:30.4Z');
    expect(json.ipAddresses).toEqual([{ ipAddress: '10.1.1.1', macAddress: 'AABBCCDDEEFF', type: 'Ethernet', operationalStatus: 'Up' }]);
    for (const hidden of ['tenantId', 'sensorHealth', 'credentialHash']) expect(json).not.toHaveProperty(hidden);
  });

  it('derives healthStatus: Inactive only when silent for more than seven days', () => {
    const at = (ageMs: number) => MACHINE.json({ ...device, lastSeen: new Date(NOW.getTime() - ageMs).toISOString() }, NOW).healthStatus;
    expect(at(7 * DAY)).toBe('NoSensorData');
    expect(at(7 * DAY + 1)).toBe('Inactive');
  });

  it('derives the OData entity set from the filterable properties', () => {
    const fields = Object.fromEntries(MACHINE.set.fields.map((f) => [f.name, f]));
    expect(MACHINE.set).toMatchObject({ name: 'Machines', maxTop: 10_000, defaultTop: 10_000 });
    expect(Object.keys(fields).sort()).toEqual([
      'aadDeviceId', 'agentVersion', 'computerDnsName', 'deviceValue', 'exposureLevel', 'firstSeen', 'healthStatus', 'id', 'isAadJoined',
      'lastExternalIpAddress', 'lastIpAddress', 'lastSeen', 'machineTags', 'onboardingStatus', 'osBuild', 'osPlatform', 'rbacGroupId',
      'rbacGroupName', 'riskScore', 'version',
    ]);
    expect(fields.machineTags.type).toBe('stringCollection');
    expect(fields.lastSeen.type).toBe('datetime');
    expect(fields.osBuild.type).toBe('number');
    expect(fields.isAadJoined.type).toBe('boolean');
    expect(fields.healthStatus.enumValues).toContain('Inactive');
    expect(fields.riskScore.enumValues).toEqual(['None', 'Informational', 'Low', 'Medium', 'High']);
  });

  it('derives response schemas that require every property, with nullable and enum types', () => {
    const item = MACHINE.schemas.item as unknown as { required: string[]; properties: Record<string, { type: unknown; enum?: unknown[]; format?: string }> };
    expect(item.required).toEqual(MACHINE.decl.properties.map((p) => p.name));
    expect(item.properties.osBuild.type).toEqual(['integer', 'null']);
    expect(item.properties.deviceValue).toMatchObject({ type: 'string', enum: ['Normal', 'Low', 'High'] });
    expect(item.properties.riskScore).toMatchObject({ type: ['string', 'null'], enum: ['None', 'Informational', 'Low', 'Medium', 'High', null] });
    expect(item.properties.firstSeen).toMatchObject({ type: 'string', format: 'date-time' });
    expect(item.properties.vmMetadata.type).toEqual(['object', 'null']);
  });

  it('honours $select: canonical names in declaration order, or everything for *', () => {
    const sel = MACHINE.selection(['HealthStatus', 'id', 'computerdnsname', 'id']);
    expect(sel).toEqual(['id', 'computerDnsName', 'healthStatus']);
    expect(MACHINE.json(device, NOW, sel)).toEqual({ id: device.id, computerDnsName: 'pc-1.contoso.com', healthStatus: 'NoSensorData' });
    expect(MACHINE.context(sel)).toBe('Machines(id,computerDnsName,healthStatus)');
    expect(MACHINE.selection(['*', 'id'])).toBeNull();
    expect(MACHINE.selection(undefined)).toBeNull();
    expect(MACHINE.context(null)).toBe('Machines');
    expect(errorOf(() => MACHINE.selection(['credentialHash'])).message).toMatch(/Could not find a property named 'credentialHash' on Machines to select/);
    expect(errorOf(() => MACHINE.selection(['ipAddresses/ipAddress'])).message).toMatch(/nested property/);
  });
});

/** A small record to show what the declaration checks. */
interface Note {
  tenantId: string;
  id: string;
  createdAt: string;
  text: string | null;
  labels: string[];
}

const NOTE: EntityDecl<Note> = {
  set: 'Notes',
  description: 'a note',
  table: 'notes',
  key: 'id',
  maxTop: 100,
  defaultTop: 50,
  defaultOrder: [{ field: 'createdAt', dir: 'desc' }],
  storage: {
    tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
    id: { column: 'id', codec: 'text', immutable: true },
    createdAt: { column: 'created_at', codec: 'instant' },
    text: { column: 'text', codec: 'text', nullable: true },
    labels: { collection: { table: 'note_labels', links: { tenant_id: 'tenant_id', note_id: 'id' }, value: 'label', position: 'position' } },
  },
  properties: [
    { name: 'id', type: 'string', filter: { operators: ['eq', 'in'] } },
    { name: 'createdAt', type: 'datetime', filter: true },
    { name: 'body', field: 'text', type: 'string', nullable: true, filter: { sortable: false } },
    { name: 'labels', type: { list: 'string' }, filter: true },
    { name: 'kind', type: 'string', constant: 'note' },
  ],
};

describe('defineEntity', () => {
  it('derives any entity: renamed fields, operator and sort restrictions, constants', () => {
    const notes = defineEntity(NOTE);
    expect(notes.set.fields).toEqual([
      { name: 'id', type: 'string', operators: ['eq', 'in'] },
      { name: 'createdAt', type: 'datetime' },
      { name: 'body', type: 'string', sortable: false },
      { name: 'labels', type: 'stringCollection' },
    ]);
    expect(notes.json({ tenantId: 't', id: 'n1', createdAt: '2025-01-01T00:00:00.000Z', text: null, labels: ['x'] }, NOW))
      .toEqual({ id: 'n1', createdAt: '2025-01-01T00:00:00Z', body: null, labels: ['x'], kind: 'note' });
  });

  it('refuses declarations that cannot be right', () => {
    const bad = (over: Partial<EntityDecl<Note>>, msg: RegExp) => expect(() => defineEntity({ ...NOTE, ...over })).toThrow(msg);
    bad({ properties: [...NOTE.properties, { name: 'missing', type: 'string' }] }, /reads missing, which the record does not store/);
    bad({ properties: [...NOTE.properties, { name: 'ID', type: 'string' }] }, /declared twice/);
    bad({ properties: [{ name: 'createdAt', type: 'string', filter: true }] }, /is "string" but createdAt is stored as instant/);
    bad({ properties: [{ name: 'kind', type: 'string', constant: 'x', filter: true }] }, /constant and cannot be filterable/);
    bad({ properties: [{ name: 'x', field: 'text', constant: 1, type: 'integer' }] }, /more than one value source/);
    bad({ properties: [{ name: 'h', type: 'string', stale: { since: 'text', afterMs: 1, value: 'Old', otherwise: 'id' } }] }, /text must be a non-null instant column/);
    bad({ defaultOrder: [{ field: 'body', dir: 'asc' }] }, /default order body is not a sortable property/);
    bad({ key: 'labels' }, /key labels must be a non-null column/);
    bad({ defaultTop: 500 }, /defaultTop exceeds maxTop/);
  });
});
