/**
 * The contract between the sensor's work loop (its dispatcher) and the action handlers: one handler
 * per machine action type, each carrying out the action on this device through an `ActionContext`
 * the dispatcher builds per action. The dispatcher reports `InProgress` before calling `run` and the
 * handler's result (its final status) after; a handler reports only what happens in between (live
 * response's per-command status). Handlers import nothing of the runtime: everything they need from
 * it comes through the context, so each can be tested alone.
 */
import type { Readable } from 'node:stream';
import type { MachineActionType } from '../../domain/machine-action.ts';
import type { ProgressReport, ProgressResult, WireAction, WireFileInfo } from '../transport/protocol.ts';

export type { MachineActionType, ProgressReport, WireAction, WireFileInfo };

/** An indicator as the sensor holds it (the compact form `GET /sensor/v1/indicators` answers). */
export interface SensorIndicator {
  id: string;
  /** FileSha1 | FileSha256 | FileMd5 | CertificateThumbprint | IpAddress | DomainName | Url */
  type: string;
  value: string;
  /** Allowed | Audit | Warn | Block | BlockAndRemediate | Alert | AlertAndBlock */
  action: string;
  expires: string | null;
}

/** A file's SHA1, SHA256 and MD5 (lower-case hex) and size. */
export interface FileHashes {
  sha1: string;
  sha256: string;
  md5: string;
  size: number;
}

/** Hashes files, e.g. the runtime's cached image hasher shared with the process collector. */
export interface FileHasher {
  /** The hashes of the file at `path` (a /proc/PID/exe link works); null when it cannot be read. */
  hash(path: string): Promise<FileHashes | null>;
}

/** The sensor's log, as handlers use it. */
export interface ActionLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** What the runtime gives a handler for one action. */
export interface ActionContext {
  /** Posts a progress report; resolves with the action's status on the server after it (Cancelled or TimeOut mean: stop). */
  report(progress: ProgressReport): Promise<ProgressResult>;
  /** Uploads a result (`PUT /sensor/v1/actions/{id}/results/{index}`): a stream, or the path of a file to stream. */
  upload(index: number, body: Readable | { path: string }): Promise<void>;
  /** Downloads a live response library file into a private temporary place; resolves with its path. */
  fetchLibraryFile(name: string): Promise<string>;
  /** The indicators the sensor currently holds. */
  indicators(): readonly SensorIndicator[];
  /** Queues one event row for the server (through the spool), e.g. a DeviceEvents row; valid for the sensor's lifetime, not only the action's. */
  emit(table: string, row: Record<string, unknown>): void;
  /** The Palisade server as the sensor reaches it: the host (IP address or name) and TCP port. */
  serverAddress: { host: string; port: number };
  /** The sensor's state directory (root-only); handlers keep their own state below it. */
  stateDir: string;
  log: ActionLog;
  /** Aborted when the action is cancelled or times out on the server, or the sensor stops. */
  signal: AbortSignal;
}

/** How an action ended on the device. */
export interface ActionResult {
  status: 'Succeeded' | 'Failed';
  message?: string;
  errors?: string[];
  fileInfo?: WireFileInfo;
  /** Offboard: after reporting this result the runtime stops and deletes its credential. */
  offboard?: boolean;
}

/** What a handler gets to put its lasting effect back when the sensor starts. */
export type ResumeContext = Pick<ActionContext, 'emit' | 'stateDir' | 'log'>;

/** Carries out one kind of machine action on this device. */
export interface ActionHandler {
  type: MachineActionType;
  /** Carries out `action`; a thrown error is reported as Failed with its message. */
  run(action: WireAction, ctx: ActionContext): Promise<ActionResult>;
  /**
   * Called once when the sensor starts: puts back a lasting effect this handler recorded in the
   * state directory (isolation, code execution restriction), which a reboot or a restart of the
   * sensor ended. Resolves with a sentence saying what it put back, or null when there was nothing.
   */
  resume?(ctx: ResumeContext): Promise<string | null>;
}
