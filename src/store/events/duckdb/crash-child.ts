/**
 * Crash-test writer (a test fixture, run as its own process):
 *   node --import tsx src/store/events/duckdb/crash-child.ts <db-path> [writers=4] [rows-per-batch=50]
 * Appends batches `b<n>` (each with rows-per-batch DeviceProcessEvents rows whose ActionType is the
 * batch id) from several concurrent writers, and prints `acked <batchId>` on stdout after each
 * append resolved. A test kills it with SIGKILL mid-stream and checks that every acked batch is
 * stored exactly once and no batch is stored partially.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDuckDbEventStore } from './event-store.ts';

/** Tenant and device the fixture writes as. */
export const CRASH_TENANT = '44444444-4444-4444-4444-444444444444';
export const CRASH_DEVICE = 'c'.repeat(40);

async function main(): Promise<void> {
  const [path, writersArg = '4', rowsArg = '50'] = process.argv.slice(2);
  if (!path) throw new Error('usage: crash-child.ts <db-path> [writers] [rows-per-batch]');
  const writers = Number(writersArg);
  const rowsPerBatch = Number(rowsArg);
  const store = await openDuckDbEventStore({ path, threads: 1 });
  process.stdout.write('ready\n');
  let next = 0;
  const base = Date.now();
  async function writer(): Promise<never> {
    for (;;) {
      const n = next++;
      const batchId = `b${n}`;
      const rows = Array.from({ length: rowsPerBatch }, (_, i) => ({
        table: 'DeviceProcessEvents',
        row: { Timestamp: new Date(base - i * 1000).toISOString(), ActionType: batchId, ProcessId: i, FileName: 'crash.exe' },
      }));
      await store.appendBatch({ tenantId: CRASH_TENANT, deviceId: CRASH_DEVICE, batchId, rows });
      process.stdout.write(`acked ${batchId}\n`);
    }
  }
  await Promise.all(Array.from({ length: writers }, writer));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
