/**
 * Incident use cases (Microsoft 365 Defender's incidents API, served under /api): list, get and
 * update. Alerts are grouped into incidents when they are raised (services/alerts.ts); resolving an
 * incident resolves its open alerts in the same transaction. Every change is audited.
 */
import {
  ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, INCIDENT_CLASSIFICATIONS, INCIDENT_DETERMINATIONS, SETTABLE_INCIDENT_STATUSES,
  type AlertClassification, type AlertDetermination, type Incident,
} from '../domain/alert.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { AlertPatch, IncidentPatch, Page, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';

/** Longest assignee, comment and tag accepted; most tags per incident. */
export const INCIDENT_LIMITS = { assignedTo: 256, comment: 10_000, tag: 200, tags: 50 } as const;

function oneOf<T extends string>(values: readonly T[], v: unknown, field: string): T {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw errors.invalidBody(`'${field}' must be one of ${values.join(', ')}; got ${JSON.stringify(v)}`);
}

/** Incidents API use cases. */
export class IncidentService {
  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** GET /api/incidents. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<Incident>> {
    authz.require(ctx, REQUIRE.alertRead);
    return this.store.incidents.list(ctx.tenantId, q, authz.scope(ctx));
  }

  /** GET /api/incidents/{id}: 404 when none of its alerts is in the caller's scope. */
  async get(ctx: Ctx, id: string): Promise<Incident> {
    authz.require(ctx, REQUIRE.alertRead);
    const inc = /^\d{1,15}$/.test(id) ? await this.store.incidents.get(ctx.tenantId, Number(id), authz.scope(ctx)) : null;
    if (!inc) throw errors.notFound(`Incident ${id} was not found`);
    return inc;
  }

  /**
   * PATCH /api/incidents/{id}: status (Active, InProgress, Resolved), assignedTo, classification,
   * determination, tags (replaced), comment (appended). Resolving resolves every open alert of the
   * incident in the caller's scope; a classification or determination an alert can hold is given to
   * those alerts too.
   */
  async update(ctx: Ctx, id: string, body: unknown): Promise<Incident> {
    return audited(this.store, ctx, this.clock, 'incident.update', id, async (r) => {
      authz.require(ctx, REQUIRE.alertWrite);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.invalidBody('The body must be a JSON object');
      const b = body as Record<string, unknown>;
      const scope = authz.scope(ctx);
      const inc = /^\d{1,15}$/.test(id) ? await r.incidents.get(ctx.tenantId, Number(id), scope) : null;
      if (!inc) throw errors.notFound(`Incident ${id} was not found`);
      const now = this.clock().toISOString();
      const patch: IncidentPatch = { lastUpdateTime: now };
      if (b.status !== undefined) patch.status = oneOf(SETTABLE_INCIDENT_STATUSES, b.status, 'status');
      if (b.assignedTo !== undefined) {
        if (b.assignedTo !== null && (typeof b.assignedTo !== 'string' || b.assignedTo.length > INCIDENT_LIMITS.assignedTo)) {
          throw errors.invalidBody(`'assignedTo' must be a string of at most ${INCIDENT_LIMITS.assignedTo} characters, or null`);
        }
        patch.assignedTo = b.assignedTo as string | null;
      }
      if (b.classification !== undefined) patch.classification = oneOf(INCIDENT_CLASSIFICATIONS, b.classification, 'classification');
      if (b.determination !== undefined) patch.determination = oneOf(INCIDENT_DETERMINATIONS, b.determination, 'determination');
      if (b.tags !== undefined) {
        if (!Array.isArray(b.tags) || b.tags.length > INCIDENT_LIMITS.tags || b.tags.some((t) => typeof t !== 'string' || !t.trim() || t.length > INCIDENT_LIMITS.tag)) {
          throw errors.invalidBody(`'tags' must be a list of at most ${INCIDENT_LIMITS.tags} non-empty strings of at most ${INCIDENT_LIMITS.tag} characters`);
        }
        patch.tags = [...new Set(b.tags as string[])];
      }
      if (b.comment !== undefined && b.comment !== null) {
        if (typeof b.comment !== 'string' || b.comment.length > INCIDENT_LIMITS.comment) throw errors.invalidBody(`'comment' must be a string of at most ${INCIDENT_LIMITS.comment} characters`);
        if (b.comment.trim()) patch.comments = [...inc.comments, { comment: b.comment, createdBy: ctx.principal.name || ctx.principal.id, createdTime: now }];
      }
      if (Object.keys(patch).length === 1) throw errors.invalidBody('The body must set at least one of status, assignedTo, classification, determination, tags, comment');
      if (patch.status === 'Resolved') {
        const alertPatch: AlertPatch = { status: 'Resolved', lastUpdateTime: now, resolvedTime: now };
        if (patch.classification && (ALERT_CLASSIFICATIONS as readonly string[]).includes(patch.classification)) alertPatch.classification = patch.classification as AlertClassification;
        if (patch.determination && (ALERT_DETERMINATIONS as readonly string[]).includes(patch.determination)) alertPatch.determination = patch.determination as AlertDetermination;
        for (const a of inc.alerts) {
          // only alerts the caller may see: an incident can span device groups
          if (a.status !== 'Resolved') await r.alerts.update(ctx.tenantId, a.alertId, alertPatch, scope);
        }
      }
      const updated = await r.incidents.update(ctx.tenantId, inc.incidentId, patch, scope);
      if (!updated) throw errors.notFound(`Incident ${id} was not found`);
      return updated;
    }, JSON.stringify(body ?? null).slice(0, 2000));
  }
}
