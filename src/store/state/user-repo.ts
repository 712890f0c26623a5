/** UserRepo over kysely: a tenant's user accounts (a user with no password keeps '' in `password_hash`). */
import type { Kysely } from 'kysely';
import type { UserPatch, UserRepo } from '../../domain/ports.ts';
import { upnKey, type User } from '../../domain/user.ts';
import type { StateDb, UsersTable } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { placeOf, SECRET_FIELDS } from './secret-fields.ts';
import { conflictAware } from './write-errors.ts';

/** A user of a row; a TOTP secret that does not open reads as none (with TOTP still on, the user's sign-ins are refused). */
function rowToUser(r: UsersTable, cipher: SecretCipher): User {
  return {
    tenantId: r.tenant_id,
    id: r.user_id,
    userPrincipalName: r.upn,
    displayName: r.display_name,
    passwordHash: r.password_hash === '' ? null : r.password_hash,
    totpSecret: cipher.openOrNull(r.totp_secret, placeOf(SECRET_FIELDS.totpSecret, r.tenant_id, r.user_id)),
    totpEnabled: r.totp_enabled === 1,
    totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
    roles: JSON.parse(r.roles) as string[],
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
    external: r.ext_issuer !== null ? { issuer: r.ext_issuer, subject: r.ext_subject } : null,
  };
}

/** The columns a patch changes (the principal name and id never change). */
function patchColumns(p: UserPatch, sealTotp: (secret: string) => string): Partial<UsersTable> {
  const c: Partial<UsersTable> = {};
  if (p.displayName !== undefined) c.display_name = p.displayName;
  if (p.passwordHash !== undefined) c.password_hash = p.passwordHash ?? '';
  if (p.totpSecret !== undefined) c.totp_secret = p.totpSecret === null ? null : sealTotp(p.totpSecret);
  if (p.totpEnabled !== undefined) c.totp_enabled = p.totpEnabled ? 1 : 0;
  if (p.roles !== undefined) c.roles = JSON.stringify(p.roles);
  if (p.disabled !== undefined) c.disabled = p.disabled ? 1 : 0;
  if (p.lastSignInAt !== undefined) c.last_sign_in_at = p.lastSignInAt;
  if (p.external !== undefined) {
    c.ext_issuer = p.external?.issuer ?? null;
    c.ext_subject = p.external?.subject ?? null;
  }
  return c;
}

/** A UserRepo on `db`; list order is the lower-cased principal name. A duplicate id or name is a 'Conflict'. TOTP secrets are sealed with `cipher`. */
export function kyselyUserRepo(db: Kysely<StateDb>, dialect: StateDialect, cipher: SecretCipher): UserRepo {
  const sealTotp = (tenantId: string, id: string, secret: string) => cipher.seal(secret, placeOf(SECRET_FIELDS.totpSecret, tenantId, id));
  const toUser = (r: UsersTable) => rowToUser(r, cipher);
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  };
  return {
    async create(u) {
      await conflictAware(dialect, `User ${u.userPrincipalName}`, () =>
        db.insertInto('users').values({
          tenant_id: u.tenantId,
          user_id: u.id,
          upn: u.userPrincipalName,
          upn_key: upnKey(u.userPrincipalName),
          display_name: u.displayName,
          password_hash: u.passwordHash ?? '',
          totp_secret: u.totpSecret === null ? null : sealTotp(u.tenantId, u.id, u.totpSecret),
          totp_enabled: u.totpEnabled ? 1 : 0,
          totp_last_step: u.totpLastStep,
          roles: JSON.stringify(u.roles),
          disabled: u.disabled ? 1 : 0,
          created_at: u.createdAt,
          last_sign_in_at: u.lastSignInAt,
          ext_issuer: u.external?.issuer ?? null,
          ext_subject: u.external?.subject ?? null,
        }).execute());
    },
    get,
    async getByUpn(tenantId, userPrincipalName) {
      const r = await db.selectFrom('users').selectAll()
        .where('tenant_id', '=', tenantId).where('upn_key', '=', upnKey(userPrincipalName)).executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async getByExternal(tenantId, identity) {
      const r = await db.selectFrom('users').selectAll()
        .where('tenant_id', '=', tenantId).where('ext_issuer', '=', identity.issuer).where('ext_subject', '=', identity.subject).executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('upn_key').execute();
      return rows.map(toUser);
    },
    async update(tenantId, id, patch) {
      const columns = patchColumns(patch, (secret) => sealTotp(tenantId, id, secret));
      if (Object.keys(columns).length > 0) {
        const r = await db.updateTable('users').set(columns).where('tenant_id', '=', tenantId).where('user_id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return null;
      }
      return get(tenantId, id);
    },
    async useTotpStep(tenantId, id, step) {
      const r = await db.updateTable('users').set({ totp_last_step: step })
        .where('tenant_id', '=', tenantId).where('user_id', '=', id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
