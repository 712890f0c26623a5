/**
 * The disk spool: every event the sensor produces is written to a segment file under the state
 * directory before it is sent, so events produced while the server is unreachable (or across a
 * restart) are sent when it returns. A segment is one event batch: its file name is its batch id,
 * so a batch retried after a failure or a restart carries the same `X-Batch-Id` and the server
 * stores it once. The spool is bounded: past `maxBytes` the oldest segments are dropped and the
 * number of events lost is counted (`dropped`) and reported through `onDrop`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireEvent } from '../transport/protocol.ts';

/** Options of {@link DiskSpool}. */
export interface SpoolOptions {
  dir: string;
  /** Most bytes the segments on disk may take; the oldest are dropped beyond it. */
  maxBytes: number;
  /** Most events in one segment (one batch). Default 5,000. */
  maxEventsPerSegment?: number;
  /** Called after segments were dropped to stay within the bound, with the number of events lost. */
  onDrop?: (events: number, segments: number) => void;
}

/** A sealed segment waiting to be sent. */
export interface SpoolSegment {
  /** The batch id to send it with (its file name without the extension). */
  batchId: string;
  path: string;
  events: WireEvent[];
}

const SEGMENT = /^(\d{16})-([0-9a-f]{8})\.ndjson$/;

/** A bounded on-disk queue of event batches. Not safe for two processes on one directory. */
export class DiskSpool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxEvents: number;
  private readonly onDrop: (events: number, segments: number) => void;
  private pending: WireEvent[] = [];
  private seq: number;
  /** Sealed segments, oldest first, with their sizes. */
  private segments: { name: string; bytes: number; events: number }[] = [];
  private droppedEvents = 0;

  constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.maxEvents = opts.maxEventsPerSegment ?? 5000;
    this.onDrop = opts.onDrop ?? (() => {});
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir).sort()) {
      if (!SEGMENT.test(name)) continue;
      const text = readFileSync(join(this.dir, name), 'utf8');
      this.segments.push({ name, bytes: Buffer.byteLength(text), events: text.split('\n').filter(Boolean).length });
    }
    const last = this.segments.at(-1);
    this.seq = last ? Number(SEGMENT.exec(last.name)![1]) + 1 : Date.now() * 1000;
  }

  /** Queues one event; it reaches the disk at the next {@link flush} (or when a segment fills). */
  push(event: WireEvent): void {
    this.pending.push(event);
    if (this.pending.length >= this.maxEvents) this.flush();
  }

  /** Writes the queued events as a new sealed segment, then drops the oldest segments beyond the bound. */
  flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const text = events.map((e) => JSON.stringify({ table: e.table, row: e.row })).join('\n') + '\n';
    // a random part keeps batch ids unique across devices that share a clock
    const name = `${String(this.seq++).padStart(16, '0')}-${randomBytes(4).toString('hex')}.ndjson`;
    const tmp = join(this.dir, `.${name}.tmp`);
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, join(this.dir, name));
    this.segments.push({ name, bytes: Buffer.byteLength(text), events: events.length });
    this.enforceBound();
  }

  /** The oldest sealed segment, or null when none waits. */
  peek(): SpoolSegment | null {
    while (this.segments.length > 0) {
      const s = this.segments[0];
      const path = join(this.dir, s.name);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        this.segments.shift(); // removed behind our back: nothing to send
        continue;
      }
      const events: WireEvent[] = [];
      for (const line of text.split('\n')) if (line) events.push(JSON.parse(line) as WireEvent);
      return { batchId: SEGMENT.exec(s.name)![1] + '-' + SEGMENT.exec(s.name)![2], path, events };
    }
    return null;
  }

  /** Removes a segment once the server acknowledged it. */
  ack(segment: SpoolSegment): void {
    const i = this.segments.findIndex((s) => join(this.dir, s.name) === segment.path);
    if (i >= 0) this.segments.splice(i, 1);
    try {
      unlinkSync(segment.path);
    } catch {
      // already gone
    }
  }

  /** Events waiting: queued in memory plus sealed on disk. */
  get size(): number {
    return this.pending.length + this.segments.reduce((n, s) => n + s.events, 0);
  }

  /** Bytes the sealed segments take on disk. */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Events dropped so far to keep within the bound. */
  get dropped(): number {
    return this.droppedEvents;
  }

  private enforceBound(): void {
    let total = this.bytes;
    let events = 0;
    let segments = 0;
    // the newest segment always stays: it holds what just happened
    while (total > this.maxBytes && this.segments.length > 1) {
      const s = this.segments.shift()!;
      total -= s.bytes;
      events += s.events;
      segments++;
      try {
        unlinkSync(join(this.dir, s.name));
      } catch {
        // already gone
      }
    }
    if (segments > 0) {
      this.droppedEvents += events;
      this.onDrop(events, segments);
    }
  }
}
