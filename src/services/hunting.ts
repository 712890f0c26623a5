/**
 * Advanced hunting: KQL in, MDE-shaped results out, within MDE's limits — 30 days of data,
 * 100,000 rows, a per-request timeout, and a per-tenant CPU-time budget per hour (the call-count
 * quotas are applied by the API layer). The compiler and the event store are injected.
 */
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import { REQUIRE, type PermissionRequirement } from '../domain/permissions.ts';
import type { CompiledQuery, Counters, EventStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { FairSlots, type SlotLimits } from './fair-slots.ts';

/**
 * Compiles KQL for one tenant and scope (src/kql's compileKqlDiscovering). Some queries need names
 * from the data before their columns are known (bag_unpack, pivot): the compiler then runs those steps
 * through `read`, which executes a compiled query within the caller's limits and returns its rows.
 */
export type KqlCompiler = (
  text: string,
  opts: {
    tenantId: string; deviceScope: 'all' | readonly number[]; now: Date; lookbackDays?: number;
    allowExternalData?: boolean; fetchExternalData?: (url: string) => Promise<string>; geoIp?: boolean; batchSeq?: number;
  },
  read: (q: CompiledQuery) => Promise<unknown[][]>,
) => Promise<CompiledQuery>;

/** Turns raw result rows into MDE's JSON values and .NET type names (src/kql/result-format.ts). */
export type ResultFormatter = (columns: { name: string; type: string }[], rows: unknown[][]) => { schema: { Name: string; Type: string }[]; results: Record<string, unknown>[] };

/** Limits, with MDE's values as defaults. */
export interface HuntingLimits {
  maxRows: number;
  timeoutMs: number;
  lookbackDays: number;
  /** Execution time a tenant may use per hour. */
  cpuMsPerHour: number;
  maxQueryLength: number;
  allowExternalData: boolean;
  /** Whether the event store has a GeoIP database (serve --geoip-db) for geo_info_from_ip_address. */
  geoIp: boolean;
  /**
   * Queries running at once: overall (at most the event store's read connections, so hunting never
   * queues inside the store), per tenant, and waiting per tenant (more are refused with 429).
   */
  concurrency: SlotLimits;
}

export const DEFAULT_HUNTING_LIMITS: HuntingLimits = {
  maxRows: 100_000,
  timeoutMs: 200_000,
  lookbackDays: 30,
  cpuMsPerHour: 10 * 60_000,
  maxQueryLength: 100_000,
  allowExternalData: false,
  geoIp: false,
  concurrency: { total: 4, perTenant: 2, queuedPerTenant: 4 },
};

/** What a hunting call returns. */
export interface HuntingResult {
  schema: { Name: string; Type: string }[];
  /** The rows as the JSON text of an array of objects keyed by column name (MDE's `Results`). */
  resultsJson: string;
  stats: { executionTimeSeconds: number; rowsReturned: number; rowsScanned: number | null; truncated: boolean };
}

/** What a HuntingService runs on; optional parts have defaults. */
export interface HuntingDeps {
  compile: KqlCompiler;
  events: EventStore;
  format: ResultFormatter;
  /** Where each tenant's hourly CPU budget is counted (shared by every process serving it). */
  counters: Counters;
  limits?: HuntingLimits;
  clock?: () => Date;
  /** Fetches externaldata URLs when `limits.allowExternalData` (see external-data.ts). */
  fetchExternalData?: (url: string) => Promise<string>;
}

const HOUR_MS = 3_600_000;

/** Largest result, in characters of JSON: 64 Mi, as Kusto truncates results at 64 MB. */
const MAX_RESULT_CHARS = 64 * 1024 * 1024;

function resultTooLarge(): PalisadeError {
  return errors.badRequest(`Query result exceeded the limit of ${MAX_RESULT_CHARS / 1024 / 1024} MB; narrow it with where, project, summarize or take`);
}

/**
 * How Palisade's own jobs narrow a query (custom detection rules): a shorter look-back than MDE's
 * 30 days (the window since the rule's last run), or only the rows of one committed batch.
 */
export interface RunScope {
  lookbackDays?: number;
  batchSeq?: number;
}

/** Runs hunting queries. */
export class HuntingService {
  private readonly compile: KqlCompiler;
  private readonly events: EventStore;
  private readonly format: ResultFormatter;
  private readonly counters: Counters;
  private readonly limits: HuntingLimits;
  private readonly clock: () => Date;
  private readonly fetchExternalData?: (url: string) => Promise<string>;
  private readonly slots: FairSlots;

  constructor(deps: HuntingDeps) {
    this.compile = deps.compile;
    this.events = deps.events;
    this.format = deps.format;
    this.counters = deps.counters;
    this.limits = deps.limits ?? DEFAULT_HUNTING_LIMITS;
    this.clock = deps.clock ?? (() => new Date());
    this.fetchExternalData = deps.fetchExternalData;
    this.slots = new FairSlots(this.limits.concurrency);
  }

  /**
   * Runs one query for the caller's tenant and device scope. `required`: the permissions of the API
   * it is called through (MDE's AdvancedQuery.*, or Graph's ThreatHunting.Read.All); `scope` narrows it
   * (never widens it) for Palisade's own jobs.
   */
  async run(ctx: Ctx, query: unknown, required: PermissionRequirement = REQUIRE.advancedQuery, scope: RunScope = {}): Promise<HuntingResult> {
    authz.require(ctx, required);
    if (typeof query !== 'string' || !query.trim()) throw errors.invalidBody("The body must be {\"Query\": \"<KQL>\"} with a non-empty query");
    if (query.length > this.limits.maxQueryLength) throw errors.badRequest(`The query is longer than ${this.limits.maxQueryLength} characters`);
    // a slot first (waiting costs the tenant nothing), then the execution time, reserved before it runs
    const release = await this.slots.acquire(ctx.tenantId, ctx.signal);
    try {
      return await this.runReserved(ctx, query, scope);
    } finally {
      release();
    }
  }

  private async runReserved(ctx: Ctx, query: string, scope: RunScope): Promise<HuntingResult> {
    const now = this.clock();
    const reservedMs = await this.reserveCpu(ctx.tenantId, now);
    // the query may use no more than was reserved: a tenant cannot overdraw its budget with concurrent queries
    const limits = { timeoutMs: reservedMs, maxRows: this.limits.maxRows, signal: ctx.signal };
    // store time is charged to the tenant, including the steps that read names from the data;
    // what the query did not use of its reservation is given back afterwards
    let storeMs = 0;
    const timed = async (q: CompiledQuery) => {
      const started = performance.now();
      try {
        return await this.events.query(q, limits);
      } finally {
        storeMs += performance.now() - started;
      }
    };
    let res;
    let compiled: CompiledQuery;
    try {
      compiled = await this.compile(query, {
        tenantId: ctx.tenantId,
        deviceScope: authz.scope(ctx),
        now,
        lookbackDays: Math.min(this.limits.lookbackDays, scope.lookbackDays ?? Infinity),
        batchSeq: scope.batchSeq,
        allowExternalData: this.limits.allowExternalData && !!this.fetchExternalData,
        fetchExternalData: this.limits.allowExternalData ? this.fetchExternalData : undefined,
        geoIp: this.limits.geoIp,
      }, async (q) => (await timed(q)).rows);
      // where the engine prints each row as JSON itself, rows need no conversion value by value
      res = await timed(compiled.jsonSql ? { sql: compiled.jsonSql, params: compiled.params, columns: [{ name: 'row', type: 'string' }] } : compiled);
    } finally {
      await this.counters.settle([this.cpuBudget(ctx.tenantId)], Math.min(storeMs, reservedMs) - reservedMs, now.getTime());
    }
    if (res.truncated) {
      throw errors.badRequest(`Query result exceeded the limit of ${this.limits.maxRows} rows; narrow it with where, summarize or take`);
    }
    let schema: HuntingResult['schema'];
    let resultsJson: string;
    if (compiled.jsonSql) {
      schema = this.format(compiled.columns, []).schema;
      let size = 0;
      for (const r of res.rows) size += (r[0] as string).length;
      if (size > MAX_RESULT_CHARS) throw resultTooLarge();
      resultsJson = `[${res.rows.map((r) => r[0] as string).join(',')}]`;
    } else {
      const formatted = this.format(res.columns, res.rows);
      schema = formatted.schema;
      resultsJson = JSON.stringify(formatted.results);
      if (resultsJson.length > MAX_RESULT_CHARS) throw resultTooLarge();
    }
    return {
      schema,
      resultsJson,
      stats: { executionTimeSeconds: res.stats.elapsedMs / 1000, rowsReturned: res.rows.length, rowsScanned: res.stats.rowsScanned ?? null, truncated: false },
    };
  }

  /** The counter of a tenant's hunting CPU time (milliseconds of store execution per hour). */
  private cpuBudget(tenantId: string) {
    return { key: `hunting-cpu ${tenantId}`, windowMs: HOUR_MS, limit: this.limits.cpuMsPerHour };
  }

  /**
   * Reserves the execution time a query may use (the timeout, or what is left of the tenant's hourly
   * budget when that is less) before it runs; refuses a tenant with nothing left.
   */
  private async reserveCpu(tenantId: string, now: Date): Promise<number> {
    const budget = this.cpuBudget(tenantId);
    const left = budget.limit - (await this.counters.used(budget.key, budget.windowMs, now.getTime()));
    const want = Math.min(this.limits.timeoutMs, left);
    const r = want > 0
      ? await this.counters.reserve([budget], want, now.getTime())
      : { ok: false as const, resetAt: (Math.floor(now.getTime() / budget.windowMs) + 1) * budget.windowMs };
    if (r.ok) return want;
    const retry = Math.max(1, Math.ceil((r.resetAt - now.getTime()) / 1000));
    throw new PalisadeError('TooManyRequests', `The tenant's hunting CPU quota (${Math.round(this.limits.cpuMsPerHour / 60_000)} minutes of execution per hour) is exhausted. Try again in ${retry} seconds.`, { headers: { 'Retry-After': String(retry) } });
  }
}
