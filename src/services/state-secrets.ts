/**
 * The keys sealing the state store's secrets (signing keys, TOTP secrets, provider client secrets):
 * rotation by the local operator (`palisade admin secrets rotate-key`), audited in every tenant.
 */
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import type { SecretCensus, SecretKeyRing, StateStore } from '../domain/ports.ts';
import { auditRecord } from './audit.ts';

/** What a rotation did. */
export interface KeyRotation {
  /** The id of the new key, now sealing every value. */
  keyId: string;
  /** How many values were re-sealed with it. */
  resealed: number;
  /** How many older keys were dropped from the ring (with `dropOld`). */
  dropped: number;
  /** The values after the rotation. */
  census: SecretCensus;
}

/** Rotation of the state store's secrets key. */
export class StateSecretsService {
  constructor(private readonly store: StateStore, private readonly ring: SecretKeyRing, private readonly clock: () => Date = () => new Date()) {}

  /** How the secret values stand against the newest key (operator only). */
  async census(ctx: Ctx): Promise<SecretCensus & { keys: string[] }> {
    authz.requireOperator(ctx);
    return { ...await this.store.secrets.census(), keys: this.ring.keyIds() };
  }

  /**
   * Adds a new key and re-seals every secret value with it; with `dropOld`, then keeps only the new
   * key — refused (after the rotation, which stands) while any value is still in the clear or sealed
   * with an older key. Operator only; audited as `secrets.rotate-key` in every tenant.
   */
  async rotateKey(ctx: Ctx, o: { dropOld?: boolean } = {}): Promise<KeyRotation> {
    authz.requireOperator(ctx);
    const keyId = this.ring.addKey();
    const resealed = await this.store.secrets.reseal();
    let census = await this.store.secrets.census();
    let dropped = 0;
    if (o.dropOld) {
      if (census.older > 0 || census.clear > 0) {
        await this.audit(ctx, keyId, 'failure', { resealed, stillOlder: census.older, stillClear: census.clear });
        throw errors.badRequest(`${census.older + census.clear} secret values are not sealed with the new key ${keyId} yet (written meanwhile?); the older keys were kept: run the rotation again`);
      }
      dropped = this.ring.dropOlderKeys();
      census = await this.store.secrets.census();
    }
    await this.audit(ctx, keyId, 'success', { resealed, dropped, unreadable: census.unreadable });
    return { keyId, resealed, dropped, census };
  }

  private async audit(ctx: Ctx, keyId: string, result: 'success' | 'failure', details: object): Promise<void> {
    for (const t of await this.store.tenants.list()) {
      await this.store.audit.append(auditRecord({ ...ctx, tenantId: t.id }, this.clock(), 'secrets.rotate-key', keyId, result, JSON.stringify(details)));
    }
  }
}
