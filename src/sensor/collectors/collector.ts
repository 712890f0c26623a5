/**
 * The contract of a telemetry collector: started with an `emit` that queues one row of an
 * advanced-hunting table (through the spool), stopped when the sensor stops.
 */

/** Queues one event row for the server. The runtime adds Timestamp (when absent) and ReportId. */
export type Emit = (table: string, row: Record<string, unknown>) => void;

/** The sensor's log as collectors use it. */
export interface CollectorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** One source of telemetry. */
export interface Collector {
  /** Its name as DeviceInfo's `Collectors` lists it (process, network, file, logon). */
  readonly name: string;
  /** Starts collecting; resolves once it runs (rejects when it cannot run here). */
  start(emit: Emit, log: CollectorLog): Promise<void>;
  /** Stops collecting and releases what it holds (child processes, watches, timers). */
  stop(): Promise<void>;
}
