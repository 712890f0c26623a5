/**
 * Machine actions (MDE response actions, reference §2.2, §3.4): what a caller asks a device to do,
 * and the durable lifecycle each request goes through — Pending → InProgress → Succeeded | Failed,
 * or TimeOut when it expires undelivered or unfinished, or Cancelled by a caller while not final.
 * The sensor learns of actions through the action protocol (src/sensor/transport/protocol.ts).
 * How an action is stored and shown is declared once in src/entities/machine-action.ts.
 * Pure types and functions; no I/O.
 */

/** The kinds of action, spelled as MDE's `type`. */
export const MACHINE_ACTION_TYPES = [
  'Isolate', 'Unisolate', 'RestrictCodeExecution', 'UnrestrictCodeExecution', 'RunAntiVirusScan',
  'CollectInvestigationPackage', 'StopAndQuarantineFile', 'Offboard', 'LiveResponse',
] as const;
/** A kind of action. */
export type MachineActionType = (typeof MACHINE_ACTION_TYPES)[number];

/** An action's status, as MDE spells it. */
export const MACHINE_ACTION_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'] as const;
export type MachineActionStatus = (typeof MACHINE_ACTION_STATUSES)[number];

/** The statuses after which nothing changes. */
export const FINAL_ACTION_STATUSES: readonly MachineActionStatus[] = ['Succeeded', 'Failed', 'TimeOut', 'Cancelled'];

/** The statuses a sensor may report (the server alone sets TimeOut and Cancelled). */
export const SENSOR_REPORTED_STATUSES = ['InProgress', 'Succeeded', 'Failed'] as const;
export type SensorReportedStatus = (typeof SENSOR_REPORTED_STATUSES)[number];

/** Isolation kinds (`IsolationType`, echoed as `scope`). MDE's `UnManagedDevice` needs a device Palisade does not manage, so it is refused. */
export const ISOLATION_TYPES = ['Full', 'Selective'] as const;
export type IsolationType = (typeof ISOLATION_TYPES)[number];

/** Antivirus scan kinds (`ScanType`, echoed as `scope`). */
export const SCAN_TYPES = ['Quick', 'Full'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

/** Live response command kinds. */
export const LIVE_RESPONSE_COMMAND_TYPES = ['PutFile', 'RunScript', 'GetFile'] as const;
export type LiveResponseCommandType = (typeof LIVE_RESPONSE_COMMAND_TYPES)[number];

/** The parameter each command kind requires (`Args` of RunScript is optional). */
export const LIVE_RESPONSE_REQUIRED_PARAM: Readonly<Record<LiveResponseCommandType, string>> = {
  PutFile: 'FileName',
  RunScript: 'ScriptName',
  GetFile: 'Path',
};

/** A live response command's status (`commands[].commandStatus`); a started command keeps `Created` with its `startTime` set. */
export const COMMAND_STATUSES = ['Created', 'Completed', 'Failed'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** One live response command with its progress (MDE's `commands[]` entry). */
export interface ActionCommand {
  index: number;
  startTime: string | null;
  endTime: string | null;
  commandStatus: CommandStatus;
  errors: string[];
  command: { type: LiveResponseCommandType; params: { key: string; value: string }[] };
}

/** The file an action is about (StopAndQuarantineFile): MDE's `relatedFileInfo`. */
export interface RelatedFileInfo {
  fileIdentifier: string;
  fileIdentifierType: 'Sha1' | 'Sha256' | 'Md5';
}

/** Where a request came from (MDE's `requestSource`): the public API, or a custom detection rule. */
export type ActionRequestSource = 'PublicApi' | 'CustomDetection';

/** A stored machine action. Times are ISO 8601 UTC strings. */
export interface MachineAction {
  tenantId: string;
  /** A GUID. */
  id: string;
  type: MachineActionType;
  /** `Full`/`Selective` for Isolate, `Quick`/`Full` for RunAntiVirusScan, else null. */
  scope: string | null;
  /** The app's client id or the user's UPN; for a detection rule's action, the rule's id. */
  requestor: string;
  requestorComment: string;
  requestSource: ActionRequestSource;
  externalId: string | null;
  title: string | null;
  status: MachineActionStatus;
  machineId: string;
  computerDnsName: string | null;
  /** The device group of the machine when the action was created (for device-group scoping). */
  rbacGroupId: number;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
  cancellationRequestor: string | null;
  cancellationComment: string | null;
  cancellationDateTimeUtc: string | null;
  /** 0 while all is well; a failure's HRESULT-like code otherwise (see ACTION_HRESULT). */
  errorHResult: number;
  relatedFileInfo: RelatedFileInfo | null;
  commands: ActionCommand[];
  /** When the server stops waiting for the device and marks the action TimeOut. */
  expiresAt: string;
  /** Whether the sensor acknowledged it (its first progress report). */
  acknowledged: boolean;
  /** The sensor's last progress message, if any (Palisade's addition, shown as `statusMessage`). */
  statusMessage: string | null;
  /** Hashes/path the sensor reported for the file it acted on. */
  fileInfo: { sha1?: string; sha256?: string; path?: string } | null;
}

/** `errorHResult` values Palisade sets: MDE's for a timed out and a cancelled action (from its samples), and E_FAIL for a failed one. */
export const ACTION_HRESULT = {
  ok: 0,
  timeOut: -2145844840,
  cancelled: -2147467260,
  failed: -2147467259,
} as const;

/** Whether an action can still change. */
export function isFinal(status: MachineActionStatus): boolean {
  return FINAL_ACTION_STATUSES.includes(status);
}

/** The order of statuses along the lifecycle: a report may only move an action to a higher rank. */
const STATUS_RANK: Readonly<Record<MachineActionStatus, number>> = {
  Pending: 0, InProgress: 1, Succeeded: 2, Failed: 2, TimeOut: 2, Cancelled: 2,
};

/** Whether `to` is a forward move from `from` (Pending → InProgress → final; a final status never moves). */
export function isForward(from: MachineActionStatus, to: MachineActionStatus): boolean {
  return !isFinal(from) && STATUS_RANK[to] > STATUS_RANK[from];
}

/** The default time an action waits for its device before TimeOut: 72 h, live response's 3 days. */
export const DEFAULT_ACTION_EXPIRY_HOURS = 72;
