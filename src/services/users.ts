/**
 * Local user accounts of a tenant (issue 14, item 1): creation under the password policy, sign-in
 * with a password and, once enrolled, a TOTP code, TOTP enrolment, and disabling. Administration
 * (create, list, disable) is an operator's; every change is authorized first and audited.
 * A refused sign-in says nothing about which part failed (unknown name, wrong password, wrong or
 * missing code, disabled account), and costs the same scrypt work in every case.
 */
import { randomUUID } from 'node:crypto';
import { hashSecret, newSecret, verifySecret } from '../auth/secrets.ts';
import { matchTotpStep, newTotpSecret, totpUri, verifyTotp } from '../auth/totp.ts';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import type { Repos, StateStore } from '../domain/ports.ts';
import { isUserPrincipalName, MAX_PASSWORD_LENGTH, passwordProblem, upnKey, type User } from '../domain/user.ts';
import { REQUIRE } from '../domain/permissions.ts';
import { audited, auditRecord } from './audit.ts';
import { resolveRoles, type RbacChangeListener } from './roles.ts';

/** A user as shown to administrators: everything but the password hash and the TOTP secret and step. */
export type UserView = Omit<User, 'passwordHash' | 'totpSecret' | 'totpLastStep'>;

/** What an administrator may change of a user (the settings API's PATCH). */
export interface UserChange {
  displayName?: unknown;
  roles?: unknown;
  disabled?: unknown;
}

/**
 * The role names as the tenant's roles spell them, each once; an unknown name is a 400 (a typo would
 * otherwise grant nothing, silently).
 */
async function canonicalRoles(r: Pick<Repos, 'roles'>, tenantId: string, names: unknown): Promise<string[]> {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw errors.invalidBody("'roles' must be a list of role names");
  const wanted = [...new Set((names as string[]).map((n) => n.trim()).filter(Boolean))];
  const out: string[] = [];
  for (const n of wanted) {
    const [role] = await resolveRoles(r, tenantId, [n]);
    if (!role) throw errors.badRequest(`There is no role named '${n.slice(0, 128)}'`);
    if (!out.includes(role.name)) out.push(role.name);
  }
  return out;
}

/** What creating a user asks for; without `password` one is generated and returned once. */
export interface NewUser {
  userPrincipalName: string;
  displayName?: string;
  roles?: readonly string[];
  password?: string;
}

/** The message of every refused sign-in. */
const REFUSED = 'The user name, password or verification code is incorrect';

/** The issuer an authenticator app lists the account under. */
const TOTP_ISSUER = 'Palisade';

/** The user without its secrets. */
export function userView(u: User): UserView {
  const { passwordHash: _p, totpSecret: _t, totpLastStep: _s, ...rest } = u;
  return rest;
}

/** Local user administration and sign-in. */
export class UserService {
  /** A hash no password matches, verified when the user is unknown so a refusal costs the same. */
  private decoy: Promise<string> | null = null;
  private readonly listeners: RbacChangeListener[] = [];

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Calls `l` after each committed change of a tenant's users' roles or state. */
  onChange(l: RbacChangeListener): void {
    this.listeners.push(l);
  }

  /** Creates a user of `ctx`'s tenant; returns it and, when none was given, the generated password (shown once). */
  async create(ctx: Ctx, input: NewUser): Promise<{ user: UserView; generatedPassword: string | null }> {
    const upn = input.userPrincipalName.trim();
    const generatedPassword = input.password === undefined ? newSecret(18) : null;
    const password = input.password ?? generatedPassword!;
    const details = JSON.stringify({ userPrincipalName: upn, roles: input.roles ?? [] }).slice(0, 2000);
    return audited(this.store, ctx, this.clock, 'user.create', upn, async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const roles = await canonicalRoles(r, ctx.tenantId, input.roles ?? []);
      if (!isUserPrincipalName(upn)) throw errors.badRequest(`'${upn}' is not a user principal name (name@domain)`);
      const problem = passwordProblem(password);
      if (problem) throw errors.badRequest(problem);
      if (!(await r.tenants.get(ctx.tenantId))) throw errors.notFound(`Tenant ${ctx.tenantId} was not found`);
      const user: User = {
        tenantId: ctx.tenantId, id: randomUUID(), userPrincipalName: upn, displayName: input.displayName?.trim() || upn,
        passwordHash: await hashSecret(password), totpSecret: null, totpEnabled: false, totpLastStep: null, roles, disabled: false,
        createdAt: this.clock().toISOString(), lastSignInAt: null,
      };
      await r.users.create(user);
      return { user: userView(user), generatedPassword };
    }, details);
  }

  /** The users of `ctx`'s tenant, by principal name. */
  async list(ctx: Ctx): Promise<UserView[]> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return (await this.store.users.list(ctx.tenantId)).map(userView);
  }

  /** One user by id or principal name; 404 when there is none. */
  async get(ctx: Ctx, idOrUpn: string): Promise<UserView> {
    authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
    return userView(await this.find(this.store.users, ctx.tenantId, idOrUpn));
  }

  /** Disables a user (by id or principal name): every later sign-in is refused, the user's tokens carry no role, and the user's sign-ins so far are revoked. */
  async disable(ctx: Ctx, idOrUpn: string): Promise<UserView> {
    const out = await audited(this.store, ctx, this.clock, 'user.disable', idOrUpn, async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      const updated = await r.users.update(ctx.tenantId, u.id, { disabled: true });
      // the user's refresh tokens, and the access tokens of those sign-ins, stop working at once
      await r.signIns.revokeUserGrants(ctx.tenantId, u.id, this.clock().toISOString());
      return userView(updated!);
    });
    this.changed(ctx.tenantId);
    return out;
  }

  /**
   * Signs a user out everywhere (Entra ID's revokeSignInSessions): every sign-in session so far is
   * revoked, so its access tokens fail at their next call and its refresh tokens are refused; the
   * account stays enabled and may sign in again. Returns how many sessions were revoked.
   */
  async revokeSignIns(ctx: Ctx, idOrUpn: string): Promise<{ user: UserView; revoked: number }> {
    return audited(this.store, ctx, this.clock, 'user.revokeSignIns', idOrUpn.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      const revoked = await r.signIns.revokeUserGrants(ctx.tenantId, u.id, this.clock().toISOString());
      return { user: userView(u), revoked };
    });
  }

  /** Changes a user's display name, roles (names of the tenant's roles, replacing the old ones) or disabled state. */
  async update(ctx: Ctx, idOrUpn: string, change: UserChange): Promise<UserView> {
    const out = await audited(this.store, ctx, this.clock, 'user.update', idOrUpn.slice(0, 256), async (r) => {
      authz.requireOperatorOr(ctx, REQUIRE.portalSettings);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      const patch: Parameters<Repos['users']['update']>[2] = {};
      if (change.displayName !== undefined) {
        if (typeof change.displayName !== 'string' || !change.displayName.trim() || change.displayName.length > 256) throw errors.invalidBody("'displayName' must be a non-empty string of at most 256 characters");
        patch.displayName = change.displayName.trim();
      }
      if (change.roles !== undefined) patch.roles = await canonicalRoles(r, ctx.tenantId, change.roles);
      if (change.disabled !== undefined) {
        if (typeof change.disabled !== 'boolean') throw errors.invalidBody("'disabled' must be true or false");
        patch.disabled = change.disabled;
        // the user's refresh tokens, and the access tokens of those sign-ins, stop working at once
        if (change.disabled) await r.signIns.revokeUserGrants(ctx.tenantId, u.id, this.clock().toISOString());
      }
      return userView((await r.users.update(ctx.tenantId, u.id, patch))!);
    }, JSON.stringify(change).slice(0, 2000));
    this.changed(ctx.tenantId);
    return out;
  }

  /**
   * Starts TOTP enrolment for a user: a new secret (replacing any earlier one, and turning the
   * second factor off until `confirmTotp`) and the otpauth:// URI to enrol an authenticator from.
   */
  async enrollTotp(ctx: Ctx, idOrUpn: string): Promise<{ otpauthUri: string }> {
    return audited(this.store, ctx, this.clock, 'user.totp.enroll', idOrUpn, async (r) => {
      authz.requireOperator(ctx);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      const secret = newTotpSecret();
      await r.users.update(ctx.tenantId, u.id, { totpSecret: secret, totpEnabled: false });
      return { otpauthUri: totpUri(u.userPrincipalName, TOTP_ISSUER, secret) };
    });
  }

  /** Confirms enrolment with a code from the authenticator; from then on sign-in needs a code. */
  async confirmTotp(ctx: Ctx, idOrUpn: string, code: string): Promise<UserView> {
    return audited(this.store, ctx, this.clock, 'user.totp.confirm', idOrUpn, async (r) => {
      authz.requireOperator(ctx);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      if (!u.totpSecret) throw errors.badRequest(`User ${u.userPrincipalName} has no TOTP enrolment to confirm`);
      if (!verifyTotp(code.trim(), u.totpSecret, this.clock().getTime())) throw errors.badRequest('The verification code is incorrect');
      return userView((await r.users.update(ctx.tenantId, u.id, { totpEnabled: true }))!);
    });
  }

  /**
   * Signs a user of `ctx`'s tenant in: the user when the account is enabled, the password matches
   * and, when TOTP is enabled, `totp` is the current code (± one 30-second step); otherwise an
   * 'Unauthorized' error whose message is the same for every reason. Audited as `user.signin`
   * (failures record the reason, for administrators only).
   */
  async authenticate(ctx: Ctx, userPrincipalName: string, password: string, totp?: string): Promise<UserView> {
    const out = await this.check(ctx, userPrincipalName, password, totp, false);
    if ('user' in out) return out.user;
    throw errors.unauthorized(REFUSED);
  }

  /**
   * The first step of an interactive sign-in (a page that asks for the code on a second page): the
   * signed-in user, or — when the password is right and the user has TOTP — the id of the user
   * whose code `verifyCode` must check next. Refusals are those of `authenticate`. `via` names the
   * way the credentials came (e.g. the token endpoint's password grant) in the audit records.
   */
  async verifyPassword(ctx: Ctx, userPrincipalName: string, password: string, via?: string): Promise<{ user: UserView } | { codeRequiredFor: string }> {
    return this.check(ctx, userPrincipalName, password, undefined, true, via);
  }

  /** The second step after `verifyPassword` asked for a code: the signed-in user when `code` is the user's current TOTP code. */
  async verifyCode(ctx: Ctx, userId: string, code: string): Promise<UserView> {
    ctx.authz.checked = true; // signing in is what establishes who the caller is
    const u = await this.store.users.get(ctx.tenantId, userId);
    const step = u && !u.disabled && u.totpEnabled && u.totpSecret !== null && code.length <= 64 ? matchTotpStep(code.trim(), u.totpSecret, this.clock().getTime()) : null;
    // a code is good once: its step must come after the last one used
    const fresh = !!u && step !== null && await this.store.users.useTotpStep(ctx.tenantId, u.id, step);
    if (!u || step === null || !fresh) {
      const reason = !u ? 'unknown user' : u.disabled ? 'account disabled' : step === null ? 'wrong or missing verification code' : 'verification code already used';
      await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', (u?.userPrincipalName ?? userId).slice(0, 256), 'failure', JSON.stringify({ reason })));
      throw errors.unauthorized(REFUSED);
    }
    return this.signedIn(ctx, u);
  }

  /**
   * A user of `ctx`'s tenant another authenticator vouched for (an external identity provider):
   * the user when it exists and is enabled; otherwise the sign-in refusal. Audited as `user.signin`.
   */
  async signInVouched(ctx: Ctx, userId: string, via: string): Promise<UserView> {
    ctx.authz.checked = true; // the caller authenticated the person; this records it
    const u = await this.store.users.get(ctx.tenantId, userId);
    if (!u || u.disabled) {
      await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', (u?.userPrincipalName ?? userId).slice(0, 256), 'failure', JSON.stringify({ reason: u ? 'account disabled' : 'unknown user', via })));
      throw errors.unauthorized(REFUSED);
    }
    return this.signedIn(ctx, u, JSON.stringify({ via }));
  }

  private async check(ctx: Ctx, userPrincipalName: string, password: string, totp: string | undefined, codeLater: boolean, via?: string): Promise<{ user: UserView } | { codeRequiredFor: string }> {
    ctx.authz.checked = true; // signing in is what establishes who the caller is
    const upn = userPrincipalName.trim();
    const u = upn.length <= 256 && password.length <= MAX_PASSWORD_LENGTH ? await this.store.users.getByUpn(ctx.tenantId, upn) : null;
    // a user without a password (an external provider's) costs the same scrypt work as any other refusal
    const passwordOk = await verifySecret(password, u?.passwordHash || await this.decoyHash()) && !!u?.passwordHash;
    const step = u?.totpEnabled && totp !== undefined && u.totpSecret !== null ? matchTotpStep(totp.trim(), u.totpSecret, this.clock().getTime()) : null;
    const totpOk = !u?.totpEnabled || step !== null;
    if (u && passwordOk && !u.disabled && !totpOk && codeLater && totp === undefined) return { codeRequiredFor: u.id };
    // a code is good once: its step must come after the last one used (checked only when all else holds)
    const fresh = !u || !passwordOk || !totpOk || u.disabled || step === null || await this.store.users.useTotpStep(ctx.tenantId, u.id, step);
    if (!u || !passwordOk || !totpOk || u.disabled || !fresh) {
      const reason = !u ? 'unknown user' : u.external && !u.passwordHash ? 'user of an external identity provider (no password here)' : !passwordOk ? 'wrong password'
        : !totpOk ? 'wrong or missing verification code' : u.disabled ? 'account disabled' : 'verification code already used';
      await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', upn.slice(0, 256), 'failure', JSON.stringify({ reason, ...(via ? { via } : {}) })));
      throw errors.unauthorized(REFUSED);
    }
    return { user: await this.signedIn(ctx, u, via ? JSON.stringify({ via }) : null) };
  }

  private signedIn(ctx: Ctx, u: User, details: string | null = null): Promise<UserView> {
    return audited(this.store, ctx, this.clock, 'user.signin', u.userPrincipalName, async (r) => {
      const updated = await r.users.update(ctx.tenantId, u.id, { lastSignInAt: this.clock().toISOString() });
      if (!updated) throw errors.unauthorized(REFUSED);
      return userView(updated);
    }, details);
  }

  private changed(tenantId: string): void {
    for (const l of this.listeners) l(tenantId);
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashSecret(newSecret(18));
    return this.decoy;
  }

  private async find(users: StateStore['users'], tenantId: string, idOrUpn: string): Promise<User> {
    const key = idOrUpn.trim();
    const u = key.includes('@') ? await users.getByUpn(tenantId, upnKey(key)) : await users.get(tenantId, key.toLowerCase());
    if (!u) throw errors.notFound(`User ${key} was not found`);
    return u;
  }
}
