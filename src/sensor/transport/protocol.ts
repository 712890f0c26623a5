/**
 * Sensor protocol v1 message shapes (DESIGN.md §6), as the sensor sends and receives them under
 * `/sensor/v1`. The request bodies are TypeBox schemas: the server validates every enroll and
 * heartbeat body against them before anything is written (every string and list has a bound), and
 * the client's types are derived from the same declarations.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Bounds of the protocol's strings and lists. */
export const LIMITS = {
  hostName: 255,
  shortText: 64,
  text: 256,
  tag: 200,
  tags: 64,
  interfaces: 64,
  users: 64,
  enrollmentToken: 256,
} as const;

const text = (maxLength: number) => Type.String({ maxLength });
const nullable = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
const osBuild = Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }), Type.Null()]));

/** One network interface as reported to the server (MDE's machine `ipAddresses` entry). */
export const WireIpAddressSchema = Type.Object({
  ipAddress: Type.String({ minLength: 1, maxLength: LIMITS.shortText }),
  /** 12 upper-case hex digits, no separators. */
  macAddress: nullable(32),
  type: nullable(LIMITS.shortText),
  operationalStatus: nullable(LIMITS.shortText),
}, { additionalProperties: false });
export type WireIpAddress = Static<typeof WireIpAddressSchema>;

/** What a device says about itself when enrolling; the enrollment token comes from the package. */
export const EnrollBodySchema = Type.Object({
  enrollmentToken: Type.String({ minLength: 1, maxLength: LIMITS.enrollmentToken }),
  computerDnsName: Type.String({ minLength: 1, maxLength: LIMITS.hostName, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  osPlatform: Type.String({ minLength: 1, maxLength: LIMITS.shortText }),
  osVersion: nullable(LIMITS.text),
  version: nullable(LIMITS.text),
  osBuild,
  osArchitecture: nullable(32),
  osProcessor: nullable(32),
  agentVersion: nullable(LIMITS.shortText),
  ipAddresses: Type.Optional(Type.Array(WireIpAddressSchema, { maxItems: LIMITS.interfaces })),
  lastExternalIpAddress: nullable(LIMITS.shortText),
  aadDeviceId: nullable(LIMITS.shortText),
  machineTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tag }), { maxItems: LIMITS.tags })),
}, { additionalProperties: false });
/** An enroll request body. */
export type EnrollBody = Static<typeof EnrollBodySchema>;
/** What the client sends besides the token it reads from the onboarding package. */
export type EnrollInfo = Omit<EnrollBody, 'enrollmentToken'>;

/** A user signed in on the device, as DeviceInfo's LoggedOnUsers lists them. */
export const WireLoggedOnUserSchema = Type.Object({
  UserName: Type.String({ minLength: 1, maxLength: LIMITS.text }),
  DomainName: Type.Optional(text(LIMITS.text)),
  Sid: Type.Optional(text(LIMITS.text)),
}, { additionalProperties: false });
export type WireLoggedOnUser = Static<typeof WireLoggedOnUserSchema>;

/** A heartbeat: health plus whatever changed. */
export const HeartbeatSchema = Type.Object({
  sensorHealth: Type.Optional(Type.Union([
    Type.Literal('Active'), Type.Literal('ImpairedCommunication'), Type.Literal('NoSensorData'), Type.Literal('NoSensorDataImpairedCommunication'),
  ])),
  osVersion: nullable(LIMITS.text),
  version: nullable(LIMITS.text),
  osBuild,
  agentVersion: nullable(LIMITS.shortText),
  ipAddresses: Type.Optional(Type.Array(WireIpAddressSchema, { maxItems: LIMITS.interfaces })),
  lastExternalIpAddress: nullable(LIMITS.shortText),
  loggedOnUsers: Type.Optional(Type.Array(WireLoggedOnUserSchema, { maxItems: LIMITS.users })),
}, { additionalProperties: false });
/** A heartbeat body. */
export type Heartbeat = Static<typeof HeartbeatSchema>;

/** The server's answer to a successful enrollment (201). */
export interface EnrollResult {
  deviceId: string;
  deviceCredential: string;
  tenantId: string;
  heartbeatIntervalSeconds: number;
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
