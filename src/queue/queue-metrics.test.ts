import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { QueueStats } from '../domain/ports.ts';
import { registerQueueMetrics } from './queue-metrics.ts';

describe('feed metrics', () => {
  it('reports the queue figures and each group\'s backlog at every scrape', async () => {
    const registry = new Registry();
    let stats: QueueStats = { head: 12, published: 9, memoryBatches: 2, memoryBytes: 4096, backlogBoundBytes: 1 << 20, groups: [] };
    registerQueueMetrics(registry, () => stats);
    let text = await registry.metrics();
    expect(text).toContain('palisade_feed_head_seq 12');
    expect(text).toContain('palisade_feed_memory_bound_bytes 1048576');
    stats = {
      ...stats,
      groups: [{ group: 'detections', cursor: 3, backlogBatches: 9, backlogRows: 900, backlogBytes: 4096, catchingUp: true, delivered: 4, acknowledged: 3, failures: 1 }],
    };
    text = await registry.metrics();
    expect(text).toContain('palisade_feed_backlog_batches{group="detections"} 9');
    expect(text).toContain('palisade_feed_backlog_rows{group="detections"} 900');
    expect(text).toContain('palisade_feed_catching_up{group="detections"} 1');
    expect(text).toContain('palisade_feed_consumer_failures{group="detections"} 1');
  });
});
