/**
 * The line steps of the ingest pipeline over one request body, with no I/O beyond decompression:
 * decode → parse → validate → stamp → enrich → age. Each step runs over every line still in play and
 * is timed once per batch (timing each line costs more than some of the steps). The same function
 * runs on the event loop and in ingest worker threads (line-worker.ts).
 */
import { decodeBody, decodeBodySync, splitLines, type BodyLine, type BodyLimits } from './decode-body.ts';
import { enrichLine } from './enrich.ts';
import { stampLine, type DeviceIdentity } from './stamp.ts';
import { STEP_NAMES, drop, type StepName, type StepResult } from './step.ts';
import { parseLine, validateLine, type RawLine, type ValidLine } from './validate-line.ts';

/** A line that did not make it: its number, the step that refused it and why. */
export interface LineFailure {
  line: BodyLine;
  step: StepName;
  kind: 'drop' | 'dead-letter';
  reason: string;
}

/** What the line steps made of a body. */
export interface ProcessedBody {
  /** Non-blank lines in the body. */
  lines: number;
  /** Lines that passed every step, in body order. */
  valid: ValidLine[];
  /** Lines that did not, in line order. */
  failures: LineFailure[];
  /** Milliseconds per step (write stays 0 here). */
  stepMs: Record<StepName, number>;
}

/** What the steps need besides the body. */
export interface ProcessOptions extends BodyLimits {
  identity: DeviceIdentity;
  /** Server clock in microseconds since the epoch. */
  nowMicros: bigint;
  retentionDays: number;
}

/** Zero milliseconds for every step. */
export function zeroTimings(): Record<StepName, number> {
  return Object.fromEntries(STEP_NAMES.map((s) => [s, 0])) as Record<StepName, number>;
}

function runSteps(raw: Buffer, o: ProcessOptions, stepMs: Record<StepName, number>): ProcessedBody {
  let t = performance.now();
  const lines = splitLines(raw, o.maxLines);
  stepMs.decode += performance.now() - t;

  const retentionMicros = BigInt(o.retentionDays) * 86_400_000_000n;
  const failures: LineFailure[] = [];
  let live: BodyLine[] = lines;
  let values: unknown[] = lines.map((l) => l.text);
  const pass = <I, O>(step: StepName, run: (v: I) => StepResult<O>) => {
    t = performance.now();
    const nextLive: BodyLine[] = [];
    const nextValues: O[] = [];
    for (let i = 0; i < values.length; i++) {
      const r = run(values[i] as I);
      if (r.kind === 'ok') {
        nextLive.push(live[i]);
        nextValues.push(r.value);
      } else {
        failures.push({ line: live[i], step, kind: r.kind, reason: r.reason });
      }
    }
    live = nextLive;
    values = nextValues;
    stepMs[step] += performance.now() - t;
  };
  pass<string, RawLine>('parse', parseLine);
  pass<RawLine, ValidLine>('validate', (v) => validateLine(v, o.nowMicros));
  pass<ValidLine, ValidLine>('stamp', (v) => stampLine(v, o.identity));
  pass<ValidLine, ValidLine>('enrich', enrichLine);
  pass<ValidLine, ValidLine>('age', (v) => (o.nowMicros - v.ts > retentionMicros ? drop(`Timestamp is older than the ${o.retentionDays}-day retention`) : { kind: 'ok', value: v }));
  failures.sort((a, b) => a.line.line - b.line.line);
  return { lines: lines.length, valid: values as ValidLine[], failures, stepMs };
}

/**
 * Runs the line steps over a body (gunzip on the thread pool). Throws PalisadeError for a malformed
 * gzip stream, a body over the limit or too many lines.
 */
export async function processBody(body: Buffer, gzip: boolean, o: ProcessOptions): Promise<ProcessedBody> {
  const stepMs = zeroTimings();
  const t = performance.now();
  const raw = await decodeBody(body, gzip, o);
  stepMs.decode += performance.now() - t;
  return runSteps(raw, o, stepMs);
}

/** processBody with gunzip on the calling thread, for worker threads (the thread pool is shared). */
export function processBodySync(body: Buffer, gzip: boolean, o: ProcessOptions): ProcessedBody {
  const stepMs = zeroTimings();
  const t = performance.now();
  const raw = decodeBodySync(body, gzip, o);
  stepMs.decode += performance.now() - t;
  return runSteps(raw, o, stepMs);
}
