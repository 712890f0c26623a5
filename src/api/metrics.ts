/**
 * The server's Prometheus metrics, served at `GET /metrics`. Each app owns its registry (never
 * prom-client's global one), so several apps in one process (tests) count apart. Other parts of the
 * program register their own collectors on `registry` (the committed-batch feed's backlog gauges).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** How one sensor event batch ended. */
export type IngestOutcome = { accepted: number; rejected: number; duplicate: boolean } | 'failed';

/** Request counts and latencies, ingest, hunting; plus whatever else registers on `registry`. */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly ingestBatches: Counter<'outcome'>;
  private readonly ingestRows: Counter<'outcome'>;
  private readonly huntingQueries: Counter<'outcome'>;
  private readonly huntingCpu: Counter;
  private readonly huntingTime: Histogram;

  /** `processMetrics` adds Node's process and event-loop metrics (the server turns it on; tests need not). */
  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'palisade_' });
    this.requests = new Counter({
      name: 'palisade_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'], registers,
    });
    this.latency = new Histogram({
      name: 'palisade_http_request_duration_seconds', help: 'Time from request to response, by method and route pattern',
      labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 200], registers,
    });
    this.ingestBatches = new Counter({
      name: 'palisade_ingest_batches_total', help: 'Sensor event batches: stored, duplicate (a retry of a stored batch) or failed',
      labelNames: ['outcome'], registers,
    });
    this.ingestRows = new Counter({
      name: 'palisade_ingest_rows_total', help: 'Event lines of sensor batches: accepted (stored) or rejected (with a reason to the sensor)',
      labelNames: ['outcome'], registers,
    });
    this.huntingQueries = new Counter({
      name: 'palisade_hunting_queries_total', help: 'Advanced hunting queries, by outcome (ok, or the error code answered)',
      labelNames: ['outcome'], registers,
    });
    this.huntingCpu = new Counter({
      name: 'palisade_hunting_cpu_seconds_total', help: 'CPU time (user + system) the server process spent while hunting queries ran', registers,
    });
    this.huntingTime = new Histogram({
      name: 'palisade_hunting_query_duration_seconds', help: 'Wall time of hunting queries, refused ones included',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 200], registers,
    });
  }

  /** Counts one answered request under its route pattern (`/api/machines/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /** Counts one sensor event batch and, unless it repeats a stored batch, its lines. */
  observeIngest(outcome: IngestOutcome): void {
    if (outcome === 'failed') {
      this.ingestBatches.inc({ outcome: 'failed' });
      return;
    }
    this.ingestBatches.inc({ outcome: outcome.duplicate ? 'duplicate' : 'stored' });
    if (outcome.duplicate) return; // its lines were counted when it was stored
    if (outcome.accepted) this.ingestRows.inc({ outcome: 'accepted' }, outcome.accepted);
    if (outcome.rejected) this.ingestRows.inc({ outcome: 'rejected' }, outcome.rejected);
  }

  /** Counts one hunting query: its outcome (`ok` or an error code), wall time and CPU time. */
  observeHunting(outcome: string, seconds: number, cpuSeconds: number): void {
    this.huntingQueries.inc({ outcome });
    this.huntingTime.observe(seconds);
    this.huntingCpu.inc(cpuSeconds);
  }

  /** The Prometheus text exposition of every registered metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
