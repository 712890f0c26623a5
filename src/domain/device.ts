/** Device (MDE "machine") entity, enums and the filterable field table. */
import type { EntitySetSpec } from './list-query.ts';

export const HEALTH_STATUSES = ['Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
/** What a sensor may report about itself; `Inactive` is derived from silence, never reported. */
/** The `credentialHash` of a device whose credential was revoked: no credential digests to it. */
export const REVOKED_CREDENTIAL = 'revoked';

export const SENSOR_HEALTH = ['Active', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication'] as const;
export type SensorHealth = (typeof SENSOR_HEALTH)[number];
export const ONBOARDING_STATUSES = ['Onboarded', 'CanBeOnboarded', 'Unsupported', 'InsufficientInfo'] as const;
export const RISK_SCORES = ['None', 'Informational', 'Low', 'Medium', 'High'] as const;
export const EXPOSURE_LEVELS = ['None', 'Low', 'Medium', 'High'] as const;
export const DEVICE_VALUES = ['Normal', 'Low', 'High'] as const;
export type DeviceValue = (typeof DEVICE_VALUES)[number];
export const OS_PLATFORMS = ['Windows10', 'Windows11', 'WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'Linux', 'macOS'] as const;

/** A device is Inactive when it has been silent this long (reference §10). */
export const INACTIVE_AFTER_MS = 7 * 24 * 3600 * 1000;

/** One network interface as the machine entity shows it. */
export interface DeviceIpAddress {
  ipAddress: string;
  macAddress: string | null;
  type: string | null;
  operationalStatus: string | null;
}

/** A device as stored. Datetimes are ISO-8601 UTC strings. */
export interface Device {
  tenantId: string;
  id: string;
  computerDnsName: string;
  firstSeen: string;
  lastSeen: string;
  osPlatform: string;
  osVersion: string | null;
  version: string | null;
  osProcessor: string | null;
  osArchitecture: string | null;
  osBuild: number | null;
  lastIpAddress: string | null;
  lastExternalIpAddress: string | null;
  agentVersion: string | null;
  /** What the sensor last reported; the machine's healthStatus is derived from it and lastSeen. */
  sensorHealth: SensorHealth;
  onboardingStatus: string;
  rbacGroupId: number;
  rbacGroupName: string | null;
  riskScore: string;
  exposureLevel: string | null;
  deviceValue: DeviceValue;
  aadDeviceId: string | null;
  isAadJoined: boolean;
  machineTags: string[];
  ipAddresses: DeviceIpAddress[];
  managedBy: string;
  managedByStatus: string;
  defenderAvStatus: string;
  /**
   * SHA-256 digest of the device credential (auth/secrets.ts), or REVOKED_CREDENTIAL once revoked;
   * never leaves the store layer through the API.
   */
  credentialHash: string;
}

/** Derived health: silent for 7 days → Inactive, else what the sensor reported. */
export function healthStatusOf(d: Pick<Device, 'lastSeen' | 'sensorHealth'>, now: Date = new Date()): HealthStatus {
  return now.getTime() - Date.parse(d.lastSeen) > INACTIVE_AFTER_MS ? 'Inactive' : d.sensorHealth;
}

/** $filter surface of GET /api/machines (reference §4). */
export const MACHINES_SET: EntitySetSpec = {
  name: 'Machines',
  maxTop: 10_000,
  defaultTop: 10_000,
  fields: [
    { name: 'id', type: 'string' },
    { name: 'computerDnsName', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'deviceValue', type: 'string', enumValues: DEVICE_VALUES },
    { name: 'aadDeviceId', type: 'string' },
    { name: 'machineTags', type: 'stringCollection' },
    { name: 'lastSeen', type: 'datetime' },
    { name: 'firstSeen', type: 'datetime' },
    { name: 'exposureLevel', type: 'string', enumValues: EXPOSURE_LEVELS },
    { name: 'onboardingStatus', type: 'string', enumValues: ONBOARDING_STATUSES },
    { name: 'lastIpAddress', type: 'string' },
    { name: 'lastExternalIpAddress', type: 'string' },
    { name: 'healthStatus', type: 'string', enumValues: HEALTH_STATUSES },
    { name: 'osPlatform', type: 'string' },
    { name: 'riskScore', type: 'string', enumValues: RISK_SCORES },
    { name: 'rbacGroupId', type: 'number' },
    { name: 'rbacGroupName', type: 'string' },
    { name: 'osBuild', type: 'number' },
    { name: 'agentVersion', type: 'string' },
    { name: 'isAadJoined', type: 'boolean' },
  ],
};
