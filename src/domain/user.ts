/**
 * A local user account of a tenant (issue 14, item 1): a person who signs in with a password and,
 * once enrolled, a TOTP code. Roles are named here and resolved to permissions and device groups
 * by the RBAC model (domain/rbac.ts). A user created at the first sign-in through an external
 * OpenID Connect provider (domain/external-idp.ts) has no password and names its provider identity.
 */

/** A tenant's local user. `passwordHash` and `totpSecret` never leave the server. */
export interface User {
  tenantId: string;
  /** Object id: a lower-case GUID. */
  id: string;
  /** The sign-in name, e.g. `alice@contoso.com`; unique per tenant regardless of case. */
  userPrincipalName: string;
  displayName: string;
  /** scrypt hash in the `scrypt$N$r$p$<salt>$<hash>` form (auth/secrets.ts); null when the user has no password (signs in through its provider only). */
  passwordHash: string | null;
  /** Base32 TOTP secret; null until the user starts enrolment. */
  totpSecret: string | null;
  /** True once a code from the enrolled authenticator was verified: from then on sign-in needs a code. */
  totpEnabled: boolean;
  /** The TOTP time step of the last code accepted at sign-in (null: none yet); no code of it or before is accepted again. */
  totpLastStep: number | null;
  /** Names of the roles the user holds. */
  roles: string[];
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** The provider identity (issuer and subject) of a user from an external provider; null (or absent) for a local user. */
  external?: ExternalIdentity | null;
}

/**
 * Who a person is at an external OpenID Connect provider: its issuer and the `sub` it gives them.
 * `subject` is null for a user an administrator created for the provider before its first sign-in
 * there, which binds it (matched by user principal name).
 */
export interface ExternalIdentity {
  issuer: string;
  subject: string | null;
}

/** Fewest characters a local password may have. */
export const MIN_PASSWORD_LENGTH = 12;

/** Most characters a password may have (scrypt's cost grows with it; nobody types more). */
export const MAX_PASSWORD_LENGTH = 1024;

/** The key a user principal name is unique under: trimmed and lower-cased. */
export function upnKey(userPrincipalName: string): string {
  return userPrincipalName.trim().toLowerCase();
}

/** Why a password breaks the policy, or null when it keeps it. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `A password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `A password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim() !== password) return 'A password may not begin or end with white space';
  return null;
}

/** True when `upn` looks like a sign-in name: `name@domain`, no white space, at most 256 characters. */
export function isUserPrincipalName(upn: string): boolean {
  return upn.length <= 256 && /^[^\s@]+@[^\s@]+$/.test(upn);
}
