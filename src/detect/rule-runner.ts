/**
 * The custom detection rule runner (the `scheduler` role, src/compose.ts). Scheduled rules: every
 * tick it asks the state store for due rules of every tenant, takes each rule's run lease (so two
 * processes never run one rule at once), runs its query through the hunting service as the system
 * for the rule's tenant (the tenant's hunting CPU budget and fair slots apply) over the window since
 * its last completed run plus one period for late-arriving events, and raises one alert per result
 * row through the alert use case. Near-real-time rules (period `0`): a consumer group of the
 * committed-batch feed evaluates each of the tenant's such rules on every batch holding rows of its
 * table, the rule's filter restricted to that batch's rows.
 *
 * An alert's dedupe key is the rule id plus the event's identity (Timestamp, DeviceId, ReportId), so
 * overlapping windows, a near-real-time and a catch-up evaluation, a retried batch or a restart never
 * raise two alerts for one event. A failing run disables nothing: its error goes to the rule's
 * lastRunDetails and the rule runs again at its next period.
 */
import type { Logger } from 'pino';
import { systemCtx } from '../domain/context.ts';
import type { AlertDraft, AlertEvidenceDraft, AlertRaiser, AlertSeverity } from '../domain/alert.ts';
import {
  assetColumn, IMPACTED_ASSET_TYPES, periodMs, type DetectionRule, type RuleErrorCode, type RuleRunStatus, type RuleRunUpdate,
} from '../domain/detection-rule.ts';
import { PalisadeError } from '../domain/errors.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { CommittedBatch, Queue, QueueConsumer, StateStore } from '../domain/ports.ts';
import type { HuntingService, RunScope } from '../services/hunting.ts';
import type { RuleResponder } from './rule-responses.ts';

const DAY_MS = 86_400_000;
/** MDE's look-back limit: no window reaches further back. */
const MAX_LOOKBACK_MS = 30 * DAY_MS;

/** Failures that may pass by themselves, and the pauses before a near-real-time evaluation is tried again. */
const TRANSIENT: ReadonlySet<RuleErrorCode> = new Set(['queryExecutionThrottling', 'queryTimeout', 'queryLimitsExceeded']);
const NRT_RETRY_PAUSES_MS = [1_000, 3_000];

/** The consumer group near-real-time rules read the feed as. */
export const NRT_CONSUMER_GROUP = 'detection-rules';

/** The runner's knobs; defaults suit a server. */
export interface RuleRunnerOptions {
  /** How often the scheduler looks for due rules. */
  tickMs: number;
  /** How long a run lease lasts: longer than any run (the hunting timeout plus raising the alerts). */
  leaseMs: number;
  /** Due rules taken per tick. */
  batch: number;
  /** New alerts one run raises at most; the rest are raised by the next run (their dedupe keys stop repeats). */
  maxAlertsPerRun: number;
  /** How long a tenant's list of near-real-time rules is reused before it is read again. */
  nrtCacheMs: number;
}

export const DEFAULT_RULE_RUNNER_OPTIONS: RuleRunnerOptions = { tickMs: 15_000, leaseMs: 10 * 60_000, batch: 20, maxAlertsPerRun: 1_000, nrtCacheMs: 2_000 };

/** What the runner works with. */
export interface RuleRunnerDeps {
  state: StateStore;
  hunting: HuntingService;
  alerts: AlertRaiser;
  /** The committed-batch feed, for near-real-time rules; null when this process has none (no pipeline role). */
  feed: Queue | null;
  /** Names this process in the rules' leases (unique per process). */
  owner: string;
  /** Carries out the rules' automatic actions for each new alert (rule-responses.ts); none: they are only described on the alert. */
  responder?: RuleResponder;
  clock?: () => Date;
  log?: Logger;
  options?: Partial<RuleRunnerOptions>;
}

/** What one evaluation of a rule did. */
export interface RunOutcome {
  status: RuleRunStatus;
  rows: number;
  raised: number;
  errorCode: RuleErrorCode | null;
  failureReason: string | null;
}

/** The error code and reason Graph's runDetails would give a failed query. */
function queryFailure(e: unknown): { errorCode: RuleErrorCode; failureReason: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof PalisadeError && e.code === 'TooManyRequests') return { errorCode: 'queryExecutionThrottling', failureReason: message };
  if (/timed? ?out|interrupt/i.test(message)) return { errorCode: 'queryTimeout', failureReason: message };
  if (/exceeded the limit|result exceeded/i.test(message)) return { errorCode: 'queryExceededResultSize', failureReason: message };
  if (/memory/i.test(message)) return { errorCode: 'queryLimitsExceeded', failureReason: message };
  return { errorCode: 'queryExecutionFailed', failureReason: e instanceof PalisadeError && e.expose ? message : 'The query failed to run' };
}

const SEVERITY: Record<string, AlertSeverity> = { informational: 'Informational', low: 'Low', medium: 'Medium', high: 'High' };

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** The event a result row is about, or null when the row does not name one. */
export function eventKey(ruleId: string, row: Record<string, unknown>): string | null {
  const ts = str(row.Timestamp);
  const device = str(row.DeviceId);
  const report = str(row.ReportId);
  if (!ts || !device || !report) return null;
  return `rule:${ruleId}:${ts}:${device}:${report}`;
}

/** The evidence a row gives by the rule's entity mapping, and a process when the row describes one. */
function evidenceOf(rule: DetectionRule, row: Record<string, unknown>): AlertEvidenceDraft[] {
  const out: AlertEvidenceDraft[] = [];
  if (str(row.ProcessCommandLine)) {
    out.push({
      // hashes only as the rule's entity mapping names them (a File asset), since alerts sharing a
      // file join one incident and the process here is often a common binary (powershell.exe)
      entityType: 'Process', processId: num(row.ProcessId), processCommandLine: str(row.ProcessCommandLine), processCreationTime: str(row.ProcessCreationTime),
      fileName: str(row.FileName), filePath: str(row.FolderPath),
      parentProcessId: num(row.InitiatingProcessId), parentProcessFileName: str(row.InitiatingProcessFileName), parentProcessFilePath: str(row.InitiatingProcessFolderPath),
      parentProcessCreationTime: str(row.InitiatingProcessCreationTime),
    });
  }
  for (const a of rule.detectionAction.alertTemplate.impactedAssets) {
    const value = str(row[assetColumn(a.identifier)]);
    if (!value) continue;
    const kind = IMPACTED_ASSET_TYPES[a['@odata.type']].kind;
    const initiating = a.identifier.startsWith('initiatingProcess');
    if (kind === 'user') {
      const sid = /sid$/i.test(a.identifier) ? value : str(row.AccountSid);
      out.push({ entityType: 'User', accountName: /name$/i.test(a.identifier) ? value : str(row.AccountName), userSid: sid, domainName: str(initiating ? row.InitiatingProcessAccountDomain : row.AccountDomain), userPrincipalName: /upn$/i.test(a.identifier) ? value : str(row.AccountUpn) });
    } else if (kind === 'file') {
      const hash = /sha256$/i.test(a.identifier) ? { sha256: value } : { sha1: value };
      out.push({ entityType: 'File', ...hash, fileName: str(initiating ? row.InitiatingProcessFileName : row.FileName), filePath: str(initiating ? row.InitiatingProcessFolderPath : row.FolderPath) });
    } else if (kind === 'ip') {
      out.push({ entityType: 'Ip', ipAddress: value });
    }
  }
  return out;
}

/** The alert a rule raises for one result row (the event named by `key`). */
export function alertDraftOf(rule: DetectionRule, row: Record<string, unknown>, key: string): AlertDraft {
  const t = rule.detectionAction.alertTemplate;
  const evidence = evidenceOf(rule, row);
  const user = evidence.find((e) => e.entityType === 'User');
  const actions = rule.detectionAction.responseActions;
  return {
    dedupeKey: key,
    title: t.title,
    description: actions.length
      ? `${t.description}${t.description ? '\n\n' : ''}Automatic actions requested by the rule: ${actions.map((a) => `${a['@odata.type'].replace(/^#microsoft\.graph\.security\./, '').replace(/ResponseAction$/, '')} (${a.identifier})`).join(', ')}.`
      : t.description,
    severity: SEVERITY[t.severity] ?? 'Medium',
    category: t.category,
    detectionSource: 'CustomDetection',
    machineId: String(row.DeviceId).toLowerCase(),
    detectorId: rule.id,
    recommendedAction: t.recommendedActions,
    mitreTechniques: t.mitreTechniques,
    firstEventTime: String(row.Timestamp),
    lastEventTime: String(row.Timestamp),
    relatedUser: user?.accountName ? { userName: user.accountName, domainName: user.domainName ?? null } : null,
    evidence,
  };
}

/**
 * The window a scheduled run reads, as a look-back from `now`: back to its last completed run (the
 * first run: one period) plus one more period for events that arrive late, at most 30 days.
 */
export function lookbackMs(rule: Pick<DetectionRule, 'period' | 'lastSuccessDateTime'>, now: Date): number {
  const period = periodMs(rule.period) ?? 0;
  const since = rule.lastSuccessDateTime ? Date.parse(rule.lastSuccessDateTime) : now.getTime() - period;
  return Math.min(MAX_LOOKBACK_MS, Math.max(0, now.getTime() - since) + period);
}

/** The next run after one that was due at `due` and ran at `now`: on the period's grid, never in the past. */
export function nextRunAfter(rule: Pick<DetectionRule, 'period' | 'nextRunDateTime'>, now: Date): string {
  const period = periodMs(rule.period) ?? 0;
  const due = rule.nextRunDateTime ? Date.parse(rule.nextRunDateTime) : now.getTime();
  const next = due + period;
  return new Date(next > now.getTime() ? next : now.getTime() + period).toISOString();
}

/** Runs custom detection rules: scheduled ones on a timer, near-real-time ones on the feed. */
export class DetectionRuleRunner {
  private readonly o: RuleRunnerOptions;
  private readonly clock: () => Date;
  private timer: ReturnType<typeof setInterval> | null = null;
  private consumer: QueueConsumer | null = null;
  private ticking: Promise<unknown> | null = null;
  private readonly nrtCache = new Map<string, { at: number; rules: DetectionRule[] }>();
  /** When each near-real-time rule's outcome was last written, and its status then (writes are thinned). */
  private readonly nrtRecorded = new Map<string, { at: number; status: RuleRunStatus }>();
  /** Aborted by stop(): a query in progress is interrupted rather than waited for. */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: RuleRunnerDeps) {
    this.o = { ...DEFAULT_RULE_RUNNER_OPTIONS, ...deps.options };
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Starts the timer and, when this process has the feed, the near-real-time consumer group. */
  async start(): Promise<void> {
    if (this.deps.feed) this.consumer = await this.deps.feed.consume(NRT_CONSUMER_GROUP, (b) => this.evaluateBatch(b));
    else this.deps.log?.warn('no committed-batch feed in this process (pipeline role absent): near-real-time detection rules do not run here');
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.timer.unref();
  }

  /** Stops the timer and the consumer; waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort(new PalisadeError('ServiceUnavailable', 'The server is stopping'));
    await this.consumer?.stop();
    this.consumer = null;
    await this.ticking;
  }

  /** One scheduler pass unless one is running. */
  private tick(): Promise<unknown> {
    this.ticking ??= this.runDue()
      .catch((e: unknown) => this.deps.log?.error({ err: e }, 'detection rule pass failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  /**
   * One scheduler pass: runs every due rule whose lease this process gets, until none is due.
   * Returns the rules it ran.
   */
  async runDue(): Promise<number> {
    let ran = 0;
    while (!this.stopping.signal.aborted) {
      const now = this.clock();
      const due = await this.deps.state.detectionRules.due(now.toISOString(), this.o.batch);
      let took = 0;
      for (const d of due) {
        const rule = await this.deps.state.detectionRules.takeLease(d.tenantId, d.id, this.deps.owner, now.toISOString(), new Date(now.getTime() + this.o.leaseMs).toISOString());
        if (!rule) continue;
        took++;
        await this.runLeased(rule);
      }
      ran += took;
      if (due.length < this.o.batch || took === 0) break;
    }
    return ran;
  }

  /** Runs a rule whose lease this process holds, records the outcome and releases the lease. */
  private async runLeased(rule: DetectionRule): Promise<RunOutcome> {
    const now = this.clock();
    const outcome = await this.evaluate(rule, { lookbackDays: lookbackMs(rule, now) / DAY_MS });
    if (this.stopping.signal.aborted) {
      // interrupted by shutdown: release the lease and leave the rule as it was, due as before
      const { lastRunDateTime, lastRunStatus, lastRunFailureReason, lastRunErrorCode, nextRunDateTime } = rule;
      await this.deps.state.detectionRules.recordRun(rule.tenantId, rule.id, this.deps.owner, { lastRunDateTime, lastRunStatus, lastRunFailureReason, lastRunErrorCode, nextRunDateTime });
      return outcome;
    }
    const run: RuleRunUpdate = {
      lastRunDateTime: now.toISOString(), lastRunStatus: outcome.status, lastRunFailureReason: outcome.failureReason, lastRunErrorCode: outcome.errorCode,
      nextRunDateTime: nextRunAfter(rule, now),
    };
    // the window moves on only when every event in it was turned into an alert
    if (outcome.status === 'completed' && outcome.errorCode === null) run.lastSuccessDateTime = now.toISOString();
    const recorded = await this.deps.state.detectionRules.recordRun(rule.tenantId, rule.id, this.deps.owner, run);
    if (!recorded) this.deps.log?.warn({ tenantId: rule.tenantId, ruleId: rule.id }, 'detection rule lease was lost during its run; its outcome was not recorded');
    if (outcome.status !== 'completed') this.deps.log?.warn({ tenantId: rule.tenantId, ruleId: rule.id, ...outcome }, 'detection rule run failed');
    return outcome;
  }

  /** Runs the rule's query within `scope` and raises an alert per new event. */
  private async evaluate(rule: DetectionRule, scope: RunScope): Promise<RunOutcome> {
    const ctx = systemCtx(rule.tenantId, ['AdvancedQuery.Read.All']);
    ctx.signal = this.stopping.signal;
    let rows: Record<string, unknown>[];
    try {
      const result = await this.deps.hunting.run(ctx, rule.queryText, REQUIRE.advancedQuery, scope);
      rows = JSON.parse(result.resultsJson) as Record<string, unknown>[];
    } catch (e) {
      return { status: 'failed', rows: 0, raised: 0, ...queryFailure(e) };
    }
    const scopeNames = rule.detectionAction.organizationalScope?.scopeNames;
    let raised = 0;
    let unidentified = 0;
    let failed = 0;
    let capped = false;
    const alertCtx = systemCtx(rule.tenantId);
    for (const row of rows) {
      const key = eventKey(rule.id, row);
      if (!key) {
        unidentified++;
        continue;
      }
      if (raised >= this.o.maxAlertsPerRun) {
        capped = true;
        break;
      }
      try {
        if (scopeNames) {
          const device = await this.deps.state.devices.get(rule.tenantId, String(row.DeviceId).toLowerCase(), 'all');
          if (!device || !scopeNames.includes(device.rbacGroupName ?? '')) continue;
        }
        const r = await this.deps.alerts.raise(alertCtx, alertDraftOf(rule, row, key));
        if (r.created) {
          raised++;
          // once per event: a repeat of the alert (its dedupe key) repeats no action
          if (rule.detectionAction.responseActions.length) await this.deps.responder?.respond(rule, row, r.alert.id);
        }
      } catch (e) {
        failed++;
        this.deps.log?.warn({ err: e, tenantId: rule.tenantId, ruleId: rule.id }, 'detection rule could not raise an alert');
      }
    }
    const handled = rows.length - unidentified - failed;
    if (failed || unidentified) {
      const errorCode: RuleErrorCode = unidentified && !failed ? 'alertReportNotFound' : handled > 0 ? 'partialRowsFailed' : 'alertCreationFailed';
      const failureReason = unidentified && !failed
        ? `${unidentified} of ${rows.length} result rows name no event (Timestamp, DeviceId and ReportId must each have a value); check the query for aggregations over them`
        : `${failed} of ${rows.length} result rows could not be turned into alerts`;
      return { status: handled > 0 ? 'partiallyFailed' : 'failed', rows: rows.length, raised, errorCode, failureReason };
    }
    if (capped) {
      return { status: 'completed', rows: rows.length, raised, errorCode: 'queryExceededResultSize', failureReason: `Only ${this.o.maxAlertsPerRun} new alerts are raised per run; the rest follow on the next run` };
    }
    return { status: 'completed', rows: rows.length, raised, errorCode: null, failureReason: null };
  }

  /**
   * Forgets the tenant's near-real-time rules read so far (a rule changed in this process); a change
   * made by another process is seen within `nrtCacheMs`.
   */
  invalidate(tenantId: string): void {
    this.nrtCache.delete(tenantId);
  }

  /** The tenant's enabled near-real-time rules, read again after a short while. */
  private async nrtRules(tenantId: string): Promise<DetectionRule[]> {
    const now = Date.now();
    const hit = this.nrtCache.get(tenantId);
    if (hit && now - hit.at < this.o.nrtCacheMs) return hit.rules;
    const rules = await this.deps.state.detectionRules.nearRealTime(tenantId);
    this.nrtCache.set(tenantId, { at: now, rules });
    return rules;
  }

  /**
   * Evaluates the tenant's near-real-time rules on one committed batch (the feed's handler). A
   * transient failure is tried twice more after a pause; a failure that remains is recorded on the
   * rule, never thrown, so one rule cannot hold back the feed (that batch then goes unevaluated for
   * that rule, which its lastRunDetails shows).
   */
  async evaluateBatch(batch: CommittedBatch): Promise<void> {
    const tables = new Set(batch.tables.filter((t) => t.rows > 0).map((t) => t.table));
    if (!tables.size) return;
    const rules = (await this.nrtRules(batch.tenantId)).filter((r) => r.nrtTable !== null && tables.has(r.nrtTable));
    for (const rule of rules) {
      let outcome = await this.evaluate(rule, { batchSeq: batch.seq });
      // a passing shortage (the tenant's budget or slots, a timeout under load) is waited out a
      // little, holding the feed a few seconds at most; a query that fails by itself is not retried
      for (const pause of NRT_RETRY_PAUSES_MS) {
        if (!outcome.errorCode || !TRANSIENT.has(outcome.errorCode) || this.stopping.signal.aborted) break;
        await new Promise((resolve) => setTimeout(resolve, pause));
        outcome = await this.evaluate(rule, { batchSeq: batch.seq });
      }
      await this.recordNrt(rule, outcome);
    }
  }

  /** Writes a near-real-time rule's outcome when its status changed or a while has passed (not on every batch). */
  private async recordNrt(rule: DetectionRule, outcome: RunOutcome): Promise<void> {
    const key = `${rule.tenantId}\u0000${rule.id}`;
    const now = this.clock();
    const last = this.nrtRecorded.get(key);
    if (last && last.status === outcome.status && outcome.status === 'completed' && now.getTime() - last.at < 30_000) return;
    this.nrtRecorded.set(key, { at: now.getTime(), status: outcome.status });
    if (outcome.status !== 'completed') this.deps.log?.warn({ tenantId: rule.tenantId, ruleId: rule.id, ...outcome }, 'near-real-time detection rule failed on a batch');
    await this.deps.state.detectionRules.recordRun(rule.tenantId, rule.id, null, {
      lastRunDateTime: now.toISOString(), lastRunStatus: outcome.status, lastRunFailureReason: outcome.failureReason, lastRunErrorCode: outcome.errorCode,
    }).catch((e: unknown) => this.deps.log?.error({ err: e }, 'could not record a near-real-time detection rule run'));
  }
}
