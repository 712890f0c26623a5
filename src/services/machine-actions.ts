/**
 * Machine actions (MDE response actions, reference §2.2, §3.4): the API's requests, reads and
 * cancel, and the action protocol's side of the sensor (src/sensor/transport/protocol.ts): the
 * /work long-poll and progress reports. Every status change — creation, the sensor's reports,
 * cancel, expiry — is compare-and-set in the store and audited in the same transaction, and moves
 * only forward (Pending → InProgress → Succeeded | Failed, or TimeOut, or Cancelled).
 *
 * Delivery: a sensor holds `GET /sensor/v1/work` open; creating an action wakes that poll in this
 * process at once (DeviceWakeups), and a process that creates no actions itself (no api role)
 * re-checks its polls every `recheckMs`. An action the device never takes times out after
 * `expiryMs` (default 72 h, live response's 3 days) by the sweeper of the scheduler role.
 *
 * An Offboard reported Succeeded revokes the device's credential in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { systemCtx } from '../domain/context.ts';
import { REVOKED_CREDENTIAL, type Device } from '../domain/device.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { ListQuery } from '../domain/list-query.ts';
import {
  ACTION_HRESULT, DEFAULT_ACTION_EXPIRY_HOURS, isFinal, isForward, ISOLATION_TYPES, LIVE_RESPONSE_COMMAND_TYPES, LIVE_RESPONSE_REQUIRED_PARAM, SCAN_TYPES,
  type ActionCommand, type ActionRequestSource, type LiveResponseCommandType, type MachineAction, type MachineActionType,
} from '../domain/machine-action.ts';
import { REQUIRE, type PermissionRequirement } from '../domain/permissions.ts';
import type { MachineActionPatch, Page, Repos, StateStore } from '../domain/ports.ts';
import { ACTION_LIMITS, type ProgressReport, type ProgressResult, type WireAction, type WorkResult } from '../sensor/transport/protocol.ts';
import { audited, auditRecord } from './audit.ts';
import type { DeviceWakeups } from './device-wakeups.ts';
import type { DeviceIdentity } from './sensor-gateway.ts';

/** The permission each kind of action needs (reference §2.2). */
export const ACTION_PERMISSIONS: Readonly<Record<MachineActionType, PermissionRequirement>> = {
  Isolate: REQUIRE.isolate,
  Unisolate: REQUIRE.isolate,
  RestrictCodeExecution: REQUIRE.restrictExecution,
  UnrestrictCodeExecution: REQUIRE.restrictExecution,
  RunAntiVirusScan: REQUIRE.scan,
  CollectInvestigationPackage: REQUIRE.collectForensics,
  StopAndQuarantineFile: REQUIRE.stopAndQuarantine,
  Offboard: REQUIRE.offboard,
  LiveResponse: REQUIRE.liveResponse,
};

/** MDE's bound on live response sessions open at once in a tenant (429 beyond it). */
export const MAX_LIVE_RESPONSE_SESSIONS = 25;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MACHINE_ID = /^[0-9a-f]{40}$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const OPEN = ['Pending', 'InProgress'] as const;
/** The keys each live response command may carry. */
const COMMAND_KEYS: Readonly<Record<LiveResponseCommandType, readonly string[]>> = {
  PutFile: ['FileName'],
  RunScript: ['ScriptName', 'Args'],
  GetFile: ['Path'],
};
const MAX_PARAM_VALUE = 32_768;

/** What a request asks for, once its body was read. */
export interface ActionRequest {
  type: MachineActionType;
  scope: string | null;
  comment: string;
  sha1?: string;
  commands?: ActionCommand['command'][];
}

/** One entry of `GET /api/machines/{id}/availableMachineActions` (MDE's ActionAvailabilityStatus). */
export interface ActionAvailability {
  action: string;
  isAvailable: boolean;
  notSupportedReason: string | null;
}

/** The response actions MDE lists for a device, and whether Palisade carries each out. */
const AVAILABILITY: readonly (readonly [string, boolean])[] = [
  ['FullIsolation', true], ['SelectiveIsolation', true], ['RunAntiVirusScan', true], ['CollectInvestigationPackage', true],
  ['StopAndQuarantineFile', true], ['RestrictCodeExecution', true], ['InitiateInvestigation', false], ['OffBoard', true], ['RunCustomPlaybook', false],
];

/** MDE's 400 for an action id that is not a GUID (the corpus's Swimlane capture). */
export function checkActionId(id: string): string {
  if (!GUID.test(id)) throw errors.badRequest(`The key value (${id}) from request is not valid. The key value should be format of type 'Edm.Guid'.`);
  return id.toLowerCase();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function commentOf(body: Record<string, unknown>): string {
  const c = body.Comment;
  if (c === undefined || c === null) throw new PalisadeError('MissingRequiredParameter', "The request body is missing the required parameter 'Comment'");
  if (typeof c !== 'string' || !c.trim()) throw errors.invalidBody("'Comment' must be a non-empty string");
  if (c.length > ACTION_LIMITS.message) throw errors.invalidBody(`'Comment' is at most ${ACTION_LIMITS.message} characters`);
  return c;
}

function oneOf<T extends string>(body: Record<string, unknown>, key: string, values: readonly T[], fallback?: T): T {
  const v = body[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (v === undefined || v === null) throw new PalisadeError('MissingRequiredParameter', `The request body is missing the required parameter '${key}'`);
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw errors.invalidBody(`'${key}' must be one of ${values.join(', ')}; got ${JSON.stringify(v)}`);
}

function commandsOf(body: Record<string, unknown>): ActionCommand['command'][] {
  const list = body.Commands;
  if (list === undefined || list === null) throw new PalisadeError('MissingRequiredParameter', "The request body is missing the required parameter 'Commands'");
  if (!Array.isArray(list) || list.length === 0) throw errors.invalidBody("'Commands' must be a non-empty array of commands");
  if (list.length > ACTION_LIMITS.commands) throw errors.invalidBody(`'Commands' holds at most ${ACTION_LIMITS.commands} commands`);
  return list.map((c, i) => {
    const where = `Commands[${i}]`;
    if (!isObject(c)) throw errors.invalidBody(`'${where}' must be an object with 'type' and 'params'`);
    const type = c.type;
    if (typeof type !== 'string' || !(LIVE_RESPONSE_COMMAND_TYPES as readonly string[]).includes(type)) {
      throw errors.invalidBody(`'${where}.type' must be one of ${LIVE_RESPONSE_COMMAND_TYPES.join(', ')}; got ${JSON.stringify(type)}`);
    }
    const t = type as LiveResponseCommandType;
    const rawParams = c.params ?? [];
    if (!Array.isArray(rawParams) || rawParams.length > COMMAND_KEYS[t].length) throw errors.invalidBody(`'${where}.params' must be an array of at most ${COMMAND_KEYS[t].length} {key, value} pairs`);
    const params = rawParams.map((p, j) => {
      if (!isObject(p) || typeof p.key !== 'string' || typeof p.value !== 'string') throw errors.invalidBody(`'${where}.params[${j}]' must be {"key": string, "value": string}`);
      if (!COMMAND_KEYS[t].includes(p.key)) throw errors.invalidBody(`'${where}.params[${j}].key' must be one of ${COMMAND_KEYS[t].join(', ')} for ${t}`);
      if (p.value.length > MAX_PARAM_VALUE) throw errors.invalidBody(`'${where}.params[${j}].value' is at most ${MAX_PARAM_VALUE} characters`);
      return { key: p.key, value: p.value };
    });
    const required = LIVE_RESPONSE_REQUIRED_PARAM[t];
    if (!params.some((p) => p.key === required && p.value.trim() !== '')) throw errors.invalidBody(`'${where}' (${t}) needs the parameter '${required}'`);
    if (new Set(params.map((p) => p.key)).size !== params.length) throw errors.invalidBody(`'${where}.params' names a key twice`);
    return { type: t, params };
  });
}

/**
 * Reads an action request body as MDE's action routes take it (PascalCase, case-sensitive keys):
 * `Comment` always; `IsolationType` (Full by default, or Selective), `ScanType` (Quick or Full),
 * `Sha1`, `Commands` by kind. A bad body is a 400 with MDE's codes.
 */
export function readActionRequest(type: MachineActionType, body: unknown): ActionRequest {
  if (!isObject(body)) throw errors.invalidBody('Request body is incorrect: send a JSON object with a Comment');
  const comment = commentOf(body);
  switch (type) {
    case 'Isolate':
      return { type, comment, scope: oneOf(body, 'IsolationType', ISOLATION_TYPES, 'Full') };
    case 'RunAntiVirusScan':
      return { type, comment, scope: oneOf(body, 'ScanType', SCAN_TYPES) };
    case 'StopAndQuarantineFile': {
      const sha1 = body.Sha1;
      if (sha1 === undefined || sha1 === null) throw new PalisadeError('MissingRequiredParameter', "The request body is missing the required parameter 'Sha1'");
      if (typeof sha1 !== 'string' || !SHA1.test(sha1)) throw errors.invalidBody(`'Sha1' must be a SHA-1 hash (40 hexadecimal digits); got ${JSON.stringify(sha1)}`);
      return { type, comment, scope: null, sha1: sha1.toLowerCase() };
    }
    case 'LiveResponse':
      return { type, comment, scope: null, commands: commandsOf(body) };
    default:
      return { type, comment, scope: null };
  }
}

/** Who requested or cancelled: an app by its client id, a user by UPN, Palisade's own jobs by what ran them. */
function requestorOf(ctx: Ctx): string {
  return ctx.principal.kind === 'app' ? ctx.principal.id : ctx.principal.name;
}

/** The context a sensor's reports are audited under. */
function deviceCtx(device: DeviceIdentity): Ctx {
  return {
    tenantId: device.tenantId,
    principal: { kind: 'device', id: device.deviceId, name: device.deviceName, permissions: new Set(), deviceGroups: [device.rbacGroupId] },
    authz: { checked: true },
  };
}

/** An action as its sensor receives it (protocol.ts WireAction). */
export function wireActionOf(a: MachineAction): WireAction {
  return {
    id: a.id,
    type: a.type,
    scope: a.scope,
    comment: a.requestorComment,
    ...(a.type === 'StopAndQuarantineFile' && a.relatedFileInfo ? { sha1: a.relatedFileInfo.fileIdentifier } : {}),
    ...(a.type === 'LiveResponse' ? { commands: a.commands.map((c) => ({ index: c.index, type: c.command.type, params: c.command.params })) } : {}),
    createdAt: a.creationDateTimeUtc,
    expiresAt: a.expiresAt,
  };
}

/** What the service is built from. */
export interface MachineActionDeps {
  store: StateStore;
  wakeups: DeviceWakeups;
  clock?: () => Date;
  /** How long an action waits for its device before it times out (default 72 h). */
  expiryMs?: number;
  /** How often a waiting poll re-reads the store, for actions created by another process; 0: only when woken here (default). */
  recheckMs?: number;
}

/** Machine actions: the API's use cases and the sensor's /work and progress. */
export class MachineActionService {
  private readonly store: StateStore;
  private readonly wakeups: DeviceWakeups;
  private readonly clock: () => Date;
  readonly expiryMs: number;
  private readonly recheckMs: number;

  constructor(deps: MachineActionDeps) {
    this.store = deps.store;
    this.wakeups = deps.wakeups;
    this.clock = deps.clock ?? (() => new Date());
    this.expiryMs = deps.expiryMs ?? DEFAULT_ACTION_EXPIRY_HOURS * 3_600_000;
    this.recheckMs = deps.recheckMs ?? 0;
  }

  /** `POST /api/machines/{id}/<action>`: authorizes for the kind, reads the body, creates the action Pending (201). */
  async request(ctx: Ctx, machineIdOrName: string, type: MachineActionType, body: unknown): Promise<MachineAction> {
    const details = JSON.stringify({ type, body: body ?? null }).slice(0, 2000);
    const created = await audited(this.store, ctx, this.clock, 'machineAction.create', machineIdOrName, async (r) => {
      authz.require(ctx, ACTION_PERMISSIONS[type]);
      const req = readActionRequest(type, body);
      return this.create(ctx, r, machineIdOrName, req, 'PublicApi');
    }, details);
    this.wakeups.wakeDevice(created.tenantId, created.machineId);
    return created;
  }

  /**
   * An automatic action of a custom detection rule on a machine (`requestor` = the rule's id,
   * `requestSource` CustomDetection), as Palisade itself. An action of the kind already open on the
   * machine is kept and returned instead (`created: false`); an unknown machine is a 404.
   */
  async requestForRule(tenantId: string, ruleId: string, machineId: string, req: ActionRequest): Promise<{ action: MachineAction; created: boolean }> {
    const ctx = systemCtx(tenantId);
    ctx.principal = { ...ctx.principal, name: ruleId };
    try {
      const created = await audited(this.store, ctx, this.clock, 'machineAction.create', machineId, async (r) => {
        authz.requireSystemOr(ctx, ACTION_PERMISSIONS[req.type]);
        return this.create(ctx, r, machineId, req, 'CustomDetection');
      }, JSON.stringify({ type: req.type, rule: ruleId }));
      this.wakeups.wakeDevice(created.tenantId, created.machineId);
      return { action: created, created: true };
    } catch (e) {
      const open = e instanceof PalisadeError && e.code === 'ActiveRequestAlreadyExists' ? await this.store.actions.openOf(tenantId, machineId.toLowerCase(), req.type) : null;
      if (open) return { action: open, created: false };
      throw e;
    }
  }

  private async machine(ctx: Ctx, r: Pick<Repos, 'devices'>, idOrName: string): Promise<Device> {
    const scope = authz.scope(ctx);
    const d = MACHINE_ID.test(idOrName)
      ? await r.devices.get(ctx.tenantId, idOrName.toLowerCase(), scope)
      : await r.devices.getByName(ctx.tenantId, idOrName, scope);
    if (!d) throw errors.notFound(`Machine ${idOrName} was not found`);
    return d;
  }

  private async create(ctx: Ctx, r: Repos, machineIdOrName: string, req: ActionRequest, source: ActionRequestSource): Promise<MachineAction> {
    const d = await this.machine(ctx, r, machineIdOrName);
    if (d.credentialHash === REVOKED_CREDENTIAL) throw errors.badRequest(`Machine ${d.id} is offboarded: its sensor no longer takes actions`);
    const open = await r.actions.openOf(ctx.tenantId, d.id, req.type);
    if (open) throw this.alreadyOpen(req.type, open.id);
    if (req.type === 'LiveResponse') {
      const sessions = await r.actions.list(ctx.tenantId, {
        filter: { kind: 'and', left: { kind: 'cmp', op: 'eq', field: 'type', value: 'LiveResponse' }, right: { kind: 'in', field: 'status', values: [...OPEN] } },
        top: 0, skip: 0, count: true, orderBy: [],
      }, 'all');
      if ((sessions.total ?? 0) >= MAX_LIVE_RESPONSE_SESSIONS) {
        throw errors.tooMany(`At most ${MAX_LIVE_RESPONSE_SESSIONS} live response sessions may be open at once; wait for one to finish`, 60);
      }
    }
    const now = this.clock();
    const action: MachineAction = {
      tenantId: ctx.tenantId,
      id: randomUUID(),
      type: req.type,
      scope: req.scope,
      requestor: requestorOf(ctx),
      requestorComment: req.comment,
      requestSource: source,
      externalId: null,
      title: null,
      status: 'Pending',
      machineId: d.id,
      computerDnsName: d.computerDnsName,
      rbacGroupId: d.rbacGroupId,
      creationDateTimeUtc: now.toISOString(),
      lastUpdateDateTimeUtc: now.toISOString(),
      cancellationRequestor: null,
      cancellationComment: null,
      cancellationDateTimeUtc: null,
      errorHResult: ACTION_HRESULT.ok,
      relatedFileInfo: req.sha1 ? { fileIdentifier: req.sha1, fileIdentifierType: 'Sha1' } : null,
      commands: (req.commands ?? []).map((command, index) => ({ index, startTime: null, endTime: null, commandStatus: 'Created', errors: [], command })),
      expiresAt: new Date(now.getTime() + this.expiryMs).toISOString(),
      acknowledged: false,
      statusMessage: null,
      fileInfo: null,
    };
    try {
      await r.actions.insert(action);
    } catch (e) {
      // a request racing this one created the kind's open action first
      if (e instanceof PalisadeError && e.code === 'Conflict') throw this.alreadyOpen(req.type, null);
      throw e;
    }
    return action;
  }

  private alreadyOpen(type: MachineActionType, id: string | null): PalisadeError {
    const which = id ? ` (${id})` : '';
    // the documented text (reference §2.2), for live response sessions as for the other kinds
    return new PalisadeError('ActiveRequestAlreadyExists', `Action is already in progress: a ${type} action${which} on this machine is still pending`);
  }

  /** `GET /api/machineactions`. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<MachineAction>> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.store.actions.list(ctx.tenantId, q, authz.scope(ctx));
  }

  /** `GET /api/machines/{id}/machineactions`: 404 for a machine the caller cannot see. */
  async listForMachine(ctx: Ctx, machineIdOrName: string, q: ListQuery): Promise<Page<MachineAction>> {
    authz.require(ctx, REQUIRE.machineRead);
    const d = await this.machine(ctx, this.store, machineIdOrName);
    return this.store.actions.list(ctx.tenantId, q, authz.scope(ctx), d.id);
  }

  /** `GET /api/machineactions/{id}`: 400 for a non-GUID id, 404 for one the caller cannot see. */
  async get(ctx: Ctx, id: string): Promise<MachineAction> {
    authz.require(ctx, REQUIRE.machineRead);
    const key = checkActionId(id);
    const a = await this.store.actions.get(ctx.tenantId, key, authz.scope(ctx));
    if (!a) throw errors.notFound(`Machine action ${id} was not found`);
    return a;
  }

  /** `GET /api/machines/{id}/availableMachineActions`: what can be asked of the machine now. */
  async available(ctx: Ctx, machineIdOrName: string): Promise<ActionAvailability[]> {
    authz.require(ctx, REQUIRE.machineRead);
    const d = await this.machine(ctx, this.store, machineIdOrName);
    const offboarded = d.credentialHash === REVOKED_CREDENTIAL;
    return AVAILABILITY.map(([action, supported]) => ({
      action,
      isAvailable: supported && !offboarded,
      notSupportedReason: !supported ? 'NotSupportedByPalisade' : offboarded ? 'DeviceOffboarded' : null,
    }));
  }

  /** `POST /api/machineactions/{id}/cancel` (any action permission, a `Comment`): only an open action can be cancelled. */
  async cancel(ctx: Ctx, id: string, body: unknown): Promise<MachineAction> {
    return audited(this.store, ctx, this.clock, 'machineAction.cancel', id, async (r) => {
      authz.require(ctx, REQUIRE.anyMachineAction);
      const key = checkActionId(id);
      if (!isObject(body)) throw errors.invalidBody('Request body is incorrect: send a JSON object with a Comment');
      const comment = commentOf(body);
      const a = await r.actions.get(ctx.tenantId, key, authz.scope(ctx));
      if (!a) throw errors.notFound(`Machine action ${id} was not found`);
      const now = this.clock().toISOString();
      const u = isFinal(a.status) ? null : await r.actions.transition(ctx.tenantId, key, OPEN, {
        status: 'Cancelled', cancellationRequestor: requestorOf(ctx), cancellationComment: comment, cancellationDateTimeUtc: now,
        lastUpdateDateTimeUtc: now, errorHResult: ACTION_HRESULT.cancelled,
      });
      if (!u) throw errors.badRequest(`Machine action ${id} is ${(await r.actions.get(ctx.tenantId, key, 'all'))?.status ?? a.status} and can no longer be cancelled`);
      return u;
    }, JSON.stringify({ body: body ?? null }).slice(0, 2000));
  }

  /**
   * `GET /sensor/v1/work`: the device's unacknowledged open actions and the tenant's indicator
   * version, at once when there are actions or the version is newer than `indicatorVersion`; else
   * after waiting up to `waitSeconds` for either (or for `signal`: the client went away).
   */
  async work(device: DeviceIdentity, waitSeconds: number, indicatorVersion: number, signal?: AbortSignal): Promise<WorkResult> {
    const deadline = Date.now() + Math.max(0, Math.min(waitSeconds, ACTION_LIMITS.maxWaitSeconds)) * 1000;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const left = deadline - Date.now();
        // listen before reading, so an action created while we read still wakes us
        const woken = this.wakeups.wait(device.tenantId, device.deviceId, this.recheckMs > 0 ? Math.min(left, this.recheckMs) : left, stop.signal);
        const [actions, version] = await Promise.all([
          this.store.actions.unacknowledged(device.tenantId, device.deviceId),
          this.store.indicators.version(device.tenantId),
        ]);
        if (actions.length || version > indicatorVersion || left <= 0 || signal?.aborted) {
          stop.abort();
          return { actions: actions.map(wireActionOf), indicatorVersion: version };
        }
        const why = await woken;
        // nothing happened in this process, and nothing can elsewhere (no re-checks): nothing to read again
        if (why === 'aborted' || why === 'closed' || why === 'superseded' || (why === 'deadline' && this.recheckMs === 0)) return { actions: [], indicatorVersion: version };
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * `POST /sensor/v1/actions/{id}/progress`: applies a sensor's report to its own action. A
   * Cancelled or TimeOut action ignores it and answers that status (the sensor stops); a final one
   * answers its status unchanged; status moves only forward; per-command reports of a live response
   * set that command's status, times and errors. Another device's action, or an unknown id, is a 404.
   */
  async progress(device: DeviceIdentity, id: string, report: ProgressReport): Promise<ProgressResult> {
    const key = GUID.test(id) ? id.toLowerCase() : null;
    for (let attempt = 0; ; attempt++) {
      const a = key ? await this.store.actions.get(device.tenantId, key, 'all') : null;
      if (!a || a.machineId !== device.deviceId) throw errors.notFound(`Machine action ${id} was not found`);
      if (isFinal(a.status) || attempt === 3) return { status: a.status };
      const now = this.clock().toISOString();
      const to = isForward(a.status, report.status) ? report.status : a.status;
      const patch: MachineActionPatch = { status: to, acknowledged: true, lastUpdateDateTimeUtc: now };
      if (report.message !== undefined) patch.statusMessage = report.message;
      if (report.fileInfo) patch.fileInfo = { ...a.fileInfo, ...report.fileInfo };
      if (to === 'Failed') patch.errorHResult = ACTION_HRESULT.failed;
      if (report.commandIndex !== undefined) {
        const i = report.commandIndex;
        if (!a.commands.some((c) => c.index === i)) throw errors.badRequest(`Machine action ${id} has no command ${i}`);
        patch.commands = a.commands.map((c) => c.index !== i ? c : {
          ...c,
          startTime: c.startTime ?? now,
          ...(report.commandStatus ? { endTime: now, commandStatus: report.commandStatus, errors: report.errors ?? c.errors } : {}),
        });
      }
      const ctx = deviceCtx(device);
      const details = JSON.stringify({ from: a.status, to, commandIndex: report.commandIndex, commandStatus: report.commandStatus, message: report.message?.slice(0, 500) });
      const u = await this.store.tx(async (r) => {
        const moved = await r.actions.transition(device.tenantId, a.id, [a.status], patch);
        if (!moved) return null;
        await r.audit.append(auditRecord(ctx, this.clock(), 'machineAction.progress', a.id, 'success', details));
        if (moved.type === 'Offboard' && moved.status === 'Succeeded' && a.status !== 'Succeeded') {
          await r.devices.revokeCredential(device.tenantId, device.deviceId, 'all');
          await r.audit.append(auditRecord(ctx, this.clock(), 'device.credential.revoke', device.deviceId, 'success', JSON.stringify({ offboardAction: a.id })));
        }
        return moved;
      });
      if (u) return { status: u.status };
      // the status changed under us (a cancel, the sweeper): read again
    }
  }

  /**
   * Times out every open action whose expiry has passed (the sweeper; each change audited as the
   * system). Returns how many it timed out.
   */
  async sweepExpired(): Promise<number> {
    let n = 0;
    for (;;) {
      const now = this.clock();
      const due = await this.store.actions.expired(now.toISOString(), 200);
      let moved = 0;
      for (const d of due) {
        const ctx = systemCtx(d.tenantId);
        const ok = await this.store.tx(async (r) => {
          const u = await r.actions.transition(d.tenantId, d.id, OPEN, { status: 'TimeOut', errorHResult: ACTION_HRESULT.timeOut, lastUpdateDateTimeUtc: now.toISOString() });
          if (u) await r.audit.append(auditRecord(ctx, now, 'machineAction.timeOut', d.id, 'success', JSON.stringify({ machineId: u.machineId, type: u.type, expiresAt: u.expiresAt })));
          return u !== null;
        });
        if (ok) moved++;
      }
      n += moved;
      if (due.length < 200 || moved === 0) return n;
    }
  }

  /** Runs `sweepExpired` every `everyMs` until the returned stop is called (the scheduler role). */
  startSweeper(everyMs: number, onError: (e: unknown) => void): () => Promise<void> {
    let running: Promise<unknown> | null = null;
    const timer = setInterval(() => {
      running ??= this.sweepExpired().catch(onError).finally(() => (running = null));
    }, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
