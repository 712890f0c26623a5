/**
 * Benchmark `hunting`: a fixed set of typical hunting queries (bench/support/hunting-queries.ts) over
 * 1M and 10M events of a simulated fleet spread over 25 days.
 * - Through the real hunting API: a `palisade serve` child process (--no-throttle) on a cached data
 *   directory, an app token, POST /api/advancedqueries/run over HTTPS; the time is request start to
 *   the last byte of the response.
 * - The baseline, on a copy of the same DuckDB file: the same question hand-written as DuckDB SQL, run
 *   on a read-only DuckDB connection in this process and read into JS values.
 * - Diagnostic, same copy: the SQL the KQL compiler makes of each query, run directly like the
 *   hand-written SQL, which splits the API's extra time into translation and server overhead.
 * The three paths take turns by round (every query through the API, then every query as hand-written
 * SQL, then as compiled SQL; R+1 such rounds), so a busy stretch of the machine hits all of them
 * alike, while no measurement starts in the wake of another path's work on the same query (the
 * other process's DuckDB threads winding down, or this process collecting the garbage of a large
 * result), which per-query alternation caused.
 * For each query: p50/p95 over R runs (after one warm-up run per path), rows returned (asserted equal
 * on every path) and the ratio API/SQL of the p50s (goal ≤ 1.2×); plus the server's peak memory
 * (VmHWM of the serve process).
 * Options: --sizes 1000000,10000000 --runs R (5) --seed S (1) --only name[,name…]
 * The data of each size is generated once into <tmpdir>/palisade-bench-hunting-<size>-<seed>-v<layout> and reused.
 */
import https from 'node:https';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { dataPaths } from '../src/cli/data-dir.ts';
import { compileKql } from '../src/kql/index.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { numberArg, numberListArg, stringArg } from './support/args.ts';
import { ensureHuntingDataset, type HuntingDataset } from './support/hunting-dataset.ts';
import { HUNTING_QUERIES, type HuntingQuery } from './support/hunting-queries.ts';
import { memoryOf } from './support/proc-status.ts';

const LOOKBACK_DAYS = 30;

interface Timing {
  rows: number;
  ms: number[];
  /** API only: the server's own execution time of each run (Stats.ExecutionTime), ms. */
  execMs?: number[];
}

function post(agent: https.Agent, url: string, ca: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = https.request(url, { method: 'POST', agent, ca, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(ms: readonly number[], p: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A query as run directly on DuckDB: SQL text and its parameters at a given moment. */
type DirectSql = (q: HuntingQuery, now: Date) => { sql: string; params: unknown[] };

/** The hand-written SQL of a query, with the tenant and look-back cutoff as $1 and $2. */
function handWritten(ds: HuntingDataset): DirectSql {
  return (q, now) => ({ sql: q.sql, params: [ds.tenantId, new DuckDBTimestampValue(BigInt(now.getTime() - LOOKBACK_DAYS * 86_400_000) * 1000n)] });
}

/** What the KQL compiler makes of a query (the SQL the server runs), to tell translation cost from server cost. */
function compiled(ds: HuntingDataset): DirectSql {
  return (q, now) => {
    const c = compileKql(q.kql, { tenantId: ds.tenantId, deviceScope: 'all', now, lookbackDays: LOOKBACK_DAYS });
    return { sql: c.sql, params: c.params.map((v) => (v instanceof Date ? new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n) : v)) };
  };
}

/** One timed direct run on DuckDB, read into JS values as a client would. */
async function runDirect(conn: DuckDBConnection, make: DirectSql, q: HuntingQuery): Promise<{ rows: number; ms: number }> {
  const { sql, params } = make(q, new Date());
  const started = performance.now();
  const reader = await conn.runAndReadAll(sql, params as never);
  const rows = reader.getRows().length;
  return { rows, ms: performance.now() - started };
}

function record(t: Timing, name: string, path: string, rows: number, ms: number, measured: boolean): void {
  if (t.rows >= 0 && rows !== t.rows) throw new Error(`${name} (${path}): ${rows} rows, an earlier run returned ${t.rows}`);
  t.rows = rows;
  if (measured) t.ms.push(ms);
}

/**
 * Runs every query R+1 times (the first round warms up) on three paths, taking turns by round so
 * that each sees the same machine conditions: through the hunting API of a serve process on the
 * dataset, and directly on a read-only copy of its DuckDB file as hand-written SQL and as the
 * compiled SQL.
 */
async function runAll(ds: HuntingDataset, queries: readonly HuntingQuery[], runs: number): Promise<{ api: Map<string, Timing>; sql: Map<string, Timing>; comp: Map<string, Timing>; peakMiB: number | null; startSeconds: number }> {
  const copy = join(ds.dir, 'baseline-copy.duckdb');
  copyFileSync(dataPaths(ds.dir).events, copy);
  const t0 = performance.now();
  const srv = await startServerProcess({ dataDir: ds.dir, args: ['--no-throttle', '--log-level', 'error'] });
  const startSeconds = (performance.now() - t0) / 1000;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: srv.ca });
  const instance = await DuckDBInstance.create(copy, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    if (srv.tenantId !== ds.tenantId) throw new Error(`the server serves tenant ${srv.tenantId}, the dataset was made for ${ds.tenantId}`);
    const tok = await post(agent, `${srv.url}/${ds.tenantId}/oauth2/v2.0/token`, srv.ca, { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ grant_type: 'client_credentials', client_id: ds.clientId, client_secret: ds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString());
    if (tok.status !== 200) throw new Error(`token request failed: ${tok.status} ${tok.body.slice(0, 300)}`);
    const headers = { authorization: `Bearer ${JSON.parse(tok.body).access_token as string}`, 'content-type': 'application/json' };
    const api = new Map<string, Timing>(), sql = new Map<string, Timing>(), comp = new Map<string, Timing>();
    for (const q of queries) {
      api.set(q.name, { rows: -1, ms: [], execMs: [] });
      sql.set(q.name, { rows: -1, ms: [] });
      comp.set(q.name, { rows: -1, ms: [] });
    }
    const hand = handWritten(ds), kql = compiled(ds);
    for (let r = 0; r <= runs; r++) {
      for (const q of queries) {
        // The Defender XDR flavour of the route: the same hunting service as /api/advancedqueries/run,
        // plus Stats.ExecutionTime (the event store's time), which splits server time from the rest.
        const res = await post(agent, `${srv.url}/api/advancedhunting/run`, srv.ca, headers, JSON.stringify({ Query: q.kql }));
        if (res.status !== 200) throw new Error(`${q.name}: the API answered ${res.status}: ${res.body.slice(0, 500)}`);
        const parsed = JSON.parse(res.body) as { Results: unknown[]; Stats: { ExecutionTime: number } };
        const a = api.get(q.name)!;
        record(a, q.name, 'API', parsed.Results.length, res.ms, r > 0);
        if (r > 0) a.execMs!.push(parsed.Stats.ExecutionTime * 1000);
      }
      for (const q of queries) {
        const h = await runDirect(conn, hand, q);
        record(sql.get(q.name)!, q.name, 'hand-written SQL', h.rows, h.ms, r > 0);
      }
      for (const q of queries) {
        const c = await runDirect(conn, kql, q);
        record(comp.get(q.name)!, q.name, 'compiled SQL', c.rows, c.ms, r > 0);
      }
    }
    return { api, sql, comp, peakMiB: memoryOf(srv.child.pid!).peakMiB, startSeconds };
  } finally {
    conn.closeSync();
    instance.closeSync();
    agent.destroy();
    await srv.stop();
    rmSync(copy, { force: true });
  }
}

/** Compilations timed so far (each gets a text of its own). */
let compileRuns = 0;

/** Median time of compileKql for a query (parse, bind, lower, print), in this process. */
function compileMs(ds: HuntingDataset, q: HuntingQuery): number {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    // a distinct text each time, so the parse cache does not hide the cost of a first compile
    compileKql(`${q.kql}\n// ${++compileRuns}`, { tenantId: ds.tenantId, deviceScope: 'all', now: new Date(), lookbackDays: LOOKBACK_DAYS });
    ms.push(performance.now() - started);
  }
  return percentile(ms, 50);
}

const f = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(7);

export async function main(args: string[]): Promise<void> {
  const sizes = numberListArg(args, 'sizes', [1_000_000, 10_000_000]);
  const runs = numberArg(args, 'runs', 5);
  const seed = numberArg(args, 'seed', 1);
  const only = stringArg(args, 'only')?.split(',');
  const queries = only ? HUNTING_QUERIES.filter((q) => only.includes(q.name)) : HUNTING_QUERIES;
  if (queries.length === 0) throw new Error(`no query named ${only?.join(', ')}`);

  for (const size of sizes) {
    const t0 = performance.now();
    const ds = await ensureHuntingDataset(size, seed, (s) => console.log(s));
    console.log(ds.generatedNow
      ? `generated ${size.toLocaleString('en-US')} events (${ds.devices} devices, 25 days) in ${ds.generationSeconds.toFixed(0)} s into ${ds.dir}`
      : `reusing ${ds.dir} (${size.toLocaleString('en-US')} events, ${ds.devices} devices, generated ${ds.generatedAt} in ${ds.generationSeconds.toFixed(0)} s)`);
    const { api, sql, comp, peakMiB, startSeconds } = await runAll(ds, queries, runs);
    for (const q of queries) {
      const a = api.get(q.name)!, s = sql.get(q.name)!, c = comp.get(q.name)!;
      if (a.rows !== s.rows) throw new Error(`${q.name}: the API returned ${a.rows} rows, the SQL ${s.rows}`);
      if (c.rows !== s.rows) throw new Error(`${q.name}: the compiled SQL returned ${c.rows} rows, the hand-written SQL ${s.rows}`);
    }

    console.log(`\nbench hunting — ${size.toLocaleString('en-US')} events, ${ds.devices} devices, ${runs} runs per query after a warm-up; ms (p50 / p95)`);
    console.log(`${'query'.padEnd(28)} ${'rows'.padStart(6)}   ${'API p50'.padStart(7)} ${'p95'.padStart(7)}   ${'SQL p50'.padStart(7)} ${'p95'.padStart(7)}   API/SQL   ${'exec'.padStart(7)} ${'KQL→SQL'.padStart(7)} ${'compile'.padStart(7)}`);
    const ratios: number[] = [];
    for (const q of queries) {
      const a = api.get(q.name)!, s = sql.get(q.name)!, c = comp.get(q.name)!;
      const ratio = percentile(a.ms, 50) / percentile(s.ms, 50);
      ratios.push(ratio);
      console.log(`${q.name.padEnd(28)} ${String(a.rows).padStart(6)}   ${f(percentile(a.ms, 50))} ${f(percentile(a.ms, 95))}   ${f(percentile(s.ms, 50))} ${f(percentile(s.ms, 95))}   ${ratio.toFixed(2).padStart(6)}×   ${f(percentile(a.execMs!, 50))} ${f(percentile(c.ms, 50))} ${f(compileMs(ds, q))}`);
    }
    const geo = Math.exp(ratios.reduce((x, r) => x + Math.log(r), 0) / ratios.length);
    console.log(`geometric mean API/SQL ${geo.toFixed(2)}× (goal ≤ 1.2×), worst ${Math.max(...ratios).toFixed(2)}×; ${ratios.filter((r) => r <= 1.2).length}/${ratios.length} queries within the goal`);
    console.log('exec: the server\'s own store time (Stats.ExecutionTime) · KQL→SQL: the compiled SQL run directly like the hand-written SQL · compile: compileKql of the text (not cached) in this process (median of 5)');
    console.log(`server peak memory (VmHWM) ${peakMiB?.toFixed(0) ?? '?'} MiB; server start ${startSeconds.toFixed(1)} s; total ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
