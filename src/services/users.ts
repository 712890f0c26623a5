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
import type { StateStore } from '../domain/ports.ts';
import { isUserPrincipalName, MAX_PASSWORD_LENGTH, passwordProblem, upnKey, type User } from '../domain/user.ts';
import { audited, auditRecord } from './audit.ts';

/** A user as shown to administrators: everything but the password hash and the TOTP secret and step. */
export type UserView = Omit<User, 'passwordHash' | 'totpSecret' | 'totpLastStep'>;

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

  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** Creates a user of `ctx`'s tenant; returns it and, when none was given, the generated password (shown once). */
  async create(ctx: Ctx, input: NewUser): Promise<{ user: UserView; generatedPassword: string | null }> {
    const upn = input.userPrincipalName.trim();
    const generatedPassword = input.password === undefined ? newSecret(18) : null;
    const password = input.password ?? generatedPassword!;
    const roles = [...new Set((input.roles ?? []).map((r) => r.trim()).filter(Boolean))];
    const details = JSON.stringify({ userPrincipalName: upn, roles });
    return audited(this.store, ctx, this.clock, 'user.create', upn, async (r) => {
      authz.requireOperator(ctx);
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
    authz.requireOperator(ctx);
    return (await this.store.users.list(ctx.tenantId)).map(userView);
  }

  /** Disables a user (by id or principal name): every later sign-in is refused. */
  async disable(ctx: Ctx, idOrUpn: string): Promise<UserView> {
    return audited(this.store, ctx, this.clock, 'user.disable', idOrUpn, async (r) => {
      authz.requireOperator(ctx);
      const u = await this.find(r.users, ctx.tenantId, idOrUpn);
      const updated = await r.users.update(ctx.tenantId, u.id, { disabled: true });
      return userView(updated!);
    });
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
    ctx.authz.checked = true; // signing in is what establishes who the caller is
    const upn = userPrincipalName.trim();
    const u = upn.length <= 256 && password.length <= MAX_PASSWORD_LENGTH ? await this.store.users.getByUpn(ctx.tenantId, upn) : null;
    const passwordOk = await verifySecret(password, u?.passwordHash ?? await this.decoyHash());
    const step = u?.totpEnabled && totp !== undefined && u.totpSecret !== null ? matchTotpStep(totp.trim(), u.totpSecret, this.clock().getTime()) : null;
    const totpOk = !u?.totpEnabled || step !== null;
    // a code is good once: its step must come after the last one used (checked only when all else holds)
    const fresh = !u || !passwordOk || !totpOk || u.disabled || step === null || await this.store.users.useTotpStep(ctx.tenantId, u.id, step);
    if (!u || !passwordOk || !totpOk || u.disabled || !fresh) {
      const reason = !u ? 'unknown user' : !passwordOk ? 'wrong password' : !totpOk ? 'wrong or missing verification code' : u.disabled ? 'account disabled' : 'verification code already used';
      await this.store.audit.append(auditRecord(ctx, this.clock(), 'user.signin', upn.slice(0, 256), 'failure', JSON.stringify({ reason })));
      throw errors.unauthorized(REFUSED);
    }
    return audited(this.store, ctx, this.clock, 'user.signin', u.userPrincipalName, async (r) => {
      const updated = await r.users.update(ctx.tenantId, u.id, { lastSignInAt: this.clock().toISOString() });
      if (!updated) throw errors.unauthorized(REFUSED);
      return userView(updated);
    });
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
