import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_TENANT } from './crash-child.ts';
import { openDuckDbEventStore } from './event-store.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const ROWS_PER_BATCH = 50;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs the writer until it acked `acks` batches, then kills it with SIGKILL; returns the acked ids. */
function runAndKill(dbPath: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, '4', String(ROWS_PER_BATCH)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    const guard = setTimeout(() => {
      if (!killed && child.pid) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`writer did not ack ${acks} batches in time; stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('acked ')) acked.push(line.slice(6));
        if (!killed && acked.length >= acks && child.pid) {
          killed = true;
          process.kill(child.pid, 'SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('DuckDB event store durability', () => {
  it('keeps every acknowledged batch exactly once after kill -9, and no partial batch', async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-crash-'));
    const dbPath = join(dir, 'events.duckdb');
    const acked = await runAndKill(dbPath, 120);
    expect(acked.length).toBeGreaterThanOrEqual(120);

    const store = await openDuckDbEventStore({ path: dbPath, threads: 1 });
    try {
      const q = async (sql: string) => (await store.query({ sql, params: [], columns: [] }, { timeoutMs: 10_000, maxRows: 100_000 })).rows;
      const perBatch = new Map((await q(`SELECT "ActionType", count(*) FROM "DeviceProcessEvents" WHERE "__TenantId" = '${CRASH_TENANT}' GROUP BY 1`)).map(([b, n]) => [b as string, n as number]));
      const ids = new Map((await q(`SELECT batch_id, count(*) FROM "__ingest_batches" GROUP BY 1`)).map(([b, n]) => [b as string, n as number]));
      for (const b of acked) {
        expect(perBatch.get(b), `rows of acked batch ${b}`).toBe(ROWS_PER_BATCH);
        expect(ids.get(b), `batch id ${b}`).toBe(1);
      }
      // Batches committed but not yet acknowledged may exist too, but never partially.
      for (const [b, n] of perBatch) {
        expect(n, `rows of batch ${b}`).toBe(ROWS_PER_BATCH);
        expect(ids.get(b)).toBe(1);
      }
      // A retry of an acknowledged batch after the crash is recognised.
      const retry = await store.appendBatch({ tenantId: CRASH_TENANT, deviceId: 'c'.repeat(40), batchId: acked[0], rows: [] });
      expect(retry.duplicate).toBe(true);
    } finally {
      await store.close();
    }
  }, 90_000);
});
