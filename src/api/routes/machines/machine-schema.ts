/**
 * JSON schemas of the machine entity and its OData envelopes: they document the responses in the
 * OpenAPI document and let Fastify serialize them with a compiled serializer. Keep in step with
 * machine-json.ts (the shape test compares both with real MDE payloads).
 */
import { Type, type TSchema } from '@sinclair/typebox';

const nullable = (type: 'string' | 'integer' | 'boolean', description?: string): TSchema =>
  Type.Unsafe({ type: [type, 'null'], ...(description ? { description } : {}) });

export const IpAddressSchema = Type.Object({
  ipAddress: Type.String(),
  macAddress: nullable('string', '12 hex digits, no separators'),
  type: nullable('string', 'e.g. Ethernet, Wireless80211'),
  operationalStatus: nullable('string', 'e.g. Up, Down'),
});

/** Properties of an MDE machine, in MDE's key order. */
const machineProps = {
  id: Type.String({ description: 'Device id: 40 hex characters' }),
  mergedIntoMachineId: nullable('string'),
  isPotentialDuplication: Type.Boolean(),
  isExcluded: Type.Boolean(),
  exclusionReason: nullable('string'),
  computerDnsName: Type.String(),
  firstSeen: Type.String({ format: 'date-time' }),
  lastSeen: Type.String({ format: 'date-time', description: 'Last report from the sensor' }),
  osPlatform: Type.String({ description: 'e.g. Windows11, WindowsServer2022, Linux, macOS' }),
  osVersion: nullable('string'),
  osProcessor: nullable('string'),
  version: nullable('string'),
  lastIpAddress: nullable('string'),
  lastExternalIpAddress: nullable('string'),
  agentVersion: nullable('string'),
  osBuild: nullable('integer'),
  healthStatus: Type.String({ description: 'Active, Inactive (silent 7 days), ImpairedCommunication, NoSensorData, …' }),
  deviceValue: Type.String({ enum: ['Normal', 'Low', 'High'] }),
  rbacGroupId: Type.Integer(),
  rbacGroupName: nullable('string'),
  riskScore: nullable('string'),
  exposureLevel: nullable('string'),
  isAadJoined: Type.Boolean(),
  aadDeviceId: nullable('string'),
  machineTags: Type.Array(Type.String()),
  defenderAvStatus: nullable('string'),
  onboardingStatus: Type.String(),
  osArchitecture: nullable('string'),
  managedBy: nullable('string'),
  managedByStatus: nullable('string'),
  ipAddresses: Type.Array(IpAddressSchema),
  vmMetadata: Type.Unsafe({ type: ['object', 'null'], additionalProperties: true }),
};

export const MachineSchema = Type.Object(machineProps, { description: 'MDE machine entity' });

/** A single machine with its `@odata.context`. */
export const MachineEntitySchema = Type.Object({ '@odata.context': Type.String(), ...machineProps });

/** A page of machines. */
export const MachineCollectionSchema = Type.Object({
  '@odata.context': Type.String(),
  '@odata.count': Type.Optional(Type.Integer()),
  value: Type.Array(MachineSchema),
  '@odata.nextLink': Type.Optional(Type.String()),
});
