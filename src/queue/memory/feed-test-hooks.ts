/**
 * Test-only hooks of the committed-batch feed, switched on by environment variables that only the
 * end-to-end tests and the ingest benchmark set (docs/operations.md lists them). Unset, nothing here
 * runs.
 * - PALISADE_TEST_KILL_AFTER_COMMITS=N: the process kills itself (SIGKILL) right after the Nth group
 *   commit, before its batches are published — the window the feed's recovery at start must close.
 * - PALISADE_TEST_FEED_RECORD=<file>: consumer group `test-record` appends one JSON line per batch
 *   it is handed: {"seq","batchId","rows"}.
 * - PALISADE_TEST_FEED_STALL=1: consumer group `test-stall` takes its first batch and never returns
 *   (a stalled sink).
 */
import { appendFile } from 'node:fs/promises';
import type { Queue, QueueConsumer } from '../../domain/ports.ts';

/** Called right after each group commit, before publishing: kills the process at the chosen commit. */
export function commitFaultHook(env: NodeJS.ProcessEnv = process.env): (() => void) | null {
  const n = Number(env.PALISADE_TEST_KILL_AFTER_COMMITS);
  if (!Number.isInteger(n) || n <= 0) return null;
  let commits = 0;
  return () => {
    commits += 1;
    if (commits === n) process.kill(process.pid, 'SIGKILL');
  };
}

/** Starts the test consumers the environment asks for. */
export async function startTestConsumers(feed: Queue, env: NodeJS.ProcessEnv = process.env): Promise<QueueConsumer[]> {
  const out: QueueConsumer[] = [];
  const record = env.PALISADE_TEST_FEED_RECORD;
  if (record) {
    out.push(await feed.consume('test-record', async (b) => {
      await appendFile(record, `${JSON.stringify({ seq: b.seq, batchId: b.batchId, rows: b.rows })}\n`);
    }));
  }
  if (env.PALISADE_TEST_FEED_STALL === '1') {
    out.push(await feed.consume('test-stall', () => new Promise<void>(() => {})));
  }
  return out;
}
