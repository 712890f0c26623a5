/**
 * Indicator use cases behind the MDE indicators API (reference §2.4): list, submit-or-update
 * (upsert by type and value), import, delete, batch delete — and the versioned lists the ingest
 * pipeline matches against and sensors fetch. Every API method authorizes first; `Ti.ReadWrite`
 * reaches only the indicators its own app (or user) created, `Ti.ReadWrite.All` all of the
 * tenant's. Every change is audited in its transaction and takes a new tenant indicator version;
 * a refused request changes nothing.
 */
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import { MAX_ACTIVE_INDICATORS, MAX_INDICATOR_BATCH, type Indicator, type IndicatorInput } from '../domain/indicator.ts';
import { checkSubmission } from '../domain/indicator-submission.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { MatchableIndicator, Page, Repos, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';

/** One result of an import, as MDE answers it. */
export interface ImportResult {
  id: string | null;
  indicator: string;
  isFailed: boolean;
  failureReason: string | null;
}

/** A sensor's view of the indicators: what changed since its version, or everything. */
export interface SensorIndicatorList {
  /** The version the sensor is now at (send it back as `since`). */
  version: number;
  /** True when `indicators` is the whole list (replace what you hold), false when only changes. */
  full: boolean;
  indicators: { id: string; type: string; value: string; action: string; expires: string | null }[];
  /** Ids to forget: deleted, or no longer for this device's group. */
  removed: string[];
}

/** A tenant's active indicators as matching needs them, at a version (see detect/indicator-snapshot.ts). */
export interface MatchableIndicators {
  version: number;
  indicators: MatchableIndicator[];
}

const NUMERIC_ID = /^[1-9]\d{0,17}$/;

/** Any JSON value as short text for an audit target (never throws: `{"toString": 1}` is data, not a method). */
function show(v: unknown, max = 200): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return text.slice(0, max);
}

/** Whether the caller sees the indicator: it applies to every device, or to one of the caller's groups. */
function visibleTo(ctx: Ctx, i: Pick<Indicator, 'rbacGroupIds'>): boolean {
  const scope = authz.scope(ctx);
  return scope === 'all' || i.rbacGroupIds.length === 0 || i.rbacGroupIds.some((g) => scope.includes(Number(g)));
}

/** Whether the indicator applies to a device of group `rbacGroupId`. */
function appliesTo(i: Indicator, rbacGroupId: number): boolean {
  return i.rbacGroupIds.length === 0 || i.rbacGroupIds.includes(String(rbacGroupId));
}

/** Indicators API use cases. */
export class IndicatorService {
  private readonly listeners: ((tenantId: string) => void)[] = [];

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Calls `fn` after every committed change of a tenant's indicators (to drop cached lists). */
  onChange(fn: (tenantId: string) => void): void {
    this.listeners.push(fn);
  }

  private changed(tenantId: string): void {
    for (const fn of this.listeners) fn(tenantId);
  }

  /** The creator whose indicators the caller may reach: undefined for Ti.ReadWrite.All and for users (limited by their groups instead), else the caller. */
  private ownerFilter(ctx: Ctx): string | undefined {
    const p = ctx.principal;
    // a signed-in user reaches the indicators of its device groups (authz.scope), whoever created them, as in MDE's portal
    if (p.kind === 'operator' || p.kind === 'system' || p.kind === 'user' || p.permissions.has('Ti.ReadWrite.All')) return undefined;
    return this.creatorOf(ctx).createdBy;
  }

  private creatorOf(ctx: Ctx): Pick<Indicator, 'createdBy' | 'source' | 'sourceType' | 'createdByDisplayName' | 'createdBySource'> {
    const p = ctx.principal;
    if (p.kind === 'app') return { createdBy: p.id, source: p.name, sourceType: 'AadApp', createdByDisplayName: p.name, createdBySource: 'PublicApi' };
    if (p.kind === 'user') return { createdBy: p.name, source: p.name, sourceType: 'User', createdByDisplayName: p.name, createdBySource: 'Portal' };
    return { createdBy: p.id, source: p.name, sourceType: 'User', createdByDisplayName: p.name, createdBySource: 'Palisade' };
  }

  /** Throws Forbidden when the caller is limited to device groups and the indicator reaches beyond them. */
  private checkGroups(ctx: Ctx, i: Pick<Indicator, 'id' | 'rbacGroupIds'>): void {
    const scope = authz.scope(ctx);
    if (scope === 'all') return;
    if (i.rbacGroupIds.length === 0 || i.rbacGroupIds.some((g) => !scope.includes(Number(g)))) {
      throw errors.forbidden(`Indicator ${i.id} applies to device groups outside the caller's`);
    }
  }

  /** GET /api/indicators: active indicators (an app's own with Ti.ReadWrite; a user's groups' ones). */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<Indicator>> {
    authz.require(ctx, REQUIRE.indicators);
    return this.store.indicators.list(ctx.tenantId, q, this.clock(), this.ownerFilter(ctx), authz.scope(ctx));
  }

  /** GET /api/indicators/{id}: one active indicator the caller may reach; 404 otherwise. */
  async get(ctx: Ctx, id: string): Promise<Indicator> {
    authz.require(ctx, REQUIRE.indicators);
    const owner = this.ownerFilter(ctx);
    const [found] = NUMERIC_ID.test(id) ? await this.store.indicators.getLive(ctx.tenantId, [id]) : [];
    const now = this.clock().getTime();
    if (!found || (owner !== undefined && found.createdBy !== owner) || (found.expirationTime !== null && Date.parse(found.expirationTime) <= now) || !visibleTo(ctx, found)) {
      throw errors.notFound(`Indicator ${id} was not found`);
    }
    return found;
  }

  /** POST /api/indicators: creates the indicator, or updates the live one with the same type and value. */
  async submit(ctx: Ctx, body: unknown): Promise<Indicator> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const target = `${show(b.indicatorType ?? '', 50)}:${show(b.indicatorValue ?? '')}`;
    const out = await audited(this.store, ctx, this.clock, 'indicator.submit', target, async (r) => {
      authz.require(ctx, REQUIRE.indicators);
      const now = this.clock();
      const input = checkSubmission(body, now);
      const [one] = await this.upsert(ctx, r, [input], now);
      if (one instanceof PalisadeError) throw one;
      return one;
    }, JSON.stringify(body ?? null).slice(0, 2000));
    this.changed(ctx.tenantId);
    return out;
  }

  /**
   * POST /api/indicators/import: up to 500 submissions in one transaction; each item is created,
   * updated or refused with its reason (a refused item changes nothing). A body that is not a list
   * of 1–500 items is refused whole.
   */
  async importMany(ctx: Ctx, body: unknown): Promise<ImportResult[]> {
    const items = (body as { Indicators?: unknown } | null)?.Indicators;
    const target = Array.isArray(items) ? `${items.length} indicators` : '';
    const out = await audited(this.store, ctx, this.clock, 'indicator.import', target, async (r) => {
      authz.require(ctx, REQUIRE.indicators);
      if (!Array.isArray(items)) {
        if (items === undefined) throw new PalisadeError('MissingRequiredParameter', "The field 'Indicators' (a list of indicators) is required");
        throw errors.invalidBody("'Indicators' must be a list of indicators");
      }
      if (items.length === 0) throw errors.invalidBody("'Indicators' must hold at least one indicator");
      if (items.length > MAX_INDICATOR_BATCH) {
        throw new PalisadeError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${items.length}, allowed: ${MAX_INDICATOR_BATCH}`);
      }
      const now = this.clock();
      const checked = items.map((item) => {
        try {
          return checkSubmission(item, now);
        } catch (e) {
          if (e instanceof PalisadeError) return e;
          throw e;
        }
      });
      const inputs = checked.filter((c): c is IndicatorInput => !(c instanceof PalisadeError));
      const results = await this.upsert(ctx, r, inputs, now);
      let k = 0;
      return checked.map((c, i): ImportResult => {
        const raw = (items[i] as { indicatorValue?: unknown } | null)?.indicatorValue;
        const indicator = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
        const res = c instanceof PalisadeError ? c : results[k++];
        return res instanceof PalisadeError
          ? { id: null, indicator, isFailed: true, failureReason: `${res.code}: ${res.message}` }
          : { id: res.id, indicator, isFailed: false, failureReason: null };
      });
    });
    this.changed(ctx.tenantId);
    return out;
  }

  /**
   * Creates or updates each input in order (a later duplicate updates the earlier one), under the
   * 15,000-active cap: an item is refused (returned as an error) when it belongs to another creator
   * the caller may not reach, names unknown device groups, or would exceed the cap.
   */
  private async upsert(ctx: Ctx, r: Repos, inputs: readonly IndicatorInput[], now: Date): Promise<(Indicator | PalisadeError)[]> {
    if (!inputs.length) return [];
    const owner = this.ownerFilter(ctx);
    const creator = this.creatorOf(ctx);
    const at = now.toISOString();
    const existing = new Map<string, Indicator>();
    for (const i of await r.indicators.findLiveByValues(ctx.tenantId, inputs)) existing.set(`${i.indicatorType}\u0000${i.indicatorValue}`, i);
    // names resolve against the tenant's device groups, in any case (MDE: an unknown name is a 400)
    const groups = new Map<string, { id: number; name: string }>();
    if (inputs.some((i) => i.rbacGroupNames.length)) for (const g of await r.deviceGroups.list(ctx.tenantId)) groups.set(g.name.toLowerCase(), { id: g.id, name: g.name });
    const creating = inputs.filter((i) => !existing.has(`${i.indicatorType}\u0000${i.indicatorValue}`)).length;
    const { firstId, version } = await r.indicators.allocate(ctx.tenantId, Math.max(1, creating));
    let nextId = firstId;
    let active = await r.indicators.countActive(ctx.tenantId, now);
    const out: (Indicator | PalisadeError)[] = [];
    for (const given of inputs) {
      const key = `${given.indicatorType}\u0000${given.indicatorValue}`;
      const unknown = given.rbacGroupNames.filter((n) => !groups.has(n.toLowerCase()));
      if (unknown.length) {
        out.push(errors.invalidBody(`Device group${unknown.length > 1 ? 's' : ''} not found: ${unknown.join(', ')}`));
        continue;
      }
      const named = [...new Map(given.rbacGroupNames.map((n) => groups.get(n.toLowerCase())!).map((g) => [g.id, g])).values()];
      const rbacGroupIds = named.map((g) => String(g.id));
      const input = { ...given, rbacGroupNames: named.map((g) => g.name) };
      const before = existing.get(key);
      if (before) {
        if (owner !== undefined && before.createdBy !== owner) {
          out.push(errors.forbidden(`Indicator ${before.id} (${input.indicatorType} ${input.indicatorValue}) was created by another application; updating it needs Ti.ReadWrite.All`));
          continue;
        }
        try {
          this.checkGroups(ctx, { id: before.id, rbacGroupIds });
          this.checkGroups(ctx, before);
        } catch (e) {
          out.push(e as PalisadeError);
          continue;
        }
        const wasActive = before.expirationTime === null || Date.parse(before.expirationTime) > now.getTime();
        const willBeActive = input.expirationTime === null || Date.parse(input.expirationTime) > now.getTime();
        if (!wasActive && willBeActive && active >= MAX_ACTIVE_INDICATORS) {
          out.push(errors.badRequest(`The tenant already has ${MAX_ACTIVE_INDICATORS} active indicators, the most allowed`));
          continue;
        }
        const { indicatorType: _t, indicatorValue: _v, ...patch } = input;
        const updated = await r.indicators.update(ctx.tenantId, before.id, {
          ...patch, rbacGroupIds, lastUpdateTime: at, lastUpdatedBy: creator.createdBy, changeVersion: version,
        });
        if (!updated) throw new Error(`indicator ${before.id} vanished during its update`);
        if (!wasActive && willBeActive) active += 1;
        existing.set(key, updated);
        out.push(updated);
        continue;
      }
      try {
        this.checkGroups(ctx, { id: 'new', rbacGroupIds });
      } catch (e) {
        out.push(e as PalisadeError);
        continue;
      }
      if (active >= MAX_ACTIVE_INDICATORS) {
        out.push(errors.badRequest(`The tenant already has ${MAX_ACTIVE_INDICATORS} active indicators, the most allowed`));
        continue;
      }
      const created: Indicator = {
        tenantId: ctx.tenantId, id: String(nextId++), ...creator, ...input, rbacGroupIds,
        creationTimeDateTimeUtc: at, lastUpdateTime: at, lastUpdatedBy: null, changeVersion: version, deleted: false,
      };
      await r.indicators.insert(created);
      active += 1;
      existing.set(key, created);
      out.push(created);
    }
    return out;
  }

  /** The live indicators with these ids the caller may reach; 404 naming the others. */
  private async reachable(ctx: Ctx, r: Repos, ids: readonly string[]): Promise<Indicator[]> {
    const owner = this.ownerFilter(ctx);
    const valid = ids.filter((id) => NUMERIC_ID.test(id));
    const found = (await r.indicators.getLive(ctx.tenantId, valid)).filter((i) => owner === undefined || i.createdBy === owner);
    const missing = ids.filter((id) => !found.some((i) => i.id === id));
    if (missing.length) throw errors.notFound(`Indicator${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}`);
    for (const i of found) this.checkGroups(ctx, i);
    return found;
  }

  private async remove(ctx: Ctx, r: Repos, ids: readonly string[]): Promise<void> {
    await this.reachable(ctx, r, ids);
    const { version } = await r.indicators.allocate(ctx.tenantId, 0);
    await r.indicators.markDeleted(ctx.tenantId, ids, version, this.clock().toISOString(), this.creatorOf(ctx).createdBy);
  }

  /** DELETE /api/indicators/{id}. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    await audited(this.store, ctx, this.clock, 'indicator.delete', id, async (r) => {
      authz.require(ctx, REQUIRE.indicators);
      await this.remove(ctx, r, [id]);
    });
    this.changed(ctx.tenantId);
  }

  /** POST /api/indicators/BatchDelete: 1–500 ids, all deleted or none (404 when any is missing, 403 beyond the caller's groups). */
  async batchDelete(ctx: Ctx, body: unknown): Promise<void> {
    const raw = (body as { IndicatorIds?: unknown } | null)?.IndicatorIds;
    const target = Array.isArray(raw) ? raw.slice(0, MAX_INDICATOR_BATCH).map((x) => show(x, 30)).join(',') : '';
    await audited(this.store, ctx, this.clock, 'indicator.batchDelete', target, async (r) => {
      authz.require(ctx, REQUIRE.indicators);
      if (raw === undefined) throw new PalisadeError('MissingRequiredParameter', "The field 'IndicatorIds' is required");
      if (!Array.isArray(raw) || raw.length === 0) throw errors.invalidBody("'IndicatorIds' must be a non-empty list of indicator ids");
      if (raw.length > MAX_INDICATOR_BATCH) {
        throw new PalisadeError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${raw.length}, allowed: ${MAX_INDICATOR_BATCH}`);
      }
      const ids = raw.map((x) => {
        const s = typeof x === 'number' && Number.isSafeInteger(x) ? String(x) : x;
        if (typeof s !== 'string' || !NUMERIC_ID.test(s)) throw errors.invalidBody(`'IndicatorIds' contains an invalid indicator id: ${JSON.stringify(x)?.slice(0, 50)}`);
        return s;
      });
      await this.remove(ctx, r, [...new Set(ids)]);
    });
    this.changed(ctx.tenantId);
  }

  /**
   * The tenant's active indicators and their version, for the ingest pipeline's match step (a
   * Palisade job: no caller to authorize). The version is read first, so a change racing the read
   * makes the next read newer, never older.
   */
  async matchable(tenantId: string): Promise<MatchableIndicators> {
    const version = await this.store.indicators.version(tenantId);
    return { version, indicators: await this.store.indicators.matchable(tenantId, this.clock()) };
  }

  /** The tenant's indicator version (cheap; to tell whether a cached list is current). */
  version(tenantId: string): Promise<number> {
    return this.store.indicators.version(tenantId);
  }

  /**
   * GET /sensor/v1/indicators?since=VERSION for an authenticated device: the changes after `since`
   * that concern its device group, or the whole active list (since absent or 0, or from another
   * history: ahead of the tenant's version).
   */
  async forSensor(device: { tenantId: string; rbacGroupId: number }, since: number | null): Promise<SensorIndicatorList> {
    const now = this.clock();
    const version = await this.store.indicators.version(device.tenantId);
    const compact = (i: Indicator) => ({ id: i.id, type: i.indicatorType, value: i.indicatorValue, action: i.action, expires: i.expirationTime });
    if (since === null || since <= 0 || since > version) {
      const all = await this.store.indicators.active(device.tenantId, now);
      return { version, full: true, indicators: all.filter((i) => appliesTo(i, device.rbacGroupId)).map(compact), removed: [] };
    }
    const changed = await this.store.indicators.changedSince(device.tenantId, since);
    const live = changed.filter((i) => !i.deleted && appliesTo(i, device.rbacGroupId));
    return {
      version,
      full: false,
      indicators: live.map(compact),
      removed: changed.filter((i) => i.deleted || !appliesTo(i, device.rbacGroupId)).map((i) => i.id),
    };
  }
}
