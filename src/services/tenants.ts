/**
 * Tenants and their OAuth2 apps: the admin use cases behind `palisade admin tenant|app`. Each runs
 * with a context (a local operator's, or the system's at first start), is authorized first, and
 * audits every change. Signing keys are made by an injected factory (the service imports no crypto
 * library).
 */
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import { canonicalPermission, isPermission, PERMISSIONS, REQUIRE, type Permission } from '../domain/permissions.ts';
import type { StateStore } from '../domain/ports.ts';
import type { App, SigningKey, Tenant } from '../domain/tenant.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';
import { redirectUriProblem } from '../domain/redirect-uri.ts';

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

  /** Creates the tenant `ctx.tenantId` (a GUID the caller chose) with a fresh signing key. */
  async createTenant(ctx: Ctx, name: string): Promise<Tenant> {
    const id = ctx.tenantId;
    if (!GUID.test(id)) throw errors.badRequest(`Tenant id '${id}' is not a GUID`);
    const tenant: Tenant = { id: id.toLowerCase(), name: name.trim(), createdAt: this.clock().toISOString() };
    const key = await this.makeKey(tenant.id);
    return audited(this.store, { ...ctx, tenantId: tenant.id }, this.clock, 'tenant.create', tenant.id, async (r) => {
      authz.requireOperator(ctx);
      if (!tenant.name) throw errors.badRequest('A tenant needs a name');
      if (await r.tenants.get(tenant.id)) throw new PalisadeError('Conflict', `Tenant ${tenant.id} already exists`);
      await r.tenants.create(tenant);
      await r.tenants.addSigningKey(key);
      return tenant;
    }, JSON.stringify({ name: tenant.name }));
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

  /** Creates an app of `ctx`'s tenant with the given MDE permissions and returns its one-time credentials. */
  async createApp(ctx: Ctx, name: string, permissions: readonly string[]): Promise<NewAppCredentials> {
    const clientSecret = newSecret(30);
    const clientId = randomUUID();
    const secretHash = await hashSecret(clientSecret);
    return audited(this.store, ctx, this.clock, 'app.create', clientId, async (r) => {
      authz.requireOperator(ctx);
      if (!(await r.tenants.get(ctx.tenantId))) throw errors.notFound(`Tenant ${ctx.tenantId} was not found`);
      if (!name.trim()) throw errors.badRequest('An app needs a name');
      const perms: Permission[] = [];
      for (const raw of permissions.map((p) => canonicalPermission(p.trim())).filter(Boolean)) {
        if (!isPermission(raw)) throw errors.badRequest(`Unknown permission '${raw}'. Known permissions: ${PERMISSIONS.join(', ')}`);
        if (!perms.includes(raw)) perms.push(raw);
      }
      const app: App = { tenantId: ctx.tenantId, clientId, name: name.trim(), secretHash, permissions: perms, createdAt: this.clock().toISOString(), publicClient: false, redirectUris: [] };
      await r.apps.create(app);
      return { tenantId: ctx.tenantId, clientId, clientSecret };
    }, JSON.stringify({ name: name.trim(), permissions }));
  }

  /**
   * Creates a public client of `ctx`'s tenant (a native app or a CLI): no secret, users sign in
   * through it with authorization code + PKCE at one of `redirectUris`, or with a device code.
   * What its tokens allow comes from the signed-in user's roles, not from the app.
   */
  async createPublicApp(ctx: Ctx, name: string, redirectUris: readonly string[]): Promise<{ tenantId: string; clientId: string }> {
    const clientId = randomUUID();
    const uris = [...new Set(redirectUris.map((u) => u.trim()).filter(Boolean))];
    return audited(this.store, ctx, this.clock, 'app.create', clientId, async (r) => {
      authz.requireOperator(ctx);
      if (!(await r.tenants.get(ctx.tenantId))) throw errors.notFound(`Tenant ${ctx.tenantId} was not found`);
      if (!name.trim()) throw errors.badRequest('An app needs a name');
      if (uris.length === 0) throw errors.badRequest('A public client needs at least one redirect URI');
      for (const u of uris) {
        const problem = redirectUriProblem(u);
        if (problem) throw errors.badRequest(problem);
      }
      await r.apps.create({
        tenantId: ctx.tenantId, clientId, name: name.trim(), secretHash: '', permissions: [], createdAt: this.clock().toISOString(),
        publicClient: true, redirectUris: uris,
      });
      return { tenantId: ctx.tenantId, clientId };
    }, JSON.stringify({ name: name.trim(), publicClient: true, redirectUris: uris }));
  }

  /** The apps of `ctx`'s tenant (without secrets), for operators and portal-settings holders. */
  async listApps(ctx: Ctx): Promise<Omit<App, 'secretHash'>[]> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return (await this.store.apps.list(ctx.tenantId)).map(({ secretHash: _s, ...rest }) => rest);
  }

  /** Deletes an app; its tokens are refused from the next request on (the bearer check looks the app up every time). */
  async deleteApp(ctx: Ctx, clientId: string): Promise<void> {
    await audited(this.store, ctx, this.clock, 'app.delete', clientId, async (r) => {
      authz.requireOperator(ctx);
      if (!(await r.apps.delete(ctx.tenantId, clientId))) throw errors.notFound(`App ${clientId} was not found`);
    });
  }
}
