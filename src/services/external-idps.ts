/**
 * External OpenID Connect providers of a tenant and the sign-ins through them (issue 14, item 1).
 * Operators add, list and remove providers (authorized first, audited; the client secret is never
 * returned). `signIn` turns the claims a provider proved into a Palisade user: the user created from
 * that provider identity (issuer and subject), or — when the provider allows just-in-time
 * provisioning — a new user without a password; its roles are set from the provider's mapping at
 * every sign-in, so a group removed at the provider removes the role here at the next sign-in.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import {
  DEFAULT_IDP_SCOPES, displayNameFromClaims, externalIdpProblem, rolesClaimLeftOut, rolesFromClaims, userPrincipalNameFromClaims,
  type ExternalIdp,
} from '../domain/external-idp.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { ExternalIdpPatch, Repos, StateStore } from '../domain/ports.ts';
import { isUserPrincipalName, type User } from '../domain/user.ts';
import { audited, auditRecord } from './audit.ts';
import { resolveRoles, type RbacChangeListener } from './roles.ts';
import { userView, type UserView } from './users.ts';

/** A provider as shown to administrators: everything but the client secret, and whether one is set. */
export type ExternalIdpView = Omit<ExternalIdp, 'clientSecret'> & { hasClientSecret: boolean };

/**
 * What adding a provider takes: the CLI's options or the API's body, checked by the service (a
 * wrong type or value is a 400). Scopes default to `openid profile email`, the roles claim to
 * `groups`; without a client secret Palisade is a public client (PKCE only).
 */
export interface NewExternalIdp {
  name: unknown;
  issuer: unknown;
  clientId: unknown;
  clientSecret?: unknown;
  scopes?: unknown;
  rolesClaim?: unknown;
  roleMapping?: unknown;
  jitProvisioning?: unknown;
  disabled?: unknown;
}

/**
 * What changing a provider takes; fields left out keep their value. `clientSecret` sets a new
 * secret, null removes it. The issuer cannot change (the provider's users are linked to it).
 */
export type ExternalIdpChange = Partial<NewExternalIdp>;

/** Most mapping rows a provider has. */
const MAX_MAPPING_ROWS = 500;

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || !v.trim() || v.length > max) throw errors.invalidBody(`'${field}' must be a non-empty string of at most ${max} characters`);
  return v.trim();
}

function flag(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw errors.invalidBody(`'${field}' must be true or false`);
  return v;
}

function secret(v: unknown): string | null {
  if (v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > 1024) throw errors.invalidBody("'clientSecret' must be a string of at most 1024 characters, or null for a public client");
  return v;
}

function scopeList(v: unknown): string[] {
  if (!Array.isArray(v) || v.length > 50 || v.some((x) => typeof x !== 'string')) throw errors.invalidBody("'scopes' must be a list of at most 50 scope names");
  const scopes = [...new Set((v as string[]).map((x) => x.trim()).filter(Boolean))];
  if (scopes.length === 0) return [...DEFAULT_IDP_SCOPES];
  return scopes.includes('openid') ? scopes : ['openid', ...scopes];
}

/** A mapping whose role names are the tenant's roles' (any case in, the stored name out); an unknown role is a 400. */
async function mappingOf(r: Pick<Repos, 'roles'>, tenantId: string, v: unknown): Promise<Record<string, string[]>> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw errors.invalidBody("'roleMapping' must be an object: claim value → list of role names");
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_MAPPING_ROWS) throw errors.invalidBody(`'roleMapping' has at most ${MAX_MAPPING_ROWS} claim values`);
  const out: [string, string[]][] = [];
  for (const [value, names] of entries) {
    if (!Array.isArray(names) || names.length > 100 || names.some((n) => typeof n !== 'string')) {
      throw errors.invalidBody(`The claim value '${value.slice(0, 256)}' must map to a list of role names`);
    }
    const roles: string[] = [];
    for (const n of names as string[]) {
      const [role] = n.trim() ? await resolveRoles(r, tenantId, [n.trim()]) : [];
      if (!role) throw errors.badRequest(`There is no role named '${n.slice(0, 128)}' (claim value '${value.slice(0, 256)}')`);
      if (!roles.includes(role.name)) roles.push(role.name);
    }
    out.push([value, roles]);
  }
  // fromEntries makes each value an own property, `__proto__` included
  return Object.fromEntries(out);
}

/** What an audit record says of a provider's settings or a change: never the secret, only whether one was set or removed. */
function auditDetails(input: ExternalIdpChange): string {
  const { clientSecret, ...rest } = input;
  const secretNote = clientSecret === undefined ? {} : { clientSecret: clientSecret === null || clientSecret === '' ? 'removed' : 'set' };
  return JSON.stringify({ ...rest, ...secretNote }).slice(0, 2000);
}

/** A provider's name and id: what the sign-in page shows of it. */
export interface SignInOption {
  id: string;
  name: string;
}

/** The provider without its secret. */
export function externalIdpView(idp: ExternalIdp): ExternalIdpView {
  const { clientSecret, ...rest } = idp;
  return { ...rest, hasClientSecret: clientSecret !== null };
}

/** Providers and federated sign-in. */
export class ExternalIdpService {
  private readonly listeners: RbacChangeListener[] = [];

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Calls `l` after each committed change of a tenant's users' roles (a sign-in applying the mapping, a user created). */
  onChange(l: RbacChangeListener): void {
    this.listeners.push(l);
  }

  /**
   * Adds a provider to `ctx`'s tenant (an operator's, or a holder of the portal-settings permission);
   * the secret is stored for the token requests and never shown again. Mapped role names must be
   * the tenant's roles.
   */
  async add(ctx: Ctx, input: NewExternalIdp): Promise<ExternalIdpView> {
    const name = typeof input.name === 'string' ? input.name.trim().slice(0, 256) : '';
    return audited(this.store, ctx, this.clock, 'idp.add', name, async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const idp: ExternalIdp = {
        tenantId: ctx.tenantId, id: randomUUID(), name: text(input.name, 'name', 256), issuer: text(input.issuer, 'issuer', 2048),
        clientId: text(input.clientId, 'clientId', 256), clientSecret: input.clientSecret === undefined ? null : secret(input.clientSecret),
        scopes: input.scopes === undefined ? [...DEFAULT_IDP_SCOPES] : scopeList(input.scopes),
        rolesClaim: input.rolesClaim === undefined ? 'groups' : text(input.rolesClaim, 'rolesClaim', 128),
        roleMapping: input.roleMapping === undefined ? {} : await mappingOf(r, ctx.tenantId, input.roleMapping),
        jitProvisioning: input.jitProvisioning === undefined ? false : flag(input.jitProvisioning, 'jitProvisioning'),
        disabled: input.disabled === undefined ? false : flag(input.disabled, 'disabled'),
        createdAt: this.clock().toISOString(),
      };
      const problem = externalIdpProblem(idp);
      if (problem) throw errors.badRequest(problem);
      if (!(await r.tenants.get(ctx.tenantId))) throw errors.notFound(`Tenant ${ctx.tenantId} was not found`);
      await r.externalIdps.create(idp);
      return externalIdpView(idp);
    }, auditDetails(input));
  }

  /** The tenant's providers, by name, without secrets. */
  async list(ctx: Ctx): Promise<ExternalIdpView[]> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return (await this.store.externalIdps.list(ctx.tenantId)).map(externalIdpView);
  }

  /** One provider by id or name, without its secret; 404 when there is none. */
  async get(ctx: Ctx, idOrName: string): Promise<ExternalIdpView> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return externalIdpView(await this.find(this.store, ctx.tenantId, idOrName));
  }

  /**
   * Changes what `change` names (rename, client id or secret, scopes, roles claim, mapping — which
   * replaces the old one —, just-in-time provisioning, disabled). A disabled provider leaves the
   * sign-in page and its sign-ins are refused; its users stay, their sign-ins so far revoked.
   * Nothing changes when a field is wrong.
   */
  async update(ctx: Ctx, idOrName: string, change: ExternalIdpChange): Promise<ExternalIdpView> {
    return audited(this.store, ctx, this.clock, 'idp.update', idOrName.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const old = await this.find(r, ctx.tenantId, idOrName);
      const patch: ExternalIdpPatch = {};
      if (change.name !== undefined) patch.name = text(change.name, 'name', 256);
      if (change.issuer !== undefined && text(change.issuer, 'issuer', 2048) !== old.issuer) {
        throw errors.badRequest(`The issuer of ${old.name} cannot change: its users are linked to it. Add a provider for the new issuer instead`);
      }
      if (change.clientId !== undefined) patch.clientId = text(change.clientId, 'clientId', 256);
      if (change.clientSecret !== undefined) patch.clientSecret = secret(change.clientSecret);
      if (change.scopes !== undefined) patch.scopes = scopeList(change.scopes);
      if (change.rolesClaim !== undefined) patch.rolesClaim = text(change.rolesClaim, 'rolesClaim', 128);
      if (change.roleMapping !== undefined) patch.roleMapping = await mappingOf(r, ctx.tenantId, change.roleMapping);
      if (change.jitProvisioning !== undefined) patch.jitProvisioning = flag(change.jitProvisioning, 'jitProvisioning');
      if (change.disabled !== undefined) patch.disabled = flag(change.disabled, 'disabled');
      const problem = externalIdpProblem({ ...old, ...patch });
      if (problem) throw errors.badRequest(problem);
      const updated = (await r.externalIdps.update(ctx.tenantId, old.id, patch))!;
      if (updated.disabled && !old.disabled) await this.revokeSignIns(r, updated);
      return externalIdpView(updated);
    }, auditDetails(change));
  }

  /**
   * Removes a provider (by id or name); its users stay but cannot sign in until a provider with the
   * same issuer is added again, and their sign-ins so far are revoked.
   */
  async remove(ctx: Ctx, idOrName: string): Promise<ExternalIdpView> {
    return audited(this.store, ctx, this.clock, 'idp.remove', idOrName.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const idp = await this.find(r, ctx.tenantId, idOrName);
      await r.externalIdps.delete(ctx.tenantId, idp.id);
      await this.revokeSignIns(r, idp);
      return externalIdpView(idp);
    });
  }

  /**
   * The enabled providers the sign-in page offers. Anyone may see them (the page is shown before
   * sign-in), so only names and ids are given.
   */
  async signInOptions(ctx: Ctx): Promise<SignInOption[]> {
    ctx.authz.checked = true; // public: the sign-in page lists them to everyone
    return (await this.store.externalIdps.list(ctx.tenantId)).filter((i) => !i.disabled).map((i) => ({ id: i.id, name: i.name }));
  }

  /** A provider with its secret, for the relying party; null when the tenant has no enabled one with this id. */
  async forSignIn(ctx: Ctx, id: string): Promise<ExternalIdp | null> {
    ctx.authz.checked = true; // signing in is what establishes who the caller is
    const idp = /^[0-9a-f-]{36}$/.test(id) ? await this.store.externalIdps.get(ctx.tenantId, id) : null;
    return idp && !idp.disabled ? idp : null;
  }

  /**
   * The user the provider's validated claims name: found by issuer and subject, or the user an
   * administrator created for this provider with the person's name (bound to the subject now), or
   * created when the provider provisions just in time (no password; name from `preferred_username`,
   * `upn` or `email`).
   * Its roles become what the mapping grants, its display name what the claims say. Refused
   * (Forbidden, a message for the person) when the account is disabled, unknown without
   * provisioning, or its name belongs to a user not from this provider. Audited: the roles applied
   * as `idp.signin` (the user the actor), a refusal as a failed `user.signin`; the sign-in page
   * records the sign-in itself when it finishes the pending request.
   */
  async signIn(ctx: Ctx, idp: ExternalIdp, claims: Record<string, unknown>): Promise<UserView> {
    ctx.authz.checked = true; // signing in is what establishes who the caller is
    const subject = typeof claims.sub === 'string' && claims.sub.length <= 255 ? claims.sub : null;
    const upn = userPrincipalNameFromClaims(claims);
    const target = upn ?? (subject ? `${subject}@${idp.name}` : idp.name);
    const roles = rolesFromClaims(idp, claims);
    const refuse = async (message: string, reason: string): Promise<never> => {
      await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', target.slice(0, 256), 'failure',
        JSON.stringify({ provider: idp.name, subject, reason })));
      throw errors.forbidden(message);
    };
    if (!subject) return refuse(`${idp.name} did not say who you are (no subject)`, 'no subject claim');
    // applying the mapping to a claim left out would take every role away: refuse instead, and say why
    if (rolesClaimLeftOut(idp, claims)) {
      return refuse(`${idp.name} left your ${idp.rolesClaim} out of the sign-in because there are too many of them, so Palisade cannot tell your roles; ask an administrator`, `${idp.rolesClaim} claim left out (overage)`);
    }
    const identity = { issuer: idp.issuer, subject };
    // a user an administrator created for this provider is bound to the first person signing in with its name
    const reserved = async () => {
      const u = upn ? await this.store.users.getByUpn(ctx.tenantId, upn) : null;
      return u?.external?.issuer === idp.issuer && u.external.subject === null ? u : null;
    };
    const known = await this.store.users.getByExternal(ctx.tenantId, identity) ?? await reserved();
    if (known?.disabled) return refuse('Your Palisade account is disabled; ask an administrator', 'account disabled');
    if (!known && !idp.jitProvisioning) return refuse(`You have no Palisade account yet and ${idp.name} does not create one; ask an administrator`, 'unknown user, no just-in-time provisioning');
    if (!known && !upn) return refuse(`${idp.name} sent no user name (preferred_username, upn or email) to create your account with`, 'no user name claim');
    const now = this.clock().toISOString();
    const displayName = displayNameFromClaims(claims);
    try {
      const user = await this.store.tx(async (r) => {
        let u: User;
        if (known) {
          const bind = known.external?.subject === null ? { external: identity } : {};
          u = (await r.users.update(ctx.tenantId, known.id, { roles, ...bind, ...(displayName ? { displayName } : {}) }))!;
        } else {
          u = {
            tenantId: ctx.tenantId, id: randomUUID(), userPrincipalName: upn!, displayName: displayName ?? upn!, passwordHash: null,
            totpSecret: null, totpEnabled: false, totpLastStep: null, roles, disabled: false, createdAt: now, lastSignInAt: null, external: identity,
          };
          await r.users.create(u);
          await r.audit.append(auditRecord(ctx, this.clock(), 'user.create', u.userPrincipalName, 'success',
            JSON.stringify({ provider: idp.name, subject, roles, justInTime: true })));
        }
        const asUser: Ctx = { ...ctx, principal: { kind: 'user', id: u.id, name: u.userPrincipalName, permissions: new Set(), deviceGroups: [] } };
        await r.audit.append(auditRecord(asUser, this.clock(), 'idp.signin', u.userPrincipalName, 'success', JSON.stringify({ provider: idp.name, subject, roles })));
        return u;
      });
      for (const l of this.listeners) l(ctx.tenantId);
      return userView(user);
    } catch (e) {
      if (e instanceof PalisadeError && e.code === 'Conflict') {
        return refuse(`A Palisade account named ${upn} already exists and is not linked to ${idp.name}; ask an administrator`, 'user name taken by another account');
      }
      throw e;
    }
  }

  /**
   * Creates a user of the provider `idpIdOrName` before its first sign-in (an operator's; audited as
   * `user.create`): no password; the first person the provider signs in with this user principal
   * name becomes it. With just-in-time provisioning off, this is how people are let in.
   */
  async createUser(ctx: Ctx, idpIdOrName: string, input: { userPrincipalName: string; displayName?: string }): Promise<UserView> {
    const upn = input.userPrincipalName.trim();
    return audited(this.store, ctx, this.clock, 'user.create', upn, async (r) => {
      authz.requireOperator(ctx);
      if (!isUserPrincipalName(upn)) throw errors.badRequest(`'${upn}' is not a user principal name (name@domain)`);
      const idp = await this.find(r, ctx.tenantId, idpIdOrName);
      const u: User = {
        tenantId: ctx.tenantId, id: randomUUID(), userPrincipalName: upn, displayName: input.displayName?.trim() || upn, passwordHash: null,
        totpSecret: null, totpEnabled: false, totpLastStep: null, roles: [], disabled: false, createdAt: this.clock().toISOString(), lastSignInAt: null,
        external: { issuer: idp.issuer, subject: null },
      };
      await r.users.create(u);
      return userView(u);
    }, JSON.stringify({ userPrincipalName: upn, provider: idpIdOrName }));
  }

  /**
   * Revokes the sign-ins so far (refresh tokens and the access tokens of those sign-ins) of the users
   * from `idp`'s issuer, unless another enabled provider of the tenant has that issuer too.
   */
  private async revokeSignIns(r: Repos, idp: ExternalIdp): Promise<void> {
    const others = (await r.externalIdps.list(idp.tenantId)).filter((i) => i.id !== idp.id && !i.disabled && i.issuer === idp.issuer);
    if (others.length > 0) return;
    const at = this.clock().toISOString();
    for (const u of await r.users.list(idp.tenantId)) {
      if (u.external?.issuer === idp.issuer) await r.signIns.revokeUserGrants(idp.tenantId, u.id, at);
    }
  }

  private async find(r: Pick<Repos, 'externalIdps'>, tenantId: string, idOrName: string): Promise<ExternalIdp> {
    const key = idOrName.trim();
    const idp = (/^[0-9a-f-]{36}$/i.test(key) ? await r.externalIdps.get(tenantId, key.toLowerCase()) : null) ?? await r.externalIdps.getByName(tenantId, key);
    if (!idp) throw errors.notFound(`Identity provider ${key} was not found`);
    return idp;
  }
}
