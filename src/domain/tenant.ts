/** Tenants, apps (OAuth2 clients) and enrollment tokens. */
import type { Permission } from './permissions.ts';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

/** A per-tenant token signing key (private JWK as JSON text; never leaves the server). */
export interface SigningKey {
  tenantId: string;
  kid: string;
  alg: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: string;
}

/** An OAuth2 client of a tenant, with application permissions (token `roles`). */
export interface App {
  tenantId: string;
  clientId: string;
  name: string;
  /** scrypt hash in the `scrypt$N$r$p$salt$hash` form; the secret itself is shown once. */
  secretHash: string;
  permissions: Permission[];
  createdAt: string;
  /** A public client (a native app, a CLI): no secret, signs users in with PKCE at its redirect URIs. */
  publicClient: boolean;
  /** Where the authorize endpoint may send codes; a loopback URI matches on any port (RFC 8252 §7.3). */
  redirectUris: string[];
}

/** A device enrollment token of an onboarding package. Only its hash is stored. */
export interface EnrollmentToken {
  tenantId: string;
  id: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** How many devices enrolled with it. */
  uses: number;
}

/** One audit record: who did what to which target, with what result. */
export interface AuditRecord {
  tenantId: string;
  time: string;
  actorKind: string;
  actorId: string;
  /** The actor as people know it (a user's principal name, an app's name); absent in records written before names were kept. */
  actorName?: string | null;
  action: string;
  target: string;
  result: 'success' | 'failure';
  details: string | null;
}

/** An audit record as it is read back: numbered (ascending in writing order) and with the actor's name or null. */
export interface AuditLogEntry extends Omit<AuditRecord, 'actorName'> {
  id: number;
  actorName: string | null;
}
