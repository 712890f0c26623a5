/**
 * Alert use cases: raising an alert from a detection (`raise`, which indicator matching, custom
 * detection rules and CreateAlertByReference call), the alerts API (list, get, update, batch
 * update) and grouping alerts into incidents. Every method authorizes first and passes the
 * caller's device-group scope to the store; every change is audited in its transaction. A raised
 * alert is also written as AlertInfo and AlertEvidence rows for hunting, through the EventWriter.
 */
import { randomInt } from 'node:crypto';
import {
  ALERT_CATEGORIES, ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, INCIDENT_WINDOW_MS, SETTABLE_ALERT_STATUSES, ticksOf,
  type Alert, type AlertComment, type AlertDraft, type AlertEvidence, type AlertEvidenceDraft, type AlertRaiser, type RaisedAlert, type RaisedAlerts,
} from '../domain/alert.ts';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE, type PermissionRequirement } from '../domain/permissions.ts';
import type { AlertPatch, EventRow, EventStore, EventWriter, Page, Repos, StateStore } from '../domain/ports.ts';
import type { Device } from '../domain/device.ts';
import type { FileProfile, LogonUser } from '../domain/investigation.ts';
import { authz } from '../auth/authorizer.ts';
import { audited, auditRecord } from './audit.ts';
import type { KqlCompiler } from './hunting.ts';

const MACHINE_ID = /^[0-9a-f]{40}$/i;
/** Longest title, description, comment and assignee accepted (MDE documents none; these keep rows bounded). */
export const ALERT_TEXT_LIMITS = { title: 1_000, description: 10_000, comment: 10_000, assignedTo: 256, dedupeKey: 512 } as const;
/** Most evidence items one alert keeps. */
export const MAX_EVIDENCE = 100;
/** MDE's alert ids as a pattern: `da` (or another two-letter source prefix), ticks, `_`, a signed number. */
export const ALERT_ID = /^[a-z]{2}[0-9a-f-]{1,40}_-?\d{1,12}$/i;


/** The fields PATCH /api/alerts/{id} and batchUpdate accept, each under either capitalisation MDE documents. */
export interface AlertUpdateBody {
  status?: unknown; Status?: unknown;
  assignedTo?: unknown; AssignedTo?: unknown;
  classification?: unknown; Classification?: unknown;
  determination?: unknown; Determination?: unknown;
  comment?: unknown; Comment?: unknown;
}

/** A checked update: the fields to change (undefined = keep) and a comment to append. */
interface AlertUpdate {
  status?: Alert['status'];
  assignedTo?: string | null;
  classification?: Alert['classification'];
  determination?: Alert['determination'];
  comment?: string;
}

function pick(body: Record<string, unknown>, camel: string): unknown {
  const pascal = camel[0].toUpperCase() + camel.slice(1);
  return body[camel] !== undefined ? body[camel] : body[pascal];
}

function oneOf<T extends string>(values: readonly T[], v: unknown, field: string, nullable: boolean): T | null {
  if (v === null && nullable) return null;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw errors.invalidBody(`'${field}' must be one of ${values.join(', ')}; got ${JSON.stringify(v)}`);
}

function text(v: unknown, field: string, max: number, nullable: boolean): string | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'string') throw errors.invalidBody(`'${field}' must be a string`);
  if (v.length > max) throw errors.invalidBody(`'${field}' is at most ${max} characters`);
  return v;
}

/** Checks an update body (either capitalisation of each key); at least one field must be set. */
export function checkAlertUpdate(raw: unknown): AlertUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw errors.invalidBody('The body must be a JSON object');
  const body = raw as Record<string, unknown>;
  const out: AlertUpdate = {};
  const status = pick(body, 'status');
  if (status !== undefined) out.status = oneOf(SETTABLE_ALERT_STATUSES, status, 'status', false)!;
  const assignedTo = pick(body, 'assignedTo');
  if (assignedTo !== undefined) out.assignedTo = text(assignedTo, 'assignedTo', ALERT_TEXT_LIMITS.assignedTo, true);
  const classification = pick(body, 'classification');
  if (classification !== undefined) out.classification = oneOf(ALERT_CLASSIFICATIONS, classification, 'classification', true);
  const determination = pick(body, 'determination');
  if (determination !== undefined) out.determination = oneOf(ALERT_DETERMINATIONS, determination, 'determination', true);
  const comment = pick(body, 'comment');
  if (comment !== undefined && comment !== null) {
    const c = text(comment, 'comment', ALERT_TEXT_LIMITS.comment, false)!;
    if (c.trim()) out.comment = c;
  }
  if (!Object.keys(out).length) throw errors.invalidBody('The body must set at least one of status, assignedTo, classification, determination, comment');
  return out;
}

/** The entities an alert is about, as grouping keys: its machine, user, files and indicator. */
export function correlationKeys(a: Pick<Alert, 'machineId' | 'relatedUser' | 'evidence' | 'indicatorId'>): string[] {
  const keys = new Set<string>();
  if (a.machineId) keys.add(`machine:${a.machineId.toLowerCase()}`);
  if (a.relatedUser) keys.add(`user:${(a.relatedUser.domainName ?? '').toLowerCase()}\\${a.relatedUser.userName.toLowerCase()}`);
  for (const e of a.evidence) {
    if (e.sha1) keys.add(`sha1:${e.sha1.toLowerCase()}`);
    if (e.sha256) keys.add(`sha256:${e.sha256.toLowerCase()}`);
    if (e.entityType === 'User' && e.accountName) keys.add(`user:${(e.domainName ?? '').toLowerCase()}\\${e.accountName.toLowerCase()}`);
  }
  if (a.indicatorId) keys.add(`indicator:${a.indicatorId}`);
  return [...keys];
}

const EVIDENCE_NULLS: Omit<AlertEvidence, 'entityType' | 'evidenceCreationTime'> = {
  sha1: null, sha256: null, fileName: null, filePath: null, processId: null, processCommandLine: null, processCreationTime: null,
  parentProcessId: null, parentProcessCreationTime: null, parentProcessFileName: null, parentProcessFilePath: null, ipAddress: null,
  url: null, registryKey: null, registryHive: null, registryValueType: null, registryValue: null, registryValueName: null,
  accountName: null, domainName: null, userSid: null, aadUserId: null, userPrincipalName: null, detectionStatus: null,
};

/** Where CreateAlertByReference looks events up: the KQL compiler (tenant and scope injected) and the event store. */
export interface EventLookup {
  compile: KqlCompiler;
  store: EventStore;
}

/** The event tables CreateAlertByReference searches. */
const REFERENCE_TABLES = ['DeviceProcessEvents', 'DeviceFileEvents', 'DeviceNetworkEvents', 'DeviceRegistryEvents', 'DeviceLogonEvents', 'DeviceImageLoadEvents', 'DeviceEvents'];
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;

/** The permissions of the related-entity routes of an alert (reference §2.3). */
export const RELATED_PERMISSIONS = {
  domains: ['URL.Read.All'],
  files: ['File.Read.All'],
  ips: ['Ip.Read.All'],
  machine: REQUIRE.machineRead,
  user: ['User.Read.All'],
} as const satisfies Record<string, PermissionRequirement>;

/** Evidence from one event row (any Device* table): its process or file, its account, its remote end. */
export function evidenceOfEvent(table: string, row: Record<string, unknown>): AlertEvidenceDraft[] {
  const str = (k: string) => (typeof row[k] === 'string' && row[k] !== '' ? (row[k] as string) : null);
  const num = (k: string) => (typeof row[k] === 'number' ? (row[k] as number) : typeof row[k] === 'bigint' ? Number(row[k]) : null);
  const out: AlertEvidenceDraft[] = [];
  const file = { sha1: str('SHA1'), sha256: str('SHA256'), fileName: str('FileName'), filePath: str('FolderPath') };
  if (table === 'DeviceProcessEvents') {
    out.push({
      entityType: 'Process', ...file, processId: num('ProcessId'), processCommandLine: str('ProcessCommandLine'), processCreationTime: str('ProcessCreationTime'),
      parentProcessId: num('InitiatingProcessId'), parentProcessCreationTime: str('InitiatingProcessCreationTime'),
      parentProcessFileName: str('InitiatingProcessFileName'), parentProcessFilePath: str('InitiatingProcessFolderPath'), detectionStatus: 'Detected',
    });
  } else if (file.sha1 || file.sha256 || file.fileName) {
    out.push({ entityType: 'File', ...file, detectionStatus: 'Detected' });
  }
  if (str('RemoteIP')) out.push({ entityType: 'Ip', ipAddress: str('RemoteIP') });
  if (str('RemoteUrl')) out.push({ entityType: 'Url', url: str('RemoteUrl') });
  const account = str('AccountName') ?? str('InitiatingProcessAccountName');
  if (account) {
    out.push({
      entityType: 'User', accountName: account, domainName: str('AccountDomain') ?? str('InitiatingProcessAccountDomain'),
      userSid: str('AccountSid') ?? str('InitiatingProcessAccountSid'), aadUserId: str('AccountObjectId'), userPrincipalName: str('AccountUpn'),
    });
  }
  return out;
}

/** The draft's dedupe key, checked (a non-empty string within its bound). */
function dedupeKeyOf(draft: AlertDraft): string {
  const key = text(draft.dedupeKey, 'dedupeKey', ALERT_TEXT_LIMITS.dedupeKey, false)!;
  if (!key) throw errors.invalidBody("'dedupeKey' must not be empty");
  return key;
}

/** What an AlertService needs; the event writer is absent where no event store is wired (admin). */
export interface AlertServiceDeps {
  store: StateStore;
  events: EventWriter | null;
  /** Where CreateAlertByReference finds events; without it that route answers 404 for every event. */
  lookup?: EventLookup | null;
  clock?: () => Date;
  /** Told when the hunting rows of a stored alert could not be written. */
  onEventWriteError?: (alertId: string, err: unknown) => void;
}

/** Alerts API use cases and the raise use case of detections. */
export class AlertService implements AlertRaiser {
  private readonly store: StateStore;
  private readonly events: EventWriter | null;
  private readonly clock: () => Date;
  private readonly onEventWriteError: (alertId: string, err: unknown) => void;
  private readonly lookup: EventLookup | null;

  constructor(deps: AlertServiceDeps) {
    this.store = deps.store;
    this.lookup = deps.lookup ?? null;
    this.events = deps.events;
    this.clock = deps.clock ?? (() => new Date());
    this.onEventWriteError = deps.onEventWriteError ?? (() => undefined);
  }

  /**
   * Raises an alert for a detection. `ctx` is a system context of the tenant (`systemCtx`), or a
   * caller holding Alert.ReadWrite(.All). Idempotent on `draft.dedupeKey`: a second call with the
   * same key returns the alert of the first (`created: false`), also when two calls race. The
   * alert joins the open incident of an alert raised within INCIDENT_WINDOW_MS that shares its
   * machine, user, file or indicator, or opens a new incident. Its AlertInfo and AlertEvidence rows
   * are written for hunting once it is stored.
   */
  async raise(ctx: Ctx, draft: AlertDraft): Promise<RaisedAlert> {
    authz.requireSystemOr(ctx, REQUIRE.alertWrite);
    const key = dedupeKeyOf(draft);
    const known = await this.store.alerts.getByDedupeKey(ctx.tenantId, key);
    if (known) return { alert: known, created: false };
    let alert: Alert;
    try {
      alert = await audited(this.store, ctx, this.clock, 'alert.raise', key, async (r) => {
        const a = await this.newAlert(ctx, r, draft);
        await this.groupAndInsert(ctx, r, a);
        return a;
      }, JSON.stringify({ title: draft.title, machineId: draft.machineId, detectionSource: draft.detectionSource }));
    } catch (e) {
      // A concurrent raise with the same key won the race: its alert is the answer.
      const other = e instanceof PalisadeError && e.code === 'Conflict' ? await this.store.alerts.getByDedupeKey(ctx.tenantId, key) : null;
      if (other) return { alert: other, created: false };
      throw e;
    }
    await this.writeHuntingRows(alert);
    return { alert, created: true };
  }

  /**
   * AlertRaiser.raiseMany: the drafts not raised before are stored in one transaction (one audit
   * record each), so a batch of detections costs one commit instead of one per alert. Their hunting
   * rows are written afterwards, and written again for drafts found already raised: a caller that
   * offers a batch again after a crash between the two gets the rows too (each alert's rows form one
   * event batch named after it, which the event store stores once).
   */
  async raiseMany(ctx: Ctx, drafts: readonly AlertDraft[]): Promise<RaisedAlerts> {
    authz.requireSystemOr(ctx, REQUIRE.alertWrite);
    const alerts: RaisedAlert[] = [];
    const rejected: RaisedAlerts['rejected'] = [];
    const fresh = new Map<string, AlertDraft>();
    const found = new Set<string>();
    for (const draft of drafts) {
      let key: string;
      try {
        key = dedupeKeyOf(draft);
      } catch (e) {
        rejected.push({ draft, reason: (e as Error).message });
        continue;
      }
      if (fresh.has(key) || found.has(key)) continue;
      const known = await this.store.alerts.getByDedupeKey(ctx.tenantId, key);
      if (known) {
        found.add(key);
        alerts.push({ alert: known, created: false });
      } else {
        fresh.set(key, draft);
      }
    }
    let created: Alert[] = [];
    if (fresh.size > 0) {
      try {
        created = await this.store.tx(async (r) => {
          const made: Alert[] = [];
          const refused: RaisedAlerts['rejected'] = [];
          for (const draft of fresh.values()) {
            let a: Alert;
            try {
              a = await this.newAlert(ctx, r, draft);
            } catch (e) {
              // newAlert only reads: a refused draft leaves nothing behind in the transaction
              if (!(e instanceof PalisadeError)) throw e;
              refused.push({ draft, reason: e.message });
              continue;
            }
            await this.groupAndInsert(ctx, r, a);
            await r.audit.append(auditRecord(ctx, this.clock(), 'alert.raise', draft.dedupeKey, 'success', JSON.stringify({ title: a.title, machineId: a.machineId, detectionSource: a.detectionSource })));
            made.push(a);
          }
          rejected.push(...refused);
          return made;
        });
      } catch (e) {
        if (!(e instanceof PalisadeError && e.code === 'Conflict')) throw e;
        // Another raise stored one of these keys meanwhile: raise them one at a time, each settling its own race.
        for (const draft of fresh.values()) {
          try {
            const one = await this.raise(ctx, draft);
            if (one.created) created.push(one.alert);
            else alerts.push(one);
          } catch (err) {
            if (!(err instanceof PalisadeError)) throw err;
            rejected.push({ draft, reason: err.message });
          }
        }
        return { alerts: [...alerts, ...created.map((alert) => ({ alert, created: true }))], rejected };
      }
    }
    await Promise.all([...alerts.map((a) => a.alert), ...created].map((a) => this.writeHuntingRows(a)));
    return { alerts: [...alerts, ...created.map((alert) => ({ alert, created: true }))], rejected };
  }

  private async newAlert(ctx: Ctx, r: Repos, d: AlertDraft): Promise<Alert> {
    const title = text(d.title, 'title', ALERT_TEXT_LIMITS.title, false)!;
    if (!title.trim()) throw errors.invalidBody("'title' must not be empty");
    const description = text(d.description, 'description', ALERT_TEXT_LIMITS.description, false)!;
    const severity = oneOf(ALERT_SEVERITIES, d.severity, 'severity', false)!;
    if (typeof d.machineId !== 'string' || !MACHINE_ID.test(d.machineId)) throw errors.invalidBody(`'machineId' must be a machine id; got ${JSON.stringify(d.machineId)}`);
    const device = await r.devices.get(ctx.tenantId, d.machineId.toLowerCase(), authz.scope(ctx));
    if (!device) throw errors.notFound(`Machine ${d.machineId} was not found`);
    const evidence = d.evidence ?? [];
    if (evidence.length > MAX_EVIDENCE) throw errors.invalidBody(`An alert keeps at most ${MAX_EVIDENCE} evidence items`);
    const now = this.clock().toISOString();
    return {
      tenantId: ctx.tenantId,
      id: `da${ticksOf(now)}_${randomInt(0, 2 ** 31 - 1)}`,
      incidentId: null,
      investigationId: null,
      investigationState: 'UnsupportedAlertType',
      assignedTo: null,
      severity,
      status: 'New',
      classification: null,
      determination: null,
      detectionSource: d.detectionSource,
      detectorId: d.detectorId ?? null,
      category: d.category,
      threatFamilyName: d.threatFamilyName ?? null,
      threatName: d.threatName ?? null,
      title,
      description,
      recommendedAction: d.recommendedAction ?? null,
      alertCreationTime: now,
      firstEventTime: d.firstEventTime ?? now,
      lastEventTime: d.lastEventTime ?? d.firstEventTime ?? now,
      lastUpdateTime: now,
      resolvedTime: null,
      machineId: device.id,
      computerDnsName: device.computerDnsName,
      rbacGroupId: device.rbacGroupId,
      rbacGroupName: device.rbacGroupName,
      mitreTechniques: [...(d.mitreTechniques ?? [])],
      relatedUser: d.relatedUser ?? null,
      loggedOnUsers: [],
      comments: [],
      evidence: evidence.map((e) => ({ ...EVIDENCE_NULLS, ...e, entityType: e.entityType, evidenceCreationTime: now })),
      dedupeKey: d.dedupeKey,
      indicatorId: d.indicatorId ?? null,
    };
  }

  /** Puts the alert into an open incident sharing one of its entities (or a new one) and stores it. */
  private async groupAndInsert(ctx: Ctx, r: Repos, a: Alert): Promise<void> {
    const keys = correlationKeys(a);
    const since = new Date(Date.parse(a.alertCreationTime) - INCIDENT_WINDOW_MS).toISOString();
    let incidentId = await r.alerts.openIncidentSharing(ctx.tenantId, keys, since);
    if (incidentId !== null) {
      await r.incidents.alertJoined(ctx.tenantId, incidentId, a.alertCreationTime, a.severity);
    } else {
      incidentId = await r.incidents.create({
        tenantId: ctx.tenantId,
        incidentName: `${a.title} on ${a.computerDnsName ?? 'one endpoint'}`,
        createdTime: a.alertCreationTime,
        lastUpdateTime: a.alertCreationTime,
        assignedTo: null,
        classification: 'Unknown',
        determination: 'NotAvailable',
        status: 'Active',
        severity: a.severity,
        tags: [],
        comments: [],
      });
    }
    a.incidentId = incidentId;
    await r.alerts.insert(a);
    await r.alerts.addEntities(ctx.tenantId, a.id, keys, a.alertCreationTime);
  }

  /** Writes the alert's AlertInfo row and one AlertEvidence row per evidence item (and one for its machine). */
  private async writeHuntingRows(a: Alert): Promise<void> {
    if (!this.events || !a.machineId) return;
    const common = {
      Timestamp: a.alertCreationTime, AlertId: a.id, Title: a.title, ServiceSource: 'Microsoft Defender for Endpoint',
      DetectionSource: a.detectionSource, AttackTechniques: JSON.stringify(a.mitreTechniques),
    };
    const rows: { table: string; row: EventRow }[] = [
      { table: 'AlertInfo', row: { ...common, Category: a.category, Severity: a.severity } },
      {
        table: 'AlertEvidence',
        row: { ...common, Categories: JSON.stringify([a.category]), EntityType: 'Machine', EvidenceRole: 'Impacted', DeviceId: a.machineId, DeviceName: a.computerDnsName, Severity: a.severity },
      },
    ];
    for (const e of a.evidence) {
      rows.push({
        table: 'AlertEvidence',
        row: {
          ...common, Categories: JSON.stringify([a.category]), EntityType: e.entityType, EvidenceRole: e.entityType === 'User' ? 'Impacted' : 'Related',
          FileName: e.fileName, FolderPath: e.filePath, SHA1: e.sha1, SHA256: e.sha256, RemoteIP: e.ipAddress, RemoteUrl: e.url,
          AccountName: e.accountName, AccountDomain: e.domainName, AccountSid: e.userSid, AccountObjectId: e.aadUserId, AccountUpn: e.userPrincipalName,
          DeviceId: a.machineId, DeviceName: a.computerDnsName, ProcessCommandLine: e.processCommandLine,
          RegistryKey: e.registryKey, RegistryValueName: e.registryValueName, RegistryValueData: e.registryValue, Severity: a.severity,
        },
      });
    }
    try {
      await this.events.write({ tenantId: a.tenantId, deviceId: a.machineId, deviceName: a.computerDnsName ?? '', rbacGroupId: a.rbacGroupId, batchId: `alert-${a.id}`, rows });
    } catch (e) {
      this.onEventWriteError(a.id, e);
    }
  }

  /** GET /api/alerts, GET /api/machines/{id}/alerts (`machineId`). */
  async list(ctx: Ctx, q: ListQuery, machineId?: string): Promise<Page<Alert>> {
    authz.require(ctx, REQUIRE.alertRead);
    if (machineId !== undefined) {
      const scope = authz.scope(ctx);
      const d = MACHINE_ID.test(machineId)
        ? await this.store.devices.get(ctx.tenantId, machineId.toLowerCase(), scope)
        : await this.store.devices.getByName(ctx.tenantId, machineId, scope);
      if (!d) throw errors.notFound(`Machine ${machineId} was not found`);
      return this.store.alerts.list(ctx.tenantId, q, scope, d.id);
    }
    return this.store.alerts.list(ctx.tenantId, q, authz.scope(ctx));
  }

  /** GET /api/alerts/{id}: 404 when the caller cannot see it. */
  async get(ctx: Ctx, id: string, required: PermissionRequirement = REQUIRE.alertRead): Promise<Alert> {
    authz.require(ctx, required);
    return this.find(ctx, this.store, id);
  }

  private async find(ctx: Ctx, r: Pick<Repos, 'alerts'>, id: string): Promise<Alert> {
    const a = ALERT_ID.test(id) ? await r.alerts.get(ctx.tenantId, id, authz.scope(ctx)) : null;
    if (!a) throw errors.notFound(`Alert ${id} was not found`);
    return a;
  }

  /** The patch an update makes to `a` at `now` (resolvedTime on Resolved, lastUpdateTime always). */
  private patchOf(ctx: Ctx, a: Alert, u: AlertUpdate, now: string): AlertPatch {
    const patch: AlertPatch = { lastUpdateTime: now };
    if (u.status !== undefined) {
      patch.status = u.status;
      if (u.status === 'Resolved' && a.status !== 'Resolved') patch.resolvedTime = now;
      if (u.status !== 'Resolved') patch.resolvedTime = null;
    }
    if (u.assignedTo !== undefined) patch.assignedTo = u.assignedTo;
    if (u.classification !== undefined) patch.classification = u.classification;
    if (u.determination !== undefined) patch.determination = u.determination;
    if (u.comment !== undefined) {
      const c: AlertComment = { comment: u.comment, createdBy: ctx.principal.name || ctx.principal.id, createdTime: now };
      patch.comments = [...a.comments, c];
    }
    return patch;
  }

  /** PATCH /api/alerts/{id}: the updated alert. */
  async update(ctx: Ctx, id: string, body: unknown): Promise<Alert> {
    return audited(this.store, ctx, this.clock, 'alert.update', id, async (r) => {
      authz.require(ctx, REQUIRE.alertWrite);
      const u = checkAlertUpdate(body);
      const a = await this.find(ctx, r, id);
      const updated = await r.alerts.update(ctx.tenantId, a.id, this.patchOf(ctx, a, u, this.clock().toISOString()), authz.scope(ctx));
      if (!updated) throw errors.notFound(`Alert ${id} was not found`);
      return updated;
    }, JSON.stringify(body ?? null).slice(0, 2000));
  }

  /**
   * POST /api/alerts/CreateAlertByReference: an alert on the event with this exact Timestamp,
   * ReportId and machine (404 when there is none in the caller's scope), with the event's process,
   * file, account and remote end as evidence. An open alert with the same title on the same machine
   * is returned instead of a new one (MDE merges them); the same event and title give one alert.
   */
  async createByReference(ctx: Ctx, body: unknown): Promise<Alert> {
    authz.require(ctx, REQUIRE.alertWrite);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.invalidBody('The body must be a JSON object');
    const b = body as Record<string, unknown>;
    for (const k of ['eventTime', 'reportId', 'machineId', 'severity', 'title', 'description', 'recommendedAction', 'category']) {
      if (b[k] === undefined || b[k] === null || b[k] === '') throw new PalisadeError('MissingRequiredParameter', `'${k}' is required`);
    }
    const eventTime = text(b.eventTime, 'eventTime', 40, false)!;
    if (!ISO_INSTANT.test(eventTime) || Number.isNaN(Date.parse(eventTime))) throw errors.invalidBody(`'eventTime' must be a UTC datetime such as 2024-01-01T10:00:00.1234567Z; got ${JSON.stringify(eventTime)}`);
    const reportId = typeof b.reportId === 'number' && Number.isSafeInteger(b.reportId) ? String(b.reportId) : typeof b.reportId === 'string' && /^-?\d{1,19}$/.test(b.reportId) ? b.reportId : null;
    if (reportId === null) throw errors.invalidBody(`'reportId' must be an integer; got ${JSON.stringify(b.reportId)}`);
    const machineId = text(b.machineId, 'machineId', 64, false)!;
    if (!MACHINE_ID.test(machineId)) throw errors.invalidBody(`'machineId' must be a machine id; got ${JSON.stringify(machineId)}`);
    const severity = oneOf(['Low', 'Medium', 'High'] as const, b.severity, 'severity', false)!;
    const category = oneOf(ALERT_CATEGORIES, b.category, 'category', false)!;
    const title = text(b.title, 'title', ALERT_TEXT_LIMITS.title, false)!;
    const description = text(b.description, 'description', ALERT_TEXT_LIMITS.description, false)!;
    const recommendedAction = text(b.recommendedAction, 'recommendedAction', ALERT_TEXT_LIMITS.description, false)!;
    const device = await this.store.devices.get(ctx.tenantId, machineId.toLowerCase(), authz.scope(ctx));
    if (!device) throw errors.notFound(`Machine ${machineId} was not found`);
    const event = await this.findEvent(ctx, device, eventTime, reportId);
    if (!event) throw errors.notFound(`No event with Timestamp ${eventTime} and ReportId ${reportId} was found on machine ${machineId}`);
    const open = await this.store.alerts.list(ctx.tenantId, {
      top: 1, skip: 0, count: false, orderBy: [],
      filter: { kind: 'and', left: { kind: 'cmp', op: 'eq', field: 'title', value: title }, right: { kind: 'cmp', op: 'ne', field: 'status', value: 'Resolved' } },
    }, authz.scope(ctx), device.id);
    if (open.items.length) return open.items[0];
    const { alert } = await this.raise(ctx, {
      dedupeKey: `ref:${device.id}:${reportId}:${eventTime}:${title}`.slice(0, ALERT_TEXT_LIMITS.dedupeKey),
      title, description, severity, category, recommendedAction, detectionSource: 'CustomerTI', machineId: device.id,
      firstEventTime: eventTime, lastEventTime: eventTime, evidence: evidenceOfEvent(event.table, event.row),
    });
    return alert;
  }

  /** The event of the device with exactly this Timestamp and ReportId, searched in the caller's scope. */
  private async findEvent(ctx: Ctx, device: Device, eventTime: string, reportId: string): Promise<{ table: string; row: Record<string, unknown> } | null> {
    if (!this.lookup) return null;
    const { compile, store } = this.lookup;
    // every spliced value was checked above: a datetime, an integer, 40 hex characters
    const kql = `union withsource=__Table ${REFERENCE_TABLES.join(', ')} | where DeviceId == '${device.id}' and ReportId == ${reportId} and Timestamp == datetime(${eventTime}) | take 1`;
    const opts = { timeoutMs: 30_000, maxRows: 1, signal: ctx.signal };
    const compiled = await compile(kql, { tenantId: ctx.tenantId, deviceScope: authz.scope(ctx), now: this.clock(), lookbackDays: 180 },
      async (q) => (await store.query(q, opts)).rows);
    const result = await store.query(compiled, opts);
    if (!result.rows.length) return null;
    const row: Record<string, unknown> = {};
    result.columns.forEach((c, i) => { row[c.name] = result.rows[0][i]; });
    const table = String(row.__Table);
    for (const [k, v] of Object.entries(row)) if (v instanceof Date) row[k] = v.toISOString();
    return { table, row };
  }

  /** An alert for a related-entity route, after that route's permission (reference §2.3). */
  async related(ctx: Ctx, id: string, kind: keyof typeof RELATED_PERMISSIONS): Promise<Alert> {
    authz.require(ctx, RELATED_PERMISSIONS[kind]);
    return this.find(ctx, this.store, id);
  }

  /** GET /api/alerts/{id}/machine: the alert's machine (404 when the alert or the machine is gone). */
  async machineOf(ctx: Ctx, id: string): Promise<Device> {
    const a = await this.related(ctx, id, 'machine');
    const d = a.machineId ? await this.store.devices.get(ctx.tenantId, a.machineId, authz.scope(ctx)) : null;
    if (!d) throw errors.notFound(`There is no Machine related to alert ${id}`);
    return d;
  }

  /** GET /api/alerts/{id}/user: the user the alert is about, as MDE's user entity (404 when it names none). */
  async userOf(ctx: Ctx, id: string): Promise<LogonUser> {
    const a = await this.related(ctx, id, 'user');
    const ev = a.evidence.find((e) => e.entityType === 'User' && e.accountName);
    const name = a.relatedUser?.userName ?? ev?.accountName;
    if (!name) throw errors.notFound(`There is no User related to alert ${id}`);
    return {
      accountName: name, accountDomain: a.relatedUser ? a.relatedUser.domainName : ev?.domainName ?? null, accountSid: ev?.userSid ?? null,
      firstSeen: a.firstEventTime, lastSeen: a.lastEventTime, mostPrevalentMachineId: null, leastPrevalentMachineId: null,
      logonTypes: null, logOnMachinesCount: null, isDomainAdmin: null, isOnlyNetworkUser: null,
    };
  }

  /** GET /api/alerts/{id}/files: the files of its file and process evidence, once per hash pair. */
  async filesOf(ctx: Ctx, id: string): Promise<FileProfile[]> {
    const a = await this.related(ctx, id, 'files');
    const seen = new Set<string>();
    const out: FileProfile[] = [];
    for (const e of a.evidence) {
      const key = `${e.sha1 ?? ''}|${e.sha256 ?? ''}`;
      if ((!e.sha1 && !e.sha256) || seen.has(key)) continue;
      seen.add(key);
      out.push({ sha1: e.sha1, sha256: e.sha256, md5: null, size: null, isPeFile: null, filePublisher: null, fileProductName: null, signer: null, issuer: null, signerHash: null, isValidCertificate: null });
    }
    return out;
  }

  /** POST /api/alerts/batchUpdate: every listed alert changes, or none (an unknown id is a 404). */
  async batchUpdate(ctx: Ctx, body: unknown): Promise<void> {
    const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const ids = pick(raw, 'alertIds');
    const target = Array.isArray(ids) ? ids.slice(0, MAX_BATCH_ALERTS).map(String).join(',') : '';
    await audited(this.store, ctx, this.clock, 'alert.batchUpdate', target, async (r) => {
      authz.require(ctx, REQUIRE.alertWrite);
      if (!Array.isArray(ids) || !ids.length) throw new PalisadeError('MissingRequiredParameter', "'alertIds' must be a non-empty array of alert ids");
      if (ids.length > MAX_BATCH_ALERTS) throw new PalisadeError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${ids.length}, allowed: ${MAX_BATCH_ALERTS}`);
      const { alertIds: _ids, AlertIds: _Ids, ...fields } = raw;
      const u = checkAlertUpdate(fields);
      const wanted = [...new Set(ids.map((x) => {
        if (typeof x !== 'string' || !ALERT_ID.test(x)) throw errors.invalidBody(`'alertIds' contains an invalid alert id: ${JSON.stringify(x)}`);
        return x;
      }))];
      const scope = authz.scope(ctx);
      const found = await r.alerts.getMany(ctx.tenantId, wanted, scope);
      const missing = wanted.filter((id) => !found.some((a) => a.id === id));
      if (missing.length) throw errors.notFound(`Alerts not found: ${missing.join(', ')}`);
      const now = this.clock().toISOString();
      for (const a of found) await r.alerts.update(ctx.tenantId, a.id, this.patchOf(ctx, a, u, now), scope);
    }, JSON.stringify(raw).slice(0, 2000));
  }
}

/** Most alert ids one batchUpdate takes. */
export const MAX_BATCH_ALERTS = 500;
