/** The Queue contract against the in-process adapter, plus its file cursors. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCursorStore } from '../../src/queue/memory/cursor-store.ts';
import { openMemoryQueue } from '../../src/queue/memory/memory-queue.ts';
import { describeQueueContract } from './queue.contract.ts';

describeQueueContract('memory', (s) => openMemoryQueue(s));

describe('file cursor store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cursors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one position per group across instances, as a file per group', async () => {
    const a = createFileCursorStore(join(dir, 'feed'));
    expect(await a.load('detections')).toBeNull();
    await a.save('detections', 41);
    await a.save('detections', 42);
    await a.save('indicators', 7);
    const b = createFileCursorStore(join(dir, 'feed'));
    expect(await b.load('detections')).toBe(42);
    expect(await b.load('indicators')).toBe(7);
    expect(readFileSync(join(dir, 'feed', 'detections.cursor'), 'utf8')).toBe('42\n');
    await expect(b.load('../etc/passwd')).rejects.toThrow(/consumer group name/);
  });
});
