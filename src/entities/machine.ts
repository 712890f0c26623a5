/**
 * The MDE machine entity, declared once: its properties as MDE serializes them (key order of real
 * payloads), which of them `$filter` accepts (the filterable properties MDE documents, plus a few
 * more), and how the domain Device is stored in the `devices` table (tags in `device_tags`).
 */
import {
  DEVICE_VALUES, EXPOSURE_LEVELS, HEALTH_STATUSES, INACTIVE_AFTER_MS, ONBOARDING_STATUSES, RISK_SCORES, type Device,
} from '../domain/device.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each Device field is stored. */
const DEVICE_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  id: { column: 'id', codec: 'text', immutable: true },
  computerDnsName: { column: 'computer_dns_name', codec: 'text' },
  firstSeen: { column: 'first_seen', codec: 'instant', immutable: true },
  lastSeen: { column: 'last_seen', codec: 'instant' },
  osPlatform: { column: 'os_platform', codec: 'text' },
  osVersion: { column: 'os_version', codec: 'text', nullable: true },
  version: { column: 'version', codec: 'text', nullable: true },
  osProcessor: { column: 'os_processor', codec: 'text', nullable: true },
  osArchitecture: { column: 'os_architecture', codec: 'text', nullable: true },
  osBuild: { column: 'os_build', codec: 'integer', nullable: true },
  lastIpAddress: { column: 'last_ip_address', codec: 'text', nullable: true },
  lastExternalIpAddress: { column: 'last_external_ip_address', codec: 'text', nullable: true },
  agentVersion: { column: 'agent_version', codec: 'text', nullable: true },
  sensorHealth: { column: 'sensor_health', codec: 'text' },
  onboardingStatus: { column: 'onboarding_status', codec: 'text' },
  rbacGroupId: { column: 'rbac_group_id', codec: 'integer' },
  rbacGroupName: { column: 'rbac_group_name', codec: 'text', nullable: true },
  riskScore: { column: 'risk_score', codec: 'text' },
  exposureLevel: { column: 'exposure_level', codec: 'text', nullable: true },
  deviceValue: { column: 'device_value', codec: 'text' },
  aadDeviceId: { column: 'aad_device_id', codec: 'text', nullable: true },
  isAadJoined: { column: 'is_aad_joined', codec: 'boolean' },
  machineTags: { collection: { table: 'device_tags', links: { tenant_id: 'tenant_id', device_id: 'id' }, value: 'tag', position: 'position' } },
  ipAddresses: { column: 'ip_addresses', codec: 'json' },
  managedBy: { column: 'managed_by', codec: 'text' },
  managedByStatus: { column: 'managed_by_status', codec: 'text' },
  defenderAvStatus: { column: 'defender_av_status', codec: 'text' },
  credentialHash: { column: 'credential_hash', codec: 'text', immutable: true },
} as const satisfies StorageOf<Device>;

/** The `devices` row (kysely table type). */
export type DevicesRow = RowOf<typeof DEVICE_STORAGE>;

/** Machines: GET/PATCH /api/machines…, `#Machines`. */
export const MACHINE = defineEntity<Device>({
  set: 'Machines',
  description: 'MDE machine entity',
  table: 'devices',
  key: 'id',
  maxTop: 10_000,
  defaultTop: 10_000,
  defaultOrder: [{ field: 'lastSeen', dir: 'desc' }],
  storage: DEVICE_STORAGE,
  properties: [
    { name: 'id', type: 'string', description: 'Device id: 40 hex characters', filter: true },
    { name: 'mergedIntoMachineId', type: 'string', nullable: true, constant: null },
    { name: 'isPotentialDuplication', type: 'boolean', constant: false },
    { name: 'isExcluded', type: 'boolean', constant: false },
    { name: 'exclusionReason', type: 'string', nullable: true, constant: null },
    { name: 'computerDnsName', type: 'string', filter: { ignoreCase: true } },
    { name: 'firstSeen', type: 'datetime', filter: true },
    { name: 'lastSeen', type: 'datetime', description: 'Last report from the sensor', filter: true },
    { name: 'osPlatform', type: 'string', description: 'e.g. Windows11, WindowsServer2022, Linux, macOS', filter: true },
    { name: 'osVersion', type: 'string', nullable: true },
    { name: 'osProcessor', type: 'string', nullable: true },
    { name: 'version', type: 'string', nullable: true, filter: true },
    { name: 'lastIpAddress', type: 'string', nullable: true, filter: true },
    { name: 'lastExternalIpAddress', type: 'string', nullable: true, filter: true },
    { name: 'agentVersion', type: 'string', nullable: true, filter: true },
    { name: 'osBuild', type: 'integer', nullable: true, filter: true },
    {
      name: 'healthStatus', type: { enum: HEALTH_STATUSES }, description: 'Active, Inactive (silent 7 days), ImpairedCommunication, NoSensorData, …',
      stale: { since: 'lastSeen', afterMs: INACTIVE_AFTER_MS, value: 'Inactive', otherwise: 'sensorHealth' }, filter: true,
    },
    { name: 'deviceValue', type: { enum: DEVICE_VALUES }, filter: true },
    { name: 'rbacGroupId', type: 'integer', filter: true },
    { name: 'rbacGroupName', type: 'string', nullable: true, filter: true },
    { name: 'riskScore', type: { enum: RISK_SCORES }, nullable: true, filter: true },
    { name: 'exposureLevel', type: { enum: EXPOSURE_LEVELS }, nullable: true, filter: true },
    { name: 'isAadJoined', type: 'boolean', filter: true },
    { name: 'aadDeviceId', type: 'string', nullable: true, filter: true },
    { name: 'machineTags', type: { list: 'string' }, filter: true },
    { name: 'defenderAvStatus', type: 'string', nullable: true },
    { name: 'onboardingStatus', type: { enum: ONBOARDING_STATUSES }, filter: true },
    { name: 'osArchitecture', type: 'string', nullable: true },
    { name: 'managedBy', type: 'string', nullable: true },
    { name: 'managedByStatus', type: 'string', nullable: true },
    {
      name: 'ipAddresses',
      type: {
        list: {
          object: [
            { name: 'ipAddress', type: 'string' },
            { name: 'macAddress', type: 'string', nullable: true, description: '12 hex digits, no separators' },
            { name: 'type', type: 'string', nullable: true, description: 'e.g. Ethernet, Wireless80211' },
            { name: 'operationalStatus', type: 'string', nullable: true, description: 'e.g. Up, Down' },
          ],
        },
      },
    },
    { name: 'vmMetadata', type: 'bag', nullable: true, constant: null },
  ],
});
