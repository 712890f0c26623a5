/**
 * Custom detection rule use cases behind `/api/detectionrules` (Palisade's own API, shaped after
 * Microsoft Graph's detectionRule). Reading needs an alert-read permission; writing needs an
 * alert-write permission and an advanced-hunting permission too, since a rule runs a hunting query
 * over the tenant's events and turns its rows into alerts. A rule's query is compiled on every
 * create and update that sets it: one that does not compile, lacks the columns that identify an
 * event (Timestamp, DeviceId, ReportId) or the columns its entity mapping and actions name, or asks
 * for near real time without being a single table's filter is refused with a 400 and nothing is
 * saved. Every change is audited, a refused one included.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import {
  assetColumn, canonicalPeriod, IMPACTED_ASSET_TYPES, NRT_PERIOD, periodMs, RESPONSE_ACTION_TYPES, RULE_EVENT_COLUMNS, RULE_SEVERITIES,
  type AlertTemplate, type DetectionAction, type DetectionRule, type ImpactedAsset, type ImpactedAssetType, type ResponseAction,
  type ResponseActionType, type RuleSeverity,
} from '../domain/detection-rule.ts';
import { ALERT_CATEGORIES } from '../domain/alert.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { DetectionRulePatch, Page, Repos, StateStore } from '../domain/ports.ts';
import { audited } from './audit.ts';

/** What checking a rule's query tells (src/detect/rule-query.ts implements it over the KQL engine). */
export interface RuleQueryCheck {
  /** The result's column names, in order. */
  columns: string[];
  /** The one table a near-real-time run filters; null when the query is not such a filter. */
  nrtTable: string | null;
  /** Why the query cannot run in near real time (null when it can). */
  nrtRefusal: string | null;
}

/** Compiles a rule's query for a tenant at `now`; throws the hunting API's 400 when it does not compile. */
export type RuleQueryChecker = (text: string, tenantId: string, now: Date) => RuleQueryCheck;

/** Rules a tenant may have. */
export const MAX_RULES_PER_TENANT = 1_000;
/** Longest query text (as the hunting API). */
export const MAX_RULE_QUERY_LENGTH = 100_000;
const MAX_NAME = 256;
const MAX_TEXT = 4_000;
const MAX_LIST = 20;
const MITRE_TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

/** The permissions of writing a rule: both groups (an alert-write and an advanced-hunting permission). */
export const RULE_WRITE = [REQUIRE.alertWrite, REQUIRE.advancedQuery] as const;

const WRITABLE = new Set(['displayName', 'isEnabled', 'queryCondition', 'schedule', 'detectionAction', '@odata.type']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(where: string, o: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k) && k !== '@odata.type') throw errors.invalidBody(`'${where}${k}' is not a property Palisade accepts here; expected ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

function text(where: string, v: unknown, max: number, required = true): string {
  if (typeof v !== 'string' || (required && !v.trim())) throw errors.invalidBody(`'${where}' must be a${required ? ' non-empty' : ''} string`);
  if (v.length > max) throw errors.invalidBody(`'${where}' is longer than ${max} characters`);
  return required ? v.trim() : v;
}

function list(where: string, v: unknown, max = MAX_LIST): unknown[] {
  if (!Array.isArray(v)) throw errors.invalidBody(`'${where}' must be an array`);
  if (v.length > max) throw errors.invalidBody(`'${where}' holds at most ${max} items`);
  return v;
}

function severityOf(v: unknown): RuleSeverity {
  const s = typeof v === 'string' ? v.toLowerCase() : v;
  if (!RULE_SEVERITIES.includes(s as RuleSeverity)) throw errors.invalidBody(`'detectionAction/alertTemplate/severity' must be one of ${RULE_SEVERITIES.join(', ')}`);
  return s as RuleSeverity;
}

/** An alert category as MDE spells it (matched case-insensitively). */
function categoryOf(v: unknown): string {
  const found = typeof v === 'string' ? ALERT_CATEGORIES.find((c) => c.toLowerCase() === v.trim().toLowerCase()) : undefined;
  if (!found) throw errors.invalidBody(`'detectionAction/alertTemplate/category' must be one of ${ALERT_CATEGORIES.join(', ')}`);
  return found;
}

function impactedAssetOf(v: unknown, i: number): ImpactedAsset {
  const where = `detectionAction/alertTemplate/impactedAssets/${i}`;
  if (!isObject(v)) throw errors.invalidBody(`'${where}' must be an object`);
  checkKeys(`${where}/`, v, ['identifier']);
  const type = v['@odata.type'];
  if (typeof type !== 'string' || !Object.hasOwn(IMPACTED_ASSET_TYPES, type)) {
    throw errors.invalidBody(`'${where}/@odata.type' must be one of ${Object.keys(IMPACTED_ASSET_TYPES).join(', ')}`);
  }
  const allowed: readonly string[] = IMPACTED_ASSET_TYPES[type as ImpactedAssetType].identifiers;
  if (typeof v.identifier !== 'string' || !allowed.includes(v.identifier)) throw errors.invalidBody(`'${where}/identifier' of ${type} must be one of ${allowed.join(', ')}`);
  return { '@odata.type': type as ImpactedAssetType, identifier: v.identifier };
}

function responseActionOf(v: unknown, i: number): ResponseAction {
  const where = `detectionAction/responseActions/${i}`;
  if (!isObject(v)) throw errors.invalidBody(`'${where}' must be an object`);
  const type = v['@odata.type'];
  if (typeof type !== 'string' || !Object.hasOwn(RESPONSE_ACTION_TYPES, type)) {
    throw errors.invalidBody(`'${where}/@odata.type' must be one of ${Object.keys(RESPONSE_ACTION_TYPES).join(', ')}`);
  }
  const t = type as ResponseActionType;
  const isolate = t === '#microsoft.graph.security.isolateDeviceResponseAction';
  const indicator = t === '#microsoft.graph.security.blockFileResponseAction' || t === '#microsoft.graph.security.allowFileResponseAction';
  checkKeys(`${where}/`, v, ['identifier', ...(isolate ? ['isolationType'] : []), ...(indicator ? ['deviceGroupNames'] : [])]);
  const allowed: readonly string[] = RESPONSE_ACTION_TYPES[t];
  // Graph documents deviceId as the default identifier of the device actions
  const identifier = v.identifier ?? (allowed.includes('deviceId') ? 'deviceId' : undefined);
  if (typeof identifier !== 'string' || !allowed.includes(identifier)) throw errors.invalidBody(`'${where}/identifier' of ${t} must be one of ${allowed.join(', ')}`);
  const out: ResponseAction = { '@odata.type': t, identifier };
  if (isolate) {
    const kind = v.isolationType ?? 'full';
    if (kind !== 'full' && kind !== 'selective') throw errors.invalidBody(`'${where}/isolationType' must be 'full' or 'selective'`);
    out.isolationType = kind;
  }
  if (indicator && v.deviceGroupNames !== undefined) {
    out.deviceGroupNames = list(`${where}/deviceGroupNames`, v.deviceGroupNames).map((g, j) => text(`${where}/deviceGroupNames/${j}`, g, MAX_NAME));
  }
  return out;
}

/** Checks a detectionAction body and returns it in the stored shape. */
function detectionActionOf(v: unknown): DetectionAction {
  if (!isObject(v)) throw errors.invalidBody("'detectionAction' must be an object with an 'alertTemplate'");
  checkKeys('detectionAction/', v, ['alertTemplate', 'organizationalScope', 'responseActions']);
  const t = v.alertTemplate;
  if (!isObject(t)) throw errors.invalidBody("'detectionAction/alertTemplate' must be an object");
  checkKeys('detectionAction/alertTemplate/', t, ['title', 'description', 'severity', 'category', 'recommendedActions', 'mitreTechniques', 'impactedAssets']);
  const mitre = list('detectionAction/alertTemplate/mitreTechniques', t.mitreTechniques ?? []).map((m, i) => {
    if (typeof m !== 'string' || !MITRE_TECHNIQUE.test(m)) throw errors.invalidBody(`'detectionAction/alertTemplate/mitreTechniques/${i}' must be a MITRE ATT&CK technique id such as T1059 or T1059.001`);
    return m;
  });
  const assets = list('detectionAction/alertTemplate/impactedAssets', t.impactedAssets).map(impactedAssetOf);
  if (!assets.length) throw errors.invalidBody("'detectionAction/alertTemplate/impactedAssets' must map at least one result column to an entity (e.g. deviceId)");
  const alertTemplate: AlertTemplate = {
    title: text('detectionAction/alertTemplate/title', t.title, MAX_NAME),
    description: t.description === undefined || t.description === null ? '' : text('detectionAction/alertTemplate/description', t.description, MAX_TEXT, false),
    severity: severityOf(t.severity),
    category: categoryOf(t.category),
    recommendedActions: t.recommendedActions === undefined || t.recommendedActions === null ? null : text('detectionAction/alertTemplate/recommendedActions', t.recommendedActions, MAX_TEXT, false),
    mitreTechniques: [...new Set(mitre)],
    impactedAssets: assets,
  };
  let organizationalScope: DetectionAction['organizationalScope'] = null;
  if (v.organizationalScope !== undefined && v.organizationalScope !== null) {
    const s = v.organizationalScope;
    if (!isObject(s)) throw errors.invalidBody("'detectionAction/organizationalScope' must be an object or null");
    checkKeys('detectionAction/organizationalScope/', s, ['scopeType', 'scopeNames']);
    if (s.scopeType !== 'deviceGroup') throw errors.invalidBody("'detectionAction/organizationalScope/scopeType' must be 'deviceGroup'");
    const names = list('detectionAction/organizationalScope/scopeNames', s.scopeNames).map((n, i) => text(`detectionAction/organizationalScope/scopeNames/${i}`, n, MAX_NAME));
    if (!names.length) throw errors.invalidBody("'detectionAction/organizationalScope/scopeNames' must name at least one device group (or send organizationalScope: null for every device)");
    organizationalScope = { scopeType: 'deviceGroup', scopeNames: [...new Set(names)] };
  }
  const responseActions = list('detectionAction/responseActions', v.responseActions ?? [], 10).map(responseActionOf);
  return { alertTemplate, organizationalScope, responseActions };
}

/** The definition a create or update body asks for (only what it sets). */
interface Definition {
  displayName?: string;
  isEnabled?: boolean;
  queryText?: string;
  period?: string;
  detectionAction?: DetectionAction;
}

/** Reads and checks a rule body (every field when `create`); nothing about its query's columns yet. */
function definitionOf(body: unknown, create: boolean): Definition {
  if (!isObject(body)) throw errors.invalidBody('The body must be a detection rule object');
  for (const k of Object.keys(body)) {
    if (!WRITABLE.has(k)) throw errors.invalidBody(`'${k}' is ${['id', 'createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime', 'lastRunDetails'].includes(k) ? 'read-only' : 'not a property of a detection rule'}`);
  }
  const need = (k: string) => {
    if (create && body[k] === undefined) throw new PalisadeError('MissingRequiredParameter', `'${k}' is required`);
  };
  ['displayName', 'queryCondition', 'schedule', 'detectionAction'].forEach(need);
  const d: Definition = {};
  if (body.displayName !== undefined) d.displayName = text('displayName', body.displayName, MAX_NAME);
  if (body.isEnabled !== undefined) {
    if (typeof body.isEnabled !== 'boolean') throw errors.invalidBody("'isEnabled' must be true or false");
    d.isEnabled = body.isEnabled;
  }
  if (body.queryCondition !== undefined) {
    const q = body.queryCondition;
    if (!isObject(q)) throw errors.invalidBody("'queryCondition' must be an object with a 'queryText'");
    checkKeys('queryCondition/', q, ['queryText']);
    d.queryText = text('queryCondition/queryText', q.queryText, MAX_RULE_QUERY_LENGTH);
  }
  if (body.schedule !== undefined) {
    const s = body.schedule;
    if (!isObject(s)) throw errors.invalidBody("'schedule' must be an object with a 'period'");
    checkKeys('schedule/', s, ['period']);
    const ms = typeof s.period === 'string' ? periodMs(s.period.trim()) : null;
    if (ms === null) throw errors.invalidBody("'schedule/period' must be '0' (near real time) or a period from 5M to 24H, such as 5M, 1H, 3H, 12H or 24H");
    d.period = canonicalPeriod(ms);
  }
  if (body.detectionAction !== undefined) d.detectionAction = detectionActionOf(body.detectionAction);
  return d;
}

/** The when of a scheduled rule's first run after a change: now (as MDE runs a new rule at once). */
const firstRun = (period: string, now: Date) => (period === NRT_PERIOD ? null : now.toISOString());

/** Custom detection rule use cases. */
export class DetectionRuleService {
  private readonly listeners: ((tenantId: string) => void)[] = [];

  constructor(
    private readonly store: StateStore,
    private readonly checkQuery: RuleQueryChecker,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Calls `fn` with the tenant after each change to one of its rules (the runner drops what it cached). */
  onChange(fn: (tenantId: string) => void): void {
    this.listeners.push(fn);
  }

  /** GET /api/detectionrules. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<DetectionRule>> {
    authz.require(ctx, REQUIRE.alertRead);
    return this.store.detectionRules.list(ctx.tenantId, q);
  }

  /** GET /api/detectionrules/{id}; 404 when the tenant has no such rule. */
  async get(ctx: Ctx, id: string): Promise<DetectionRule> {
    authz.require(ctx, REQUIRE.alertRead);
    return this.find(this.store, ctx, id);
  }

  private async find(r: Pick<Repos, 'detectionRules'>, ctx: Ctx, id: string): Promise<DetectionRule> {
    const rule = await r.detectionRules.get(ctx.tenantId, id);
    if (!rule) throw errors.notFound(`Detection rule ${id} was not found`);
    return rule;
  }

  /**
   * Runs a change audited (services/audit.ts): authorized first — both write permissions, and a
   * caller who sees every device group, since a rule runs over the whole tenant — in one
   * transaction, recorded with its result.
   */
  private async mutate<T>(ctx: Ctx, action: string, target: string, body: unknown, fn: (r: Repos) => Promise<T>): Promise<T> {
    const details = body === undefined ? null : JSON.stringify(body).slice(0, 2000);
    const out = await audited(this.store, ctx, this.clock, action, target, async (r) => {
      for (const group of RULE_WRITE) authz.require(ctx, group);
      if (ctx.principal.deviceGroups !== 'all') throw errors.forbidden('Detection rules run over every device of the tenant: only a caller who sees every device group may change them');
      return fn(r);
    }, details);
    for (const listener of this.listeners) listener(ctx.tenantId);
    return out;
  }

  /**
   * Checks what a definition says of the query against the query itself: it compiles, returns the
   * columns that identify an event and those its mapping and actions read, and (for near real time)
   * is a single table's filter. Returns the near-real-time table.
   */
  private checkAgainstQuery(ctx: Ctx, queryText: string, period: string, action: DetectionAction): string | null {
    const check = this.checkQuery(queryText, ctx.tenantId, this.clock());
    const columns = new Set(check.columns);
    const missing = RULE_EVENT_COLUMNS.filter((c) => !columns.has(c));
    if (missing.length) {
      throw errors.badRequest(`The query must return the columns ${RULE_EVENT_COLUMNS.join(', ')} (they identify the event each alert is about); it does not return ${missing.join(', ')}`);
    }
    for (const [where, items] of [['impactedAssets', action.alertTemplate.impactedAssets], ['responseActions', action.responseActions]] as const) {
      for (const item of items) {
        const column = assetColumn(item.identifier);
        if (!columns.has(column)) throw errors.badRequest(`'${where}' names '${item.identifier}', but the query returns no column ${column}`);
      }
    }
    if (period !== NRT_PERIOD) return null;
    if (!check.nrtTable) throw errors.badRequest(`The query cannot run in near real time (schedule/period '0'): ${check.nrtRefusal}. Near-real-time rules filter one table with where, project and extend only; choose a period from 5M to 24H instead`);
    return check.nrtTable;
  }

  /** POST /api/detectionrules. */
  create(ctx: Ctx, body: unknown): Promise<DetectionRule> {
    return this.mutate(ctx, 'detectionRule.create', '', body, async (r) => {
      const d = definitionOf(body, true);
      const action = d.detectionAction!;
      const nrtTable = this.checkAgainstQuery(ctx, d.queryText!, d.period!, action);
      if ((await r.detectionRules.count(ctx.tenantId)) >= MAX_RULES_PER_TENANT) {
        throw errors.badRequest(`A tenant has at most ${MAX_RULES_PER_TENANT} detection rules; delete one first`);
      }
      const now = this.clock().toISOString();
      const who = ctx.principal.name || ctx.principal.id;
      const rule: DetectionRule = {
        tenantId: ctx.tenantId, id: randomUUID(), displayName: d.displayName!, isEnabled: d.isEnabled ?? true,
        createdBy: who, createdDateTime: now, lastModifiedBy: who, lastModifiedDateTime: now,
        queryText: d.queryText!, queryModifiedDateTime: now, period: d.period!, nextRunDateTime: firstRun(d.period!, this.clock()), nrtTable,
        detectionAction: action,
        lastRunDateTime: null, lastRunStatus: null, lastRunFailureReason: null, lastRunErrorCode: null, lastSuccessDateTime: null,
        leaseOwner: null, leaseExpiresDateTime: null,
      };
      await r.detectionRules.insert(rule);
      return rule;
    });
  }

  /** PATCH /api/detectionrules/{id}: the properties sent replace the rule's (a complex property whole). */
  update(ctx: Ctx, id: string, body: unknown): Promise<DetectionRule> {
    return this.mutate(ctx, 'detectionRule.update', id, body, async (r) => {
      const d = definitionOf(body, false);
      if (!Object.keys(d).length) throw errors.invalidBody('The body changes nothing: set displayName, isEnabled, queryCondition, schedule or detectionAction');
      const old = await this.find(r, ctx, id);
      const queryText = d.queryText ?? old.queryText;
      const period = d.period ?? old.period;
      const action = d.detectionAction ?? old.detectionAction;
      const definitionChanged = d.queryText !== undefined || d.period !== undefined || d.detectionAction !== undefined;
      const nrtTable = definitionChanged ? this.checkAgainstQuery(ctx, queryText, period, action) : old.nrtTable;
      const now = this.clock();
      const who = ctx.principal.name || ctx.principal.id;
      const patch: DetectionRulePatch = { lastModifiedBy: who, lastModifiedDateTime: now.toISOString() };
      if (d.displayName !== undefined) patch.displayName = d.displayName;
      if (d.isEnabled !== undefined) patch.isEnabled = d.isEnabled;
      if (d.queryText !== undefined) Object.assign(patch, { queryText, queryModifiedDateTime: now.toISOString() });
      if (d.detectionAction !== undefined) patch.detectionAction = action;
      if (definitionChanged) Object.assign(patch, { period, nrtTable });
      // a changed query or schedule, or a rule turned back on, runs at once
      if (d.queryText !== undefined || d.period !== undefined || (d.isEnabled === true && !old.isEnabled)) patch.nextRunDateTime = firstRun(period, now);
      const updated = await r.detectionRules.update(ctx.tenantId, id, patch);
      if (!updated) throw errors.notFound(`Detection rule ${id} was not found`);
      return updated;
    });
  }

  /** DELETE /api/detectionrules/{id}. The alerts it raised stay. */
  delete(ctx: Ctx, id: string): Promise<void> {
    return this.mutate(ctx, 'detectionRule.delete', id, undefined, async (r) => {
      if (!(await r.detectionRules.delete(ctx.tenantId, id))) throw errors.notFound(`Detection rule ${id} was not found`);
    });
  }
}
