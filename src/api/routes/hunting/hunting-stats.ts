/**
 * The `Stats` object of advanced hunting responses, shaped as MDE's real responses show it
 * (corpus/api-samples/advanced-hunting): `ExecutionTime` in seconds, `resource_usage` with `cache`,
 * `cpu` (`user`, `kernel`, `total cpu` as .NET TimeSpan text) and `memory.peak_per_node`, and
 * `dataset_statistics` with the row count and size of the result table.
 */

/** What was measured around one query. */
export interface QueryMeasure {
  /** Wall time of the whole query (compile and run), in seconds. */
  seconds: number;
  /** `process.cpuUsage()` difference over the query, in microseconds. */
  cpu: { user: number; system: number };
  /** Rows of the result table. */
  rows: number;
  /** Bytes of the result table as sent (`Results`, UTF-8 JSON). */
  bytes: number;
  /** The server process's resident-memory high-water mark, in bytes. */
  peakMemoryBytes: number;
}

/** MDE's `Stats` object for a measured query. */
export interface HuntingStats {
  ExecutionTime: number;
  resource_usage: {
    cache: { memory: null; disk: null };
    cpu: { user: string; kernel: string; 'total cpu': string };
    memory: { peak_per_node: number };
  };
  dataset_statistics: { table_row_count: number; table_size: number }[];
}

const TICKS_PER_SECOND = 10_000_000;

/**
 * A duration as .NET's invariant TimeSpan text (`c` format), as Kusto prints CPU times:
 * `[d.]hh:mm:ss` and, when the duration has a fraction, seven fractional digits (`00:00:00.0312500`).
 */
export function timeSpanText(microseconds: number): string {
  const ticks = Math.max(0, Math.round(microseconds * 10));
  const totalSeconds = Math.floor(ticks / TICKS_PER_SECOND);
  const fraction = ticks % TICKS_PER_SECOND;
  const days = Math.floor(totalSeconds / 86_400);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor(totalSeconds / 3600) % 24)}:${two(Math.floor(totalSeconds / 60) % 60)}:${two(totalSeconds % 60)}`;
  return `${days ? `${days}.` : ''}${clock}${fraction ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}

/**
 * The `Stats` of one query. Palisade keeps no query cache, so `cache.memory` and `cache.disk` are
 * null, as MDE sends them when no cache took part. CPU is the server process's (every thread,
 * DuckDB's included) while the query ran, so concurrent requests' work is counted too.
 */
export function huntingStats(m: QueryMeasure): HuntingStats {
  return {
    ExecutionTime: Number(m.seconds.toFixed(7)),
    resource_usage: {
      cache: { memory: null, disk: null },
      cpu: { user: timeSpanText(m.cpu.user), kernel: timeSpanText(m.cpu.system), 'total cpu': timeSpanText(m.cpu.user + m.cpu.system) },
      memory: { peak_per_node: m.peakMemoryBytes },
    },
    dataset_statistics: [{ table_row_count: m.rows, table_size: m.bytes }],
  };
}
