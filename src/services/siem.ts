/**
 * What SIEMs pull: MDE's legacy SIEM detections (`GET /api/siem/alerts`: alerts changed in a time
 * window, with their machine, flat) and Microsoft Graph's security lists (`alerts_v2`,
 * `incidents`), over the stored alerts and incidents, within the caller's device-group scope.
 * Each authorizes with the permissions of its API first.
 */
import type { Alert, Incident } from '../domain/alert.ts';
import type { Ctx } from '../domain/context.ts';
import type { Detection } from '../domain/siem.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { FilterExpr, ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { Page, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';

/** The query parameters of `GET /api/siem/alerts` (reference §8), as sent. */
export interface DetectionParams {
  sinceTimeUtc?: string;
  untilTimeUtc?: string;
  /** An ISO-8601 duration (PT10M, PT2H, P1D): since = now − ago. */
  ago?: string;
  limit?: string;
  machinegroups?: string[];
  DeviceCreatedMachineTags?: string;
  CloudCreatedMachineTags?: string;
}


/** Most detections one pull returns (the most recent of the window). */
export const MAX_DETECTIONS = 10_000;
/** The window of a pull that names no start: the last 2 hours, as MDE's. */
const DEFAULT_WINDOW_MS = 2 * 3600_000;
const DURATION = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,10}(?:\.\d+)?)S)?)?$/i;

function instant(raw: string, name: string): Date {
  const d = new Date(raw);
  if (!/^\d{4}-\d\d-\d\d/.test(raw) || Number.isNaN(d.getTime())) throw new PalisadeError('BadRequest', `${name} must be an ISO-8601 UTC time such as 2024-05-19T01:00:05Z; got '${raw.slice(0, 60)}'`);
  return d;
}

/** Milliseconds of an ISO-8601 duration (days, hours, minutes, seconds). */
export function durationMs(raw: string): number {
  const m = DURATION.exec(raw.trim());
  if (!m || raw.trim() === 'P' || raw.trim().toUpperCase() === 'PT') throw new PalisadeError('BadRequest', `ago must be an ISO-8601 duration such as PT10M or P1D; got '${raw.slice(0, 60)}'`);
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

const tagsOf = (raw: string | undefined) => (raw ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);

/** The SIEM-facing reads. */
export class SiemService {
  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /**
   * `GET /api/siem/alerts`: alerts whose last change falls in (since, until] — since from
   * `sinceTimeUtc`, else now − `ago`, else the last 2 hours; until from `untilTimeUtc`, else now —
   * in `machinegroups` when named and on machines with the given tags, the most recent `limit`
   * of them (at most 10,000), oldest first.
   */
  async detections(ctx: Ctx, p: DetectionParams): Promise<Detection[]> {
    authz.require(ctx, REQUIRE.alertRead);
    const now = this.clock();
    const until = p.untilTimeUtc ? instant(p.untilTimeUtc, 'untilTimeUtc') : now;
    const since = p.sinceTimeUtc ? instant(p.sinceTimeUtc, 'sinceTimeUtc') : new Date(now.getTime() - (p.ago ? durationMs(p.ago) : DEFAULT_WINDOW_MS));
    let limit = MAX_DETECTIONS;
    if (p.limit !== undefined) {
      if (!/^\d{1,9}$/.test(p.limit) || Number(p.limit) < 1) throw new PalisadeError('BadRequest', `limit must be a whole number from 1; got '${p.limit.slice(0, 30)}'`);
      limit = Math.min(Number(p.limit), MAX_DETECTIONS);
    }
    let filter: FilterExpr = {
      kind: 'and',
      left: { kind: 'cmp', op: 'gt', field: 'lastUpdateTime', value: { datetime: since.toISOString() } },
      right: { kind: 'cmp', op: 'le', field: 'lastUpdateTime', value: { datetime: until.toISOString() } },
    };
    const groups = (p.machinegroups ?? []).filter((g) => g !== '');
    if (groups.length) filter = { kind: 'and', left: filter, right: { kind: 'in', field: 'rbacGroupName', values: groups } };
    const tags = [...tagsOf(p.DeviceCreatedMachineTags), ...tagsOf(p.CloudCreatedMachineTags)];
    const q: ListQuery = { filter, top: MAX_DETECTIONS, skip: 0, count: false, orderBy: [{ field: 'lastUpdateTime', dir: 'desc' }, { field: 'id', dir: 'desc' }] };
    const scope = authz.scope(ctx);
    const alerts = (await this.store.alerts.list(ctx.tenantId, q, scope)).items;
    const ids = [...new Set(alerts.flatMap((a) => (a.machineId ? [a.machineId] : [])))];
    const devices = new Map((await this.store.devices.getMany(ctx.tenantId, ids, scope)).map((d) => [d.id, d]));
    return alerts
      .map((a) => ({ alert: a, device: (a.machineId && devices.get(a.machineId)) || null }))
      .filter((d) => !tags.length || (d.device?.machineTags ?? []).some((t) => tags.includes(t.toLowerCase())))
      .slice(0, limit)
      .reverse();
  }

  /** Graph `GET /security/alerts_v2`: the query is already stated over the stored alert's fields. */
  async graphAlerts(ctx: Ctx, q: ListQuery): Promise<Page<Alert>> {
    authz.require(ctx, REQUIRE.graphAlertRead);
    return this.store.alerts.list(ctx.tenantId, q, authz.scope(ctx));
  }

  /**
   * Graph `GET /security/incidents`, with each incident's alerts when `withAlerts` (`$expand=alerts`).
   */
  async graphIncidents(ctx: Ctx, q: ListQuery, withAlerts: boolean): Promise<{ page: Page<Incident>; alerts: Map<number, Alert[]> }> {
    authz.require(ctx, REQUIRE.graphIncidentRead);
    const page = await this.store.incidents.list(ctx.tenantId, q, authz.scope(ctx));
    const alerts = new Map<number, Alert[]>();
    if (withAlerts && page.items.length) {
      for (const a of await this.store.alerts.byIncidents(ctx.tenantId, page.items.map((i) => i.incidentId), authz.scope(ctx))) {
        if (a.incidentId === null) continue;
        alerts.set(a.incidentId, [...(alerts.get(a.incidentId) ?? []), a]);
      }
    }
    return { page, alerts };
  }
}
