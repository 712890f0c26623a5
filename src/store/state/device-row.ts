/**
 * Mapping between the domain Device and its `devices` row (tags live in `device_tags`). Every
 * Device field except `machineTags` has exactly one column; values round-trip unchanged, with
 * datetimes normalised to the canonical instant form on the way in.
 */
import type { Device, DeviceIpAddress, SensorHealth, DeviceValue } from '../../domain/device.ts';
import type { DevicePatch } from '../../domain/ports.ts';
import type { DevicesTable } from './db-schema.ts';
import { canonicalInstant } from './instant.ts';

type ColumnKey = Exclude<keyof Device, 'machineTags'>;

/** Device field → `devices` column, for every field stored in the devices row. */
export const DEVICE_COLUMNS: { readonly [K in ColumnKey]: keyof DevicesTable } = {
  tenantId: 'tenant_id',
  id: 'id',
  computerDnsName: 'computer_dns_name',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  osPlatform: 'os_platform',
  osVersion: 'os_version',
  version: 'version',
  osProcessor: 'os_processor',
  osArchitecture: 'os_architecture',
  osBuild: 'os_build',
  lastIpAddress: 'last_ip_address',
  lastExternalIpAddress: 'last_external_ip_address',
  agentVersion: 'agent_version',
  sensorHealth: 'sensor_health',
  onboardingStatus: 'onboarding_status',
  rbacGroupId: 'rbac_group_id',
  rbacGroupName: 'rbac_group_name',
  riskScore: 'risk_score',
  exposureLevel: 'exposure_level',
  deviceValue: 'device_value',
  aadDeviceId: 'aad_device_id',
  isAadJoined: 'is_aad_joined',
  ipAddresses: 'ip_addresses',
  managedBy: 'managed_by',
  managedByStatus: 'managed_by_status',
  defenderAvStatus: 'defender_av_status',
  credentialHash: 'credential_hash',
};

/** Fields a DevicePatch may never change, even when a caller smuggles them in at runtime. */
const IMMUTABLE = new Set<string>(['tenantId', 'id', 'firstSeen', 'credentialHash']);

/** Converts one field value to its column value. */
function toColumnValue(key: ColumnKey, value: unknown): unknown {
  switch (key) {
    case 'firstSeen':
    case 'lastSeen':
      return canonicalInstant(value as string);
    case 'isAadJoined':
      return value ? 1 : 0;
    case 'ipAddresses':
      return JSON.stringify(value);
    default:
      return value;
  }
}

/** The `devices` row of a device (tags excluded). */
export function deviceToRow(d: Device): DevicesTable {
  const row: Record<string, unknown> = {};
  for (const key of Object.keys(DEVICE_COLUMNS) as ColumnKey[]) {
    const value = d[key];
    if (value === undefined) throw new TypeError(`device ${d.id}: field ${key} is missing`);
    row[DEVICE_COLUMNS[key]] = toColumnValue(key, value);
  }
  return row as unknown as DevicesTable;
}

/** The column updates a patch asks for (machineTags and immutable fields excluded). */
export function patchToColumns(patch: DevicePatch): Partial<DevicesTable> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || IMMUTABLE.has(key) || !Object.hasOwn(DEVICE_COLUMNS, key)) continue;
    const k = key as ColumnKey;
    out[DEVICE_COLUMNS[k]] = toColumnValue(k, value);
  }
  return out as Partial<DevicesTable>;
}

/** The device of a row plus its tags (in stored order). */
export function rowToDevice(r: DevicesTable, machineTags: string[]): Device {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    computerDnsName: r.computer_dns_name,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    osPlatform: r.os_platform,
    osVersion: r.os_version,
    version: r.version,
    osProcessor: r.os_processor,
    osArchitecture: r.os_architecture,
    osBuild: r.os_build === null ? null : Number(r.os_build),
    lastIpAddress: r.last_ip_address,
    lastExternalIpAddress: r.last_external_ip_address,
    agentVersion: r.agent_version,
    sensorHealth: r.sensor_health as SensorHealth,
    onboardingStatus: r.onboarding_status,
    rbacGroupId: Number(r.rbac_group_id),
    rbacGroupName: r.rbac_group_name,
    riskScore: r.risk_score,
    exposureLevel: r.exposure_level,
    deviceValue: r.device_value as DeviceValue,
    aadDeviceId: r.aad_device_id,
    isAadJoined: Boolean(Number(r.is_aad_joined)),
    machineTags,
    ipAddresses: JSON.parse(r.ip_addresses) as DeviceIpAddress[],
    managedBy: r.managed_by,
    managedByStatus: r.managed_by_status,
    defenderAvStatus: r.defender_av_status,
    credentialHash: r.credential_hash,
  };
}

/** A tag list as a set: duplicates dropped, first occurrence kept, order preserved. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
