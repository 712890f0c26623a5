/**
 * What devices upload for their actions, and the links that hand it out: the investigation package
 * of a CollectInvestigationPackage action (index 0, a .tar.gz) and the result of a live response
 * command (index = the command's index: the file GetFile fetched, or RunScript's JSON
 * `{script_name, exit_code, script_output, script_errors}`). A device streams a result into the
 * FileStore (`PUT /sensor/v1/actions/{id}/results/{index}`, ≤ 512 MiB, never held whole in memory);
 * `getPackageUri` and `GetLiveResponseResultDownloadLink(index=N)` answer a signed link, valid 30
 * minutes, that the public surface serves without an Authorization header (MDE's SAS URL, which
 * Splunk SOAR downloads so).
 */
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { MachineAction } from '../domain/machine-action.ts';
import type { Permission } from '../domain/permissions.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { FileStore, StateStore, StoredFile } from '../domain/ports.ts';
import { checkActionId } from './machine-actions.ts';
import type { LinkSigner } from './signed-links.ts';

/** Largest result a device may upload: 512 MiB. */
export const MAX_RESULT_BYTES = 512 * 1024 * 1024;

/** getPackageUri: an app's machine read permission, or a user's Machine.CollectForensics (reference §2.2). */
export const PACKAGE_LINK_PERMISSIONS: readonly Permission[] = [...REQUIRE.machineRead, 'Machine.CollectForensics'];
/** GetLiveResponseResultDownloadLink: an app's machine read permission, or a user's Machine.LiveResponse. */
export const RESULT_LINK_PERMISSIONS: readonly Permission[] = [...REQUIRE.machineRead, 'Machine.LiveResponse'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The device uploading: who its credential proved. */
export interface ResultUploader {
  tenantId: string;
  deviceId: string;
}

/** A result as the download route serves it. */
export interface ResultDownload {
  size: number;
  content: AsyncIterable<Uint8Array>;
  contentType: string;
  fileName: string;
}

/** What the result at `index` of an action is, or a 400 saying why the action has none there. */
function resultOf(action: MachineAction, index: number): { contentType: string; fileName: string } {
  if (action.type === 'CollectInvestigationPackage') {
    if (index !== 0) throw errors.badRequest('An investigation package is result 0 of its action');
    return { contentType: 'application/gzip', fileName: `${action.computerDnsName ?? action.machineId}-investigation-package-${action.id}.tar.gz` };
  }
  if (action.type !== 'LiveResponse') throw errors.badRequest(`A ${action.type} action has no results to upload`);
  const cmd = action.commands.find((c) => c.index === index);
  if (!cmd) throw errors.badRequest(`The live response action has no command ${index}`);
  if (cmd.command.type === 'RunScript') {
    const script = cmd.command.params.find((p) => p.key === 'ScriptName')?.value ?? 'script';
    return { contentType: 'application/json', fileName: `${safeName(script)}-output-${index}.json` };
  }
  if (cmd.command.type === 'GetFile') {
    const path = cmd.command.params.find((p) => p.key === 'Path')?.value ?? 'file';
    return { contentType: 'application/octet-stream', fileName: safeName(path.split(/[\\/]/).filter(Boolean).pop() ?? 'file') };
  }
  throw errors.badRequest(`Command ${index} (${cmd.command.type}) has no result`);
}

/** A name fit for a Content-Disposition header: printable ASCII without quotes or separators. */
function safeName(name: string): string {
  const s = [...name].map((c) => (/[A-Za-z0-9._-]/.test(c) ? c : '_')).join('').slice(0, 120);
  return s || 'file';
}

/** The stored key of an action's result. */
const resultKey = (tenantId: string, actionId: string, index: number) => `results/${tenantId}/${actionId.toLowerCase()}/${index}`;
/** The public path a result's signed link names. */
const downloadPath = (tenantId: string, actionId: string, index: number) => `/downloads/actions/${tenantId}/${actionId.toLowerCase()}/${index}`;

/** Results of actions: uploads from devices, signed links for callers, downloads through those links. */
export class ActionResultService {
  constructor(
    private readonly store: StateStore,
    private readonly files: FileStore,
    private readonly signer: LinkSigner,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * PUT /sensor/v1/actions/{id}/results/{index}: streams the device's result into the file store
   * (replacing an earlier upload of the same index). 404 for an action of another device or none;
   * 400 when the action has no result at that index or was cancelled or timed out.
   */
  async upload(device: ResultUploader, actionId: string, index: number, content: AsyncIterable<Uint8Array>): Promise<StoredFile> {
    const target = `${actionId}/${index}`;
    try {
      const id = GUID.test(actionId) ? actionId.toLowerCase() : null;
      const action = id ? await this.store.actions.get(device.tenantId, id, 'all') : null;
      if (!action || action.machineId !== device.deviceId) throw errors.notFound(`Machine action ${actionId} was not found`);
      resultOf(action, index);
      if (action.status === 'Cancelled' || action.status === 'TimeOut') throw errors.badRequest(`The action is ${action.status}; it takes no results`);
      const stored = await this.files.put(resultKey(device.tenantId, action.id, index), content, MAX_RESULT_BYTES);
      await this.audit(device, target, 'success', JSON.stringify(stored));
      return stored;
    } catch (e) {
      await this.audit(device, target, 'failure', JSON.stringify({ error: (e instanceof Error ? e.message : String(e)).slice(0, 500) }));
      throw e;
    }
  }

  /** GET /api/machineactions/{id}/getPackageUri: a signed link to the package, once the collection Succeeded (404 before). */
  async packageLink(ctx: Ctx, id: string, baseUrl: string): Promise<string> {
    authz.require(ctx, PACKAGE_LINK_PERMISSIONS);
    const action = await this.action(ctx, id);
    if (action.type !== 'CollectInvestigationPackage') throw new PalisadeError('InvalidInput', 'Provided Guid is not a valid id for a CollectInvestigationPackage action');
    if (action.status !== 'Succeeded') throw errors.notFound(`The investigation package of machine action ${action.id} is not available: the action is ${action.status}`);
    return this.linkTo(action, 0, baseUrl);
  }

  /** GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=N): a signed link to command N's result, once it Completed. */
  async liveResponseLink(ctx: Ctx, id: string, index: number, baseUrl: string): Promise<string> {
    authz.require(ctx, RESULT_LINK_PERMISSIONS);
    const action = await this.action(ctx, id);
    if (action.type !== 'LiveResponse') throw new PalisadeError('InvalidInput', 'Provided Guid is not a valid id for a LiveResponse action');
    const cmd = action.commands.find((c) => c.index === index);
    if (!cmd) throw new PalisadeError('InvalidInput', `The live response action has no command at index ${index}`);
    resultOf(action, index);
    if (cmd.commandStatus !== 'Completed') throw errors.notFound(`Command ${index} of machine action ${action.id} has no result: it is ${cmd.commandStatus}`);
    return this.linkTo(action, index, baseUrl);
  }

  /** A result through its signed link (the public surface, no Authorization): 403 for a bad or expired link, 404 when it is gone. */
  async download(tenantId: string, actionId: string, index: string, expires: unknown, signature: unknown): Promise<ResultDownload> {
    const n = /^\d{1,4}$/.test(index) ? Number(index) : -1;
    const path = downloadPath(tenantId, actionId, n);
    this.signer.verify(path, expires, signature);
    const action = await this.store.actions.get(tenantId, actionId.toLowerCase(), 'all');
    const opened = action ? await this.files.open(resultKey(tenantId, action.id, n)) : null;
    if (!action || !opened) throw errors.notFound('The result is no longer available');
    return { size: opened.size, content: opened.stream, ...resultOf(action, n) };
  }

  private async action(ctx: Ctx, id: string): Promise<MachineAction> {
    const action = await this.store.actions.get(ctx.tenantId, checkActionId(id), authz.scope(ctx));
    if (!action) throw errors.notFound(`Machine action ${id} was not found`);
    return action;
  }

  private async linkTo(action: MachineAction, index: number, baseUrl: string): Promise<string> {
    if (!(await this.files.exists(resultKey(action.tenantId, action.id, index)))) {
      throw errors.notFound(`Machine action ${action.id} has no uploaded result ${index}`);
    }
    return `${baseUrl}${this.signer.sign(downloadPath(action.tenantId, action.id, index))}`;
  }

  private async audit(device: ResultUploader, target: string, result: 'success' | 'failure', details: string): Promise<void> {
    await this.store.audit.append({
      tenantId: device.tenantId, time: this.clock().toISOString(), actorKind: 'device', actorId: device.deviceId, action: 'action.result.upload', target, result, details,
    }).catch(() => undefined);
  }
}
