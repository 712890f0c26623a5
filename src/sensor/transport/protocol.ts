/**
 * Sensor protocol v1 message shapes (DESIGN.md §6), as the sensor sends and receives them under
 * `/sensor/v1`. The request bodies are TypeBox schemas: the server validates every enroll and
 * heartbeat body against them before anything is written (every string and list has a bound), and
 * the client's types are derived from the same declarations.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  LIVE_RESPONSE_COMMAND_TYPES, SENSOR_REPORTED_STATUSES, type MachineActionStatus, type MachineActionType,
} from '../../domain/machine-action.ts';

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

const computerDnsName = Type.String({ minLength: 1, maxLength: LIMITS.hostName, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const osPlatform = Type.String({ minLength: 1, maxLength: LIMITS.shortText });

/** What a device says about itself when enrolling; the enrollment token comes from the package. */
export const EnrollBodySchema = Type.Object({
  enrollmentToken: Type.String({ minLength: 1, maxLength: LIMITS.enrollmentToken }),
  computerDnsName,
  osPlatform,
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
  /** The device's name and OS platform now: a change renames it and may move it to another device group. */
  computerDnsName: Type.Optional(computerDnsName),
  osPlatform: Type.Optional(osPlatform),
  osVersion: nullable(LIMITS.text),
  version: nullable(LIMITS.text),
  osBuild,
  agentVersion: nullable(LIMITS.shortText),
  ipAddresses: Type.Optional(Type.Array(WireIpAddressSchema, { maxItems: LIMITS.interfaces })),
  lastExternalIpAddress: nullable(LIMITS.shortText),
  loggedOnUsers: Type.Optional(Type.Array(WireLoggedOnUserSchema, { maxItems: LIMITS.users })),
  /** The telemetry collectors running on the device (process, network, file, logon), for DeviceInfo. */
  collectors: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), { maxItems: 16 })),
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

// ---------------------------------------------------------------------------------------------
// Machine actions (DESIGN.md §6, issue 13): the sensor long-polls `GET /sensor/v1/work` for the
// actions addressed to it, reports progress on each with `POST /sensor/v1/actions/{id}/progress`,
// uploads results with `PUT /sensor/v1/actions/{id}/results/{index}` and fetches live-response
// library files with `GET /sensor/v1/library/{fileName}`. The action kinds and statuses are the
// domain's (src/domain/machine-action.ts), spelled as MDE spells them.
// ---------------------------------------------------------------------------------------------

/** Bounds of the action protocol. */
export const ACTION_LIMITS = {
  /** Longest hold of a /work long-poll, in seconds. */
  maxWaitSeconds: 55,
  /** Hold of a /work long-poll when the request names none, in seconds. */
  defaultWaitSeconds: 25,
  /** Longest progress message. */
  message: 4096,
  /** Most error strings in one progress report. */
  errors: 32,
  /** Longest error string. */
  errorLength: 1024,
  /** Largest result upload (`PUT …/results/{index}`), in bytes. */
  resultBytes: 512 * 1024 * 1024,
  /** Most commands of one live response action. */
  commands: 25,
} as const;

const MACHINE_ACTION_TYPE_LITERALS = [
  'Isolate', 'Unisolate', 'RestrictCodeExecution', 'UnrestrictCodeExecution', 'RunAntiVirusScan',
  'CollectInvestigationPackage', 'StopAndQuarantineFile', 'Offboard', 'LiveResponse',
] as const satisfies readonly MachineActionType[];

/** One key/value parameter of a live response command (`FileName`, `ScriptName`, `Args`, `Path`). */
export const WireCommandParamSchema = Type.Object({
  key: Type.String({ minLength: 1, maxLength: LIMITS.shortText }),
  value: Type.String({ maxLength: 32_768 }),
}, { additionalProperties: false });
export type WireCommandParam = Static<typeof WireCommandParamSchema>;

/** One live response command as the sensor receives it; `index` orders them from 0. */
export const WireCommandSchema = Type.Object({
  index: Type.Integer({ minimum: 0, maximum: ACTION_LIMITS.commands - 1 }),
  type: Type.Union(LIVE_RESPONSE_COMMAND_TYPES.map((t) => Type.Literal(t))),
  params: Type.Array(WireCommandParamSchema, { maxItems: 16 }),
}, { additionalProperties: false });
export type WireCommand = Static<typeof WireCommandSchema>;

/**
 * An action as the server hands it to the sensor in a /work answer. `scope` is `Full`|`Selective`
 * for Isolate and `Quick`|`Full` for RunAntiVirusScan, else null; `sha1` is set for
 * StopAndQuarantineFile and `commands` for LiveResponse. `expiresAt` is when the server gives up
 * on it (TimeOut).
 */
export const WireActionSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }),
  type: Type.Union(MACHINE_ACTION_TYPE_LITERALS.map((t) => Type.Literal(t))),
  scope: Type.Union([Type.String({ maxLength: LIMITS.shortText }), Type.Null()]),
  comment: Type.String({ maxLength: ACTION_LIMITS.message }),
  sha1: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{40}$' })),
  commands: Type.Optional(Type.Array(WireCommandSchema, { maxItems: ACTION_LIMITS.commands })),
  /** ISO 8601 UTC. */
  createdAt: Type.String({ maxLength: 40 }),
  /** ISO 8601 UTC. */
  expiresAt: Type.String({ maxLength: 40 }),
}, { additionalProperties: false });
/** An action the sensor is to carry out. */
export type WireAction = Static<typeof WireActionSchema>;

/**
 * The query string of `GET /sensor/v1/work`, as text (query values arrive as strings): `wait`, the
 * seconds to hold the request (0–55, default 25), and `indicatorVersion`, the indicator version
 * the sensor holds (absent: it holds none).
 */
export const WorkQuerySchema = Type.Object({
  wait: Type.Optional(Type.String({ pattern: '^(?:[0-9]|[1-4][0-9]|5[0-5])$' })),
  indicatorVersion: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
}, { additionalProperties: false });
export type WorkQuery = Static<typeof WorkQuerySchema>;

/**
 * The answer to `GET /sensor/v1/work` (200): the device's actions that are Pending or not yet
 * acknowledged (an action is acknowledged by its first progress report), and the tenant's current
 * indicator version (when it exceeds the sensor's, the sensor syncs `GET /sensor/v1/indicators`).
 */
export const WorkResultSchema = Type.Object({
  actions: Type.Array(WireActionSchema),
  indicatorVersion: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type WorkResult = Static<typeof WorkResultSchema>;

/** What the sensor learned about a file it acted on (StopAndQuarantineFile, GetFile). */
export const WireFileInfoSchema = Type.Object({
  sha1: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{40}$' })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
  path: Type.Optional(Type.String({ maxLength: ACTION_LIMITS.message })),
}, { additionalProperties: false });
export type WireFileInfo = Static<typeof WireFileInfoSchema>;

/**
 * Body of `POST /sensor/v1/actions/{id}/progress`. `status` moves the action forward only
 * (Pending → InProgress → Succeeded|Failed). For LiveResponse, `commandIndex` with `commandStatus`
 * reports one command (its start when `commandStatus` is absent, its end otherwise), `errors` its
 * errors.
 */
export const ProgressReportSchema = Type.Object({
  status: Type.Union(SENSOR_REPORTED_STATUSES.map((s) => Type.Literal(s))),
  message: Type.Optional(Type.String({ maxLength: ACTION_LIMITS.message })),
  commandIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: ACTION_LIMITS.commands - 1 })),
  commandStatus: Type.Optional(Type.Union([Type.Literal('Completed'), Type.Literal('Failed')])),
  errors: Type.Optional(Type.Array(Type.String({ maxLength: ACTION_LIMITS.errorLength }), { maxItems: ACTION_LIMITS.errors })),
  fileInfo: Type.Optional(WireFileInfoSchema),
}, { additionalProperties: false });
/** A progress report. */
export type ProgressReport = Static<typeof ProgressReportSchema>;

/**
 * The answer to a progress report (200): the action's status after it. `Cancelled` or `TimeOut`
 * mean the report was ignored and the sensor is to stop working on the action.
 */
export interface ProgressResult {
  status: MachineActionStatus;
}

/** One indicator in the list `GET /sensor/v1/indicators` answers (the compact form the sensor enforces). */
export interface WireIndicator {
  id: string;
  /** FileSha1 | FileSha256 | FileMd5 | CertificateThumbprint | IpAddress | DomainName | Url */
  type: string;
  value: string;
  /** Allowed | Audit | Warn | Block | BlockAndRemediate | Alert | AlertAndBlock */
  action: string;
  /** ISO 8601 UTC, or null for never. */
  expires: string | null;
}

/**
 * The answer to `GET /sensor/v1/indicators?since=V` (200): the whole list (`full`: replace what is
 * held) or the changes since version V (`indicators` added or changed, `removed` ids to forget).
 */
export interface IndicatorListResult {
  version: number;
  full: boolean;
  indicators: WireIndicator[];
  removed: string[];
}
