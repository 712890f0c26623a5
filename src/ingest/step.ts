/**
 * The outcome of one ingest step for one line (DESIGN.md §8, PostHog-style named steps): the line
 * goes on (`ok`), is dropped on purpose with a reason (`drop`, e.g. older than retention), or is
 * dead-lettered because it cannot be stored as sent (`dead-letter`, e.g. a wrong type). Only
 * retryable failures (the store being unavailable) throw.
 */

/** Result of a step: the value for the next step, or why the line stops here. */
export type StepResult<T> = { kind: 'ok'; value: T } | { kind: 'drop'; reason: string } | { kind: 'dead-letter'; reason: string };

/** The line continues with `value`. */
export function ok<T>(value: T): StepResult<T> {
  return { kind: 'ok', value };
}

/** The line is intentionally not stored (policy, not an error in the data). */
export function drop<T = never>(reason: string): StepResult<T> {
  return { kind: 'drop', reason };
}

/** The line cannot be stored as sent; it is reported back and handed to the dead-letter sink. */
export function deadLetter<T = never>(reason: string): StepResult<T> {
  return { kind: 'dead-letter', reason };
}

/** Names of the pipeline steps, in order. */
export const STEP_NAMES = ['decode', 'parse', 'validate', 'stamp', 'enrich', 'age', 'match', 'write'] as const;

/** One of the pipeline's step names. */
export type StepName = (typeof STEP_NAMES)[number];
