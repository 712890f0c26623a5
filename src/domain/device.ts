/**
 * Device (MDE "machine") record and enums. How it is stored and shown (the machine entity) is
 * declared once in src/entities/machine.ts.
 */

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

/** A device is Inactive when it has been silent this long (reference §10); healthStatus is derived from it. */
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
