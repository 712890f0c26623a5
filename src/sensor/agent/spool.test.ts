import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskSpool } from './spool.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'spool-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ev = (n: number) => ({ table: 'DeviceEvents', row: { ActionType: 'Test', ReportId: n, AdditionalFields: 'x'.repeat(100) } });

describe('DiskSpool', () => {
  it('keeps segments on disk until acknowledged, oldest first, under the same batch id across a restart', () => {
    const dir = tempDir();
    const a = new DiskSpool({ dir, maxBytes: 1 << 20 });
    a.push(ev(1));
    a.push(ev(2));
    expect(a.peek()).toBeNull(); // not flushed yet
    a.flush();
    a.push(ev(3));
    a.flush();
    const first = a.peek()!;
    expect(first.events.map((e) => e.row.ReportId)).toEqual([1, 2]);
    expect(first.batchId).toMatch(/^\d{16}-[0-9a-f]{8}$/);
    // a restart finds the same segments, with the same batch ids
    const b = new DiskSpool({ dir, maxBytes: 1 << 20 });
    expect(b.peek()!.batchId).toBe(first.batchId);
    expect(b.size).toBe(3);
    b.ack(b.peek()!);
    expect(b.peek()!.events.map((e) => e.row.ReportId)).toEqual([3]);
    b.ack(b.peek()!);
    expect(b.peek()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    // a new segment after the restart sorts after the old ones
    b.push(ev(4));
    b.flush();
    expect(b.peek()!.batchId > first.batchId).toBe(true);
  });

  it('seals a segment when it reaches its event count', () => {
    const s = new DiskSpool({ dir: tempDir(), maxBytes: 1 << 20, maxEventsPerSegment: 2 });
    for (let i = 0; i < 5; i++) s.push(ev(i));
    expect(s.peek()!.events).toHaveLength(2);
    expect(s.size).toBe(5);
  });

  it('drops the oldest segments beyond its bound and counts the events lost', () => {
    const drops: number[] = [];
    const s = new DiskSpool({ dir: tempDir(), maxBytes: 2000, onDrop: (events) => drops.push(events) });
    for (let seg = 0; seg < 10; seg++) {
      for (let i = 0; i < 5; i++) s.push(ev(seg * 5 + i));
      s.flush();
    }
    expect(s.bytes).toBeLessThanOrEqual(2000);
    expect(s.dropped).toBe(drops.reduce((a, b) => a + b, 0));
    expect(s.dropped + s.size).toBe(50);
    // what is left is the newest
    expect(s.peek()!.events[0].row.ReportId).toBe(s.dropped);
  });
});
