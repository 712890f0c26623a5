/**
 * The line steps of the ingest pipeline, declared once as a list (LINE_STEPS: parse → validate →
 * stamp → enrich → age → match) over a step context, and the batch they make of a request body: decode (no I/O
 * beyond decompression), the line steps, then the valid lines encoded column by column. The result
 * (ProcessedBatch) has one shape whichever thread runs it — the event loop or an ingest worker
 * (line-worker.ts) — and is what the write step hands the event store. Each step runs over every
 * line still in play and is timed once per batch (timing each line costs more than some steps).
 */
import { evidenceColumns, type RowMatch } from '../detect/indicator-matcher.ts';
import type { IndicatorSnapshot } from '../detect/indicator-snapshot.ts';
import type { EncodedTable } from '../domain/ports.ts';
import { decodeBody, decodeBodySync, splitLines, type BodyLimits } from './decode-body.ts';
import { encodeLines } from './encode-table.ts';
import { enrichLine } from './enrich.ts';
import { matchLine } from './match.ts';
import { stampLine, type DeviceIdentity } from './stamp.ts';
import { STEP_NAMES, deadLetter, drop, ok, type StepName, type StepResult } from './step.ts';
import { parseLine, validateLine, type RawLine, type ValidLine } from './validate-line.ts';

/**
 * What every step may read: who sent the batch, the server clock, the retention, and the snapshot
 * (by version) of the tenant's indicators to match. Plain data, so it crosses to worker threads (the
 * snapshot's bytes are shared memory, not copied).
 */
export interface StepContext {
  identity: DeviceIdentity;
  /** Server clock in microseconds since the epoch. */
  nowMicros: bigint;
  retentionDays: number;
  /** Who wrote the rows: a sensor (default; only sensor tables) or the server itself (EventWriter). */
  source?: 'sensor' | 'service';
  /** The tenant's active indicators; absent or empty: nothing to match. */
  indicators?: IndicatorSnapshot | null;
}

/** What the steps need besides the body. */
export interface ProcessOptions extends StepContext, BodyLimits {}

/** One line step: its name and what it does to one line's value. */
export interface LineStep {
  name: StepName;
  run(value: unknown, ctx: StepContext): StepResult<unknown>;
}

function step<I, O>(name: StepName, run: (value: I, ctx: StepContext) => StepResult<O>): LineStep {
  return { name, run: run as LineStep['run'] };
}

function ageLine(v: ValidLine, ctx: StepContext): StepResult<ValidLine> {
  return ctx.nowMicros - v.ts > BigInt(ctx.retentionDays) * 86_400_000_000n ? drop(`Timestamp is older than the ${ctx.retentionDays}-day retention`) : ok(v);
}

/** The line steps, in order: each takes what the previous one made (the first, a line's text). */
export const LINE_STEPS: readonly LineStep[] = [
  step<string, RawLine>('parse', (text) => parseLine(text)),
  step<RawLine, ValidLine>('validate', (raw, ctx) => validateLine(raw, ctx.nowMicros, ctx.source)),
  step<ValidLine, ValidLine>('stamp', (v, ctx) => stampLine(v, ctx.identity)),
  step<ValidLine, ValidLine>('enrich', (v) => enrichLine(v)),
  step<ValidLine, ValidLine>('age', ageLine),
  step<ValidLine, ValidLine>('match', matchLine),
];

/** A line that did not make it. */
export interface LineFailure {
  /** 1-based line number in the body (or 1-based row index for EventWriter rows). */
  line: number;
  step: StepName;
  kind: 'drop' | 'dead-letter';
  reason: string;
  /** The line as received, cut to MAX_FAILURE_TEXT characters. */
  text: string;
}

/** The batch the steps made: its valid lines column by column, and what was refused. */
export interface ProcessedBatch {
  /** Lines (or rows) that entered the line steps. */
  lines: number;
  /** Lines that passed every step. */
  accepted: number;
  /** The accepted lines, one EncodedTable per table, each in Timestamp order. */
  tables: EncodedTable[];
  /** Lines that did not pass, in line order. */
  failures: LineFailure[];
  /** Accepted rows that matched indicators raising alerts, in line order. */
  matches: RowMatch[];
  /** Milliseconds per step; encoding counts as the start of `write`. */
  stepMs: Record<StepName, number>;
}

/** Longest failed-line text kept (reported back and dead-lettered). */
export const MAX_FAILURE_TEXT = 4096;

/** Zero milliseconds for every step. */
export function zeroTimings(): Record<StepName, number> {
  return Object.fromEntries(STEP_NAMES.map((s) => [s, 0])) as Record<StepName, number>;
}

/**
 * One step over one line. A step that throws (a bug, or input no check foresaw) fails that line
 * alone: the rest of the batch is stored, and the sensor is not left retrying a batch that can never pass.
 */
function runStep(s: LineStep, value: unknown, ctx: StepContext): StepResult<unknown> {
  try {
    return s.run(value, ctx);
  } catch (e) {
    return deadLetter(`the ${s.name} step failed on this line: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Runs `steps` over `inputs` (what the first step takes), then encodes the lines that passed.
 * `label(i)` gives input i's line number and its text for a failure report.
 */
export function runLineSteps(inputs: readonly unknown[], steps: readonly LineStep[], ctx: StepContext, label: (i: number) => { line: number; text: string }, stepMs = zeroTimings()): ProcessedBatch {
  const failures: LineFailure[] = [];
  let live: number[] = inputs.map((_, i) => i);
  let values: unknown[] = inputs.slice();
  for (const s of steps) {
    const t = performance.now();
    const nextLive: number[] = [];
    const nextValues: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      const r = runStep(s, values[i], ctx);
      if (r.kind === 'ok') {
        nextLive.push(live[i]);
        nextValues.push(r.value);
      } else {
        const { line, text } = label(live[i]);
        failures.push({ line, step: s.name, kind: r.kind, reason: r.reason, text: text.length > MAX_FAILURE_TEXT ? text.slice(0, MAX_FAILURE_TEXT) : text });
      }
    }
    live = nextLive;
    values = nextValues;
    stepMs[s.name] += performance.now() - t;
  }
  failures.sort((a, b) => a.line - b.line);
  const matches: RowMatch[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as ValidLine;
    if (v.hits) matches.push({ line: label(live[i]).line, table: v.table.name, row: evidenceColumns(v.row), hits: v.hits });
  }
  const t = performance.now();
  const tables = encodeLines(values as ValidLine[]);
  stepMs.write += performance.now() - t;
  return { lines: inputs.length, accepted: values.length, tables, failures, matches, stepMs };
}

function stepsOverBody(raw: Buffer, o: ProcessOptions, stepMs: Record<StepName, number>): ProcessedBatch {
  const t = performance.now();
  const lines = splitLines(raw, o.maxLines);
  stepMs.decode += performance.now() - t;
  return runLineSteps(lines.map((l) => l.text), LINE_STEPS, o, (i) => lines[i], stepMs);
}

/**
 * Runs decode and the line steps over a body (gunzip on the thread pool) and encodes the result.
 * Throws PalisadeError for a malformed gzip stream, a body over the limit or too many lines.
 */
export async function processBody(body: Buffer, gzip: boolean, o: ProcessOptions): Promise<ProcessedBatch> {
  const stepMs = zeroTimings();
  const t = performance.now();
  const raw = await decodeBody(body, gzip, o);
  stepMs.decode += performance.now() - t;
  return stepsOverBody(raw, o, stepMs);
}

/** processBody with gunzip on the calling thread, for worker threads (the thread pool is shared). */
export function processBodySync(body: Buffer, gzip: boolean, o: ProcessOptions): ProcessedBatch {
  const stepMs = zeroTimings();
  const t = performance.now();
  const raw = decodeBodySync(body, gzip, o);
  stepMs.decode += performance.now() - t;
  return stepsOverBody(raw, o, stepMs);
}
