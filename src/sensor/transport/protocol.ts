/**
 * Sensor protocol v1 message shapes (DESIGN.md §6), as the sensor sends and receives them under
 * `/sensor/v1`. The server side lives in services/sensor-gateway.ts and api/; these are the client's
 * own declarations of the same wire format.
 */

/** One network interface as reported to the server (MDE's machine `ipAddresses` entry). */
export interface WireIpAddress {
  ipAddress: string;
  /** 12 upper-case hex digits, no separators. */
  macAddress: string | null;
  type: string | null;
  operationalStatus: string | null;
}

/** What a device says about itself when enrolling (the enrollment token comes from the package). */
export interface EnrollInfo {
  computerDnsName: string;
  osPlatform: string;
  osVersion?: string | null;
  version?: string | null;
  osBuild?: number | null;
  osArchitecture?: string | null;
  osProcessor?: string | null;
  agentVersion?: string | null;
  ipAddresses?: WireIpAddress[];
  lastExternalIpAddress?: string | null;
  aadDeviceId?: string | null;
  machineTags?: string[];
}

/** The server's answer to a successful enrollment (201). */
export interface EnrollResult {
  deviceId: string;
  deviceCredential: string;
  tenantId: string;
  heartbeatIntervalSeconds: number;
}

/** A user signed in on the device, as DeviceInfo's LoggedOnUsers lists them. */
export interface WireLoggedOnUser {
  UserName: string;
  DomainName?: string;
  Sid?: string;
}

/** A heartbeat: health plus whatever changed. */
export interface Heartbeat {
  sensorHealth: 'Active' | 'ImpairedCommunication' | 'NoSensorData' | 'NoSensorDataImpairedCommunication';
  osVersion?: string | null;
  osBuild?: number | null;
  agentVersion?: string | null;
  ipAddresses?: WireIpAddress[];
  lastExternalIpAddress?: string | null;
  loggedOnUsers?: WireLoggedOnUser[];
}

/** The server's answer to a heartbeat (200). */
export interface HeartbeatResult {
  heartbeatIntervalSeconds: number;
}

/** One event line of a batch: the advanced-hunting table and its row. */
export interface WireEvent {
  table: string;
  row: Record<string, unknown>;
}

/** The server's answer to an event batch (200). `duplicate` means the batch id was already stored. */
export interface EventsResult {
  batchId: string;
  accepted: number;
  rejected: { line: number; reason: string }[];
  duplicate: boolean;
}

/** Credentials a device presents after enrollment: `Authorization: Device <deviceId>:<credential>`. */
export interface DeviceCredentials {
  deviceId: string;
  deviceCredential: string;
}
