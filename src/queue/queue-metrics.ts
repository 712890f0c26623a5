/**
 * Prometheus gauges of the committed-batch feed, read from Queue.stats() each time the registry is
 * scraped: the head, batches published, memory held and its bound, and per consumer group its backlog
 * (batches, rows, bytes in memory), whether it is catching up from the event store, and its
 * acknowledgements and failures. `/metrics` registers them on its registry.
 */
import { Gauge, type Registry } from 'prom-client';
import type { QueueStats } from '../domain/ports.ts';

/** Registers the feed's gauges on `registry`; `stats` is called at every scrape. */
export function registerQueueMetrics(registry: Registry, stats: () => QueueStats): void {
  const registers = [registry];
  const plain = (name: string, help: string, pick: (s: QueueStats) => number) =>
    new Gauge({ name, help, registers, collect() { this.set(pick(stats())); } });
  plain('palisade_feed_head_seq', 'Sequence number of the last committed batch published on the feed', (s) => s.head);
  plain('palisade_feed_published_batches', 'Batches published on the feed since the server started', (s) => s.published);
  plain('palisade_feed_memory_bytes', 'Bytes of published batches held in memory for consumer groups', (s) => s.memoryBytes);
  plain('palisade_feed_memory_bound_bytes', 'Bound of the bytes held in memory (serve --feed-backlog-mib)', (s) => s.backlogBoundBytes);
  const perGroup = (name: string, help: string, pick: (g: QueueStats['groups'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['group'],
      registers,
      collect() {
        this.reset();
        for (const g of stats().groups) this.set({ group: g.group }, pick(g));
      },
    });
  perGroup('palisade_feed_backlog_batches', 'Published batches a consumer group has not acknowledged', (g) => g.backlogBatches);
  perGroup('palisade_feed_backlog_rows', 'Rows of the batches a consumer group has not acknowledged', (g) => g.backlogRows);
  perGroup('palisade_feed_backlog_bytes', 'Bytes of a consumer group\'s backlog still held in memory', (g) => g.backlogBytes);
  perGroup('palisade_feed_catching_up', '1 while a consumer group reads batches back from the event store', (g) => (g.catchingUp ? 1 : 0));
  perGroup('palisade_feed_acknowledged_batches', 'Batches a consumer group acknowledged since the server started', (g) => g.acknowledged);
  perGroup('palisade_feed_consumer_failures', 'Batches a consumer group failed to handle (each is delivered again)', (g) => g.failures);
}
