/**
 * arg_max / arg_min return every column from one row of the group, also when the maximized value
 * ties and when the store aggregates in parallel: a scanned Timestamp is never null, so the compiler
 * prints one arg_max_null per column (see the DuckDB dialect); this checks they agree on the row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileKql } from '../../src/kql/index.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';

const TENANT = '11111111-1111-1111-1111-111111111111';
const NOW = new Date('2024-05-01T12:00:00Z');
const DEVICES = 8;
const ROWS_PER_DEVICE = 20_000;

let dir: string;
let store: DuckDbEventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-argmax-'));
  store = await openDuckDbEventStore({ path: join(dir, 'events.duckdb'), threads: 2, now: () => NOW });
  for (let d = 0; d < DEVICES; d++) {
    const deviceId = String(d).repeat(40).slice(0, 40);
    const rows = [];
    for (let i = 0; i < ROWS_PER_DEVICE; i++) {
      // every tenth row shares the latest Timestamp; FileName and ProcessId always belong together,
      // and ProcessVersionInfoCompanyName (a string) and FileSize (a long) are sometimes empty
      const latest = i % 10 === 0;
      const minute = latest ? 59 : i % 59;
      rows.push({
        table: 'DeviceProcessEvents',
        row: {
          Timestamp: `2024-04-30T10:${String(minute).padStart(2, '0')}:00Z`, DeviceName: `host${d}`, ActionType: 'ProcessCreated',
          FileName: `f${i}.exe`, ProcessId: i, FileSize: i % 3 === 0 ? null : i, ProcessVersionInfoCompanyName: i % 4 === 0 ? '' : `c${i}`,
        },
      });
    }
    for (let k = 0; k < rows.length; k += 10_000) {
      await store.appendBatch({ tenantId: TENANT, deviceId, batchId: `b${d}-${k}`, rows: rows.slice(k, k + 10_000) });
    }
  }
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('arg_max / arg_min over a scanned Timestamp', () => {
  it('takes every column from the same row, nulls included, on ties', async () => {
    const c = compileKql('DeviceProcessEvents | summarize arg_max(Timestamp, FileName, ProcessId, FileSize, ProcessVersionInfoCompanyName) by DeviceName', { tenantId: TENANT, deviceScope: 'all', now: NOW });
    expect(c.sql).toContain('arg_max_null(');
    for (let run = 0; run < 3; run++) {
      const r = await store.query(c, { timeoutMs: 30_000, maxRows: 100 });
      expect(r.rows).toHaveLength(DEVICES);
      for (const [, ts, file, pid, size, company] of r.rows as [string, string, string, number, number | null, string][]) {
        expect(ts).toBe('2024-04-30T10:59:00Z');
        expect(file).toBe(`f${pid}.exe`);
        expect(size).toBe(pid % 3 === 0 ? null : pid);
        expect(company).toBe(pid % 4 === 0 ? '' : `c${pid}`);
      }
    }
  });

  it('does the same for arg_min', async () => {
    const c = compileKql('DeviceProcessEvents | summarize arg_min(Timestamp, FileName, ProcessId) by DeviceName', { tenantId: TENANT, deviceScope: 'all', now: NOW });
    const r = await store.query(c, { timeoutMs: 30_000, maxRows: 100 });
    expect(r.rows).toHaveLength(DEVICES);
    for (const [, ts, file, pid] of r.rows as [string, string, string, number][]) {
      expect(ts).toBe('2024-04-30T10:00:00Z');
      expect(file).toBe(`f${pid}.exe`);
    }
  });
});
