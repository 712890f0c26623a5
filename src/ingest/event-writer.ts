/**
 * The EventWriter (domain/ports.ts) over an event store: rows the server writes itself (heartbeat
 * device state; alerts next) take the same steps as sensor lines from `validate` on (validate, stamp,
 * enrich, age; any table, sensor-written or not), become the same column-wise batch, and go through
 * the same write path (EventStore.appendEncoded, then the committed-batch feed). No text in between.
 */
import type { EventStore, EventWrite, EventWriter } from '../domain/ports.ts';
import { dateToMicros } from '../schema/datetime.ts';
import { LINE_STEPS, runLineSteps, type StepContext } from './process-body.ts';

/** Options of the writer. */
export interface EventWriterOptions {
  eventStore: EventStore;
  /** Server clock. */
  now?: () => Date;
  /** Rows older than this many days are dropped. Default: the store's `retentionDays` when it has one, else 30. */
  retentionDays?: number;
  /** Told of rows that were not stored (a server-written row failing validation is a bug worth a log line). */
  onRejected?: (w: EventWrite, rejected: { index: number; reason: string }[]) => void;
}

/** The steps of server-written rows: every line step after parse (the rows are objects already). */
const ROW_STEPS = LINE_STEPS.filter((s) => s.name !== 'parse');

/** Creates the writer. */
export function createEventWriter(opts: EventWriterOptions): EventWriter {
  const { eventStore, now = () => new Date(), onRejected } = opts;
  const retentionDays = opts.retentionDays ?? (eventStore as { retentionDays?: number }).retentionDays ?? 30;
  return {
    async write(w) {
      const { tenantId, deviceId, deviceName, rbacGroupId, batchId } = w;
      const ctx: StepContext = { identity: { tenantId, deviceId, deviceName, rbacGroupId }, nowMicros: dateToMicros(now()), retentionDays, source: 'service' };
      // The steps coerce rows in place: they work on copies, the caller's objects stay as they were.
      const inputs = w.rows.map((r) => ({ table: r.table, row: { ...r.row } }));
      const batch = runLineSteps(inputs, ROW_STEPS, ctx, (i) => ({ line: i + 1, text: JSON.stringify(w.rows[i]) }));
      if (batch.accepted > 0) await eventStore.appendEncoded({ tenantId, deviceId, batchId, rbacGroupId, tables: batch.tables });
      const rejected = batch.failures.map((f) => ({ index: f.line - 1, reason: f.reason }));
      if (rejected.length > 0) onRejected?.(w, rejected);
      return { accepted: batch.accepted, rejected };
    },
  };
}
