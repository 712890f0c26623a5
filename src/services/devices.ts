/**
 * Device inventory use cases behind the MDE machines API. Every method authorizes first and passes
 * the caller's device-group scope to the store.
 */
import type { Ctx } from '../domain/context.ts';
import { DEVICE_VALUES, type Device, type DeviceValue } from '../domain/device.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE, type PermissionRequirement } from '../domain/permissions.ts';
import type { Page, Repos, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';
import { regroupDevice } from './device-groups.ts';

/** MDE's limit on AddOrRemoveTagForMultipleMachines. */
export const MAX_BULK_TAG_MACHINES = 500;
/** Longest tag accepted. */
export const MAX_TAG_LENGTH = 200;

const MACHINE_ID = /^[0-9a-f]{40}$/i;

function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || !tag.trim()) throw errors.invalidBody("'Value' must be a non-empty string");
  if (tag.length > MAX_TAG_LENGTH) throw errors.invalidBody(`A tag is at most ${MAX_TAG_LENGTH} characters`);
  return tag.trim();
}

function checkAction(action: unknown): 'Add' | 'Remove' {
  if (action === 'Add' || action === 'Remove') return action;
  throw errors.invalidBody(`'Action' must be 'Add' or 'Remove', got ${JSON.stringify(action)}`);
}

function applyTag(tags: readonly string[], tag: string, action: 'Add' | 'Remove'): string[] {
  const rest = tags.filter((t) => t.toLowerCase() !== tag.toLowerCase());
  return action === 'Add' ? [...rest, tag] : rest;
}

/** Machines API use cases. */
export class DeviceService {
  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** GET /api/machines. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<Device>> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.store.devices.list(ctx.tenantId, q, authz.scope(ctx), this.clock());
  }

  /** A machine by device id or by computer name; 404 when the caller cannot see it. */
  async get(ctx: Ctx, idOrName: string): Promise<Device> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.find(ctx, idOrName);
  }

  private async find(ctx: Ctx, idOrName: string, repos: Pick<Repos, 'devices'> = this.store): Promise<Device> {
    const scope = authz.scope(ctx);
    const d = MACHINE_ID.test(idOrName)
      ? await repos.devices.get(ctx.tenantId, idOrName.toLowerCase(), scope)
      : await repos.devices.getByName(ctx.tenantId, idOrName, scope);
    if (!d) throw errors.notFound(`Machine ${idOrName} was not found`);
    return d;
  }

  /**
   * Runs a mutation audited (services/audit.ts): authorized first, in one transaction, recorded with
   * its result — a refusal, a bad body or a missing machine included.
   */
  private mutate<T>(ctx: Ctx, action: string, target: string, body: unknown, required: PermissionRequirement, fn: (r: Repos) => Promise<T>): Promise<T> {
    const details = JSON.stringify(body ?? null).slice(0, 2000);
    return audited(this.store, ctx, this.clock, action, target, async (r) => {
      authz.require(ctx, required);
      return fn(r);
    }, details);
  }

  /** PATCH /api/machines/{id}: replaces the tag set and/or sets the device value. */
  async update(ctx: Ctx, idOrName: string, body: { machineTags?: unknown; deviceValue?: unknown }): Promise<Device> {
    return this.mutate(ctx, 'machine.update', idOrName, body, REQUIRE.machineWrite, async (r) => {
      const patch: { machineTags?: string[]; deviceValue?: DeviceValue } = {};
      if (body.machineTags !== undefined) {
        if (!Array.isArray(body.machineTags)) throw errors.invalidBody("'machineTags' must be an array of strings");
        const tags: string[] = [];
        for (const t of body.machineTags) {
          const c = checkTag(t);
          if (!tags.some((x) => x.toLowerCase() === c.toLowerCase())) tags.push(c);
        }
        patch.machineTags = tags;
      }
      if (body.deviceValue !== undefined) patch.deviceValue = this.checkValue(body.deviceValue, 'deviceValue');
      if (!Object.keys(patch).length) throw errors.invalidBody("The body must set 'machineTags' and/or 'deviceValue'");
      return this.save(ctx, r, await this.find(ctx, idOrName, r), patch);
    });
  }

  /** POST /api/machines/{id}/tags. */
  async tag(ctx: Ctx, idOrName: string, body: { Value?: unknown; Action?: unknown }): Promise<Device> {
    return this.mutate(ctx, 'machine.tag', idOrName, body, REQUIRE.machineWrite, async (r) => {
      const tag = checkTag(body.Value);
      const action = checkAction(body.Action);
      const d = await this.find(ctx, idOrName, r);
      return this.save(ctx, r, d, { machineTags: applyTag(d.machineTags, tag, action) });
    });
  }

  /** POST /api/machines/AddOrRemoveTagForMultipleMachines: all machines change, or none. */
  async tagMany(ctx: Ctx, body: { Value?: unknown; Action?: unknown; MachineIds?: unknown }): Promise<Device[]> {
    const target = Array.isArray(body.MachineIds) ? body.MachineIds.slice(0, MAX_BULK_TAG_MACHINES).map(String).join(',') : '';
    return this.mutate(ctx, 'machine.tag.bulk', target, { Value: body.Value, Action: body.Action }, REQUIRE.machineWrite, async (r) => {
      const tag = checkTag(body.Value);
      const action = checkAction(body.Action);
      if (!Array.isArray(body.MachineIds) || body.MachineIds.length === 0) throw errors.invalidBody("'MachineIds' must be a non-empty array of machine ids");
      if (body.MachineIds.length > MAX_BULK_TAG_MACHINES) {
        throw new PalisadeError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${body.MachineIds.length}, allowed: ${MAX_BULK_TAG_MACHINES}`);
      }
      const ids = [...new Set(body.MachineIds.map((x) => {
        if (typeof x !== 'string' || !MACHINE_ID.test(x)) throw errors.invalidBody(`'MachineIds' contains an invalid machine id: ${JSON.stringify(x)}`);
        return x.toLowerCase();
      }))];
      const scope = authz.scope(ctx);
      const found = await r.devices.getMany(ctx.tenantId, ids, scope);
      const missing = ids.filter((id) => !found.some((d) => d.id === id));
      if (missing.length) throw errors.notFound(`Machines not found: ${missing.join(', ')}`);
      const out: Device[] = [];
      for (const d of found) {
        const u = await r.devices.update(ctx.tenantId, d.id, { machineTags: applyTag(d.machineTags, tag, action) }, scope);
        if (u) out.push(await regroupDevice(r, u));
      }
      return out;
    });
  }

  /** POST /api/machines/{id}/setDeviceValue. */
  async setDeviceValue(ctx: Ctx, idOrName: string, body: { DeviceValue?: unknown }): Promise<Device> {
    return this.mutate(ctx, 'machine.setDeviceValue', idOrName, body, REQUIRE.machineWrite, async (r) => {
      const value = this.checkValue(body.DeviceValue, 'DeviceValue');
      return this.save(ctx, r, await this.find(ctx, idOrName, r), { deviceValue: value });
    });
  }

  /** GET /api/machines/findbytag?tag=&useStartsWithFilter=. */
  async findByTag(ctx: Ctx, tag: string | undefined, startsWith: boolean): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    if (!tag) throw new PalisadeError('MissingRequiredParameter', "The query parameter 'tag' is required");
    return this.store.devices.findByTag(ctx.tenantId, tag, startsWith, authz.scope(ctx));
  }

  /**
   * Revokes a machine's device credential: from the next call on, its sensor is refused (401) on
   * every sensor route. `palisade admin device revoke` calls it; offboarding will too.
   */
  async revokeCredential(ctx: Ctx, idOrName: string): Promise<Device> {
    return this.mutate(ctx, 'device.credential.revoke', idOrName, null, ['Machine.Offboard'], async (r) => {
      const d = await this.find(ctx, idOrName, r);
      if (!(await r.devices.revokeCredential(ctx.tenantId, d.id, authz.scope(ctx)))) throw errors.notFound(`Machine ${idOrName} was not found`);
      return d;
    });
  }

  private checkValue(v: unknown, field: string): DeviceValue {
    if (typeof v === 'string' && (DEVICE_VALUES as readonly string[]).includes(v)) return v as DeviceValue;
    throw errors.invalidBody(`'${field}' must be one of ${DEVICE_VALUES.join(', ')}; got ${JSON.stringify(v)}`);
  }

  private async save(ctx: Ctx, r: Repos, d: Device, patch: { machineTags?: string[]; deviceValue?: DeviceValue }): Promise<Device> {
    const u = await r.devices.update(ctx.tenantId, d.id, patch, authz.scope(ctx));
    if (!u) throw errors.notFound(`Machine ${d.id} was not found`);
    // tags decide device groups: a tag change may move the device to another group
    return patch.machineTags ? regroupDevice(r, u) : u;
  }
}
