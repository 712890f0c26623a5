/**
 * An ActionContext for running the sensor's action handlers without a server: progress reports,
 * uploads and emitted events are recorded; library files come from a local folder.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ActionContext, ProgressReport, SensorIndicator } from '../../../src/sensor/actions/handler.ts';

/** What a recording context saw. */
export interface Recorded {
  reports: ProgressReport[];
  /** Upload index → the file it was saved to. */
  uploads: Map<number, string>;
  events: { table: string; row: Record<string, unknown> }[];
  logs: string[];
}

/** Options of {@link recordingContext}. */
export interface RecordingOptions {
  stateDir: string;
  /** Where uploads are saved. */
  uploadDir: string;
  /** Where library files are looked up by name. */
  libraryDir?: string;
  serverAddress?: { host: string; port: number };
  indicators?: SensorIndicator[];
  signal?: AbortSignal;
  /** The status the "server" answers to reports. Default: the reported one. */
  answer?: () => string;
}

/** A context that records everything a handler does through it. */
export function recordingContext(opts: RecordingOptions): { ctx: ActionContext; seen: Recorded } {
  const seen: Recorded = { reports: [], uploads: new Map(), events: [], logs: [] };
  const ctx: ActionContext = {
    async report(p) {
      seen.reports.push(p);
      return { status: (opts.answer?.() ?? p.status) as never };
    },
    async upload(index, body) {
      await mkdir(opts.uploadDir, { recursive: true });
      const to = join(opts.uploadDir, `result-${index}`);
      const from = 'path' in body && typeof body.path === 'string' && !('pipe' in body) ? createReadStream(body.path) : body as NodeJS.ReadableStream;
      await pipeline(from, createWriteStream(to));
      seen.uploads.set(index, to);
    },
    async fetchLibraryFile(name) {
      if (!opts.libraryDir) throw new Error(`no library file ${name}`);
      await mkdir(opts.stateDir, { recursive: true });
      const to = join(opts.stateDir, `lib-${name}`);
      await copyFile(join(opts.libraryDir, name), to);
      return to;
    },
    indicators: () => opts.indicators ?? [],
    emit: (table, row) => { seen.events.push({ table, row }); },
    serverAddress: opts.serverAddress ?? { host: '127.0.0.1', port: 1 },
    stateDir: opts.stateDir,
    log: {
      info: (m, f) => { seen.logs.push(`info ${m} ${JSON.stringify(f ?? {})}`); },
      warn: (m, f) => { seen.logs.push(`warn ${m} ${JSON.stringify(f ?? {})}`); },
    },
    signal: opts.signal ?? new AbortController().signal,
  };
  return { ctx, seen };
}
