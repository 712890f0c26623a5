/**
 * Tenants and their OAuth2 apps: the admin use cases behind `palisade admin tenant|app`.
 * Signing keys are made by an injected factory (the service imports no crypto library).
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../domain/errors.ts';
import { canonicalPermission, isPermission, PERMISSIONS, type Permission } from '../domain/permissions.ts';
import type { StateStore } from '../domain/ports.ts';
import type { App, SigningKey, Tenant } from '../domain/tenant.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';

/** Makes a tenant signing key (see auth/token-service.ts `newSigningKey`). */
export type KeyFactory = (tenantId: string) => Promise<SigningKey>;

/** The credentials of a new app; the secret is shown once and never stored. */
export interface NewAppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tenant and app administration. */
export class TenantService {
  constructor(private readonly store: StateStore, private readonly makeKey: KeyFactory, private readonly clock: () => Date = () => new Date()) {}

  /** Creates a tenant with a fresh signing key. `id` defaults to a new GUID. */
  async createTenant(name: string, id: string = randomUUID()): Promise<Tenant> {
    if (!name.trim()) throw errors.badRequest('A tenant needs a name');
    if (!GUID.test(id)) throw errors.badRequest(`Tenant id '${id}' is not a GUID`);
    const tenant: Tenant = { id: id.toLowerCase(), name: name.trim(), createdAt: this.clock().toISOString() };
    const key = await this.makeKey(tenant.id);
    await this.store.tx(async (r) => {
      if (await r.tenants.get(tenant.id)) throw new Error(`Tenant ${tenant.id} already exists`);
      await r.tenants.create(tenant);
      await r.tenants.addSigningKey(key);
    });
    return tenant;
  }

  /** All tenants, oldest first. */
  async listTenants(): Promise<Tenant[]> {
    return this.store.tenants.list();
  }

  /** The tenant made at first start, when there is exactly one; else null. */
  async soleTenant(): Promise<Tenant | null> {
    const all = await this.store.tenants.list();
    return all.length === 1 ? all[0] : null;
  }

  /** Resolves `--tenant` or the only tenant; throws when ambiguous or unknown. */
  async resolveTenant(id?: string): Promise<Tenant> {
    if (id) {
      const t = await this.store.tenants.get(id.toLowerCase());
      if (!t) throw errors.notFound(`Tenant ${id} was not found`);
      return t;
    }
    const all = await this.store.tenants.list();
    if (all.length === 0) throw errors.notFound('There is no tenant yet; start the server once or run `palisade admin tenant create`');
    if (all.length > 1) throw errors.badRequest(`There are ${all.length} tenants; name one with --tenant`);
    return all[0];
  }

  /** Creates an app with the given MDE permissions and returns its one-time credentials. */
  async createApp(tenantId: string, name: string, permissions: readonly string[]): Promise<NewAppCredentials> {
    const tenant = await this.resolveTenant(tenantId);
    if (!name.trim()) throw errors.badRequest('An app needs a name');
    const perms: Permission[] = [];
    for (const raw of permissions.map((p) => canonicalPermission(p.trim())).filter(Boolean)) {
      if (!isPermission(raw)) throw errors.badRequest(`Unknown permission '${raw}'. Known permissions: ${PERMISSIONS.join(', ')}`);
      if (!perms.includes(raw)) perms.push(raw);
    }
    const clientSecret = newSecret(30);
    const app: App = {
      tenantId: tenant.id,
      clientId: randomUUID(),
      name: name.trim(),
      secretHash: await hashSecret(clientSecret),
      permissions: perms,
      createdAt: this.clock().toISOString(),
    };
    await this.store.apps.create(app);
    return { tenantId: tenant.id, clientId: app.clientId, clientSecret };
  }

  /** The apps of a tenant (without secrets). */
  async listApps(tenantId: string): Promise<Omit<App, 'secretHash'>[]> {
    return (await this.store.apps.list(tenantId)).map(({ secretHash: _s, ...rest }) => rest);
  }

  /** Deletes an app; its existing tokens stop working when they expire (≤ 1 h) — and at once for new requests, see the API's app check. */
  async deleteApp(tenantId: string, clientId: string): Promise<void> {
    if (!(await this.store.apps.delete(tenantId, clientId))) throw errors.notFound(`App ${clientId} was not found`);
  }
}
