/**
 * The keys sealing the state store's secrets (signing keys, TOTP secrets, provider client secrets):
 * rotation by the local operator (`palisade admin secrets rotate-key`) and recovery from a lost key
 * (`secrets forget-unreadable`), audited in every tenant.
 */
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import type { SecretCensus, SecretKeyRing, StateStore } from '../domain/ports.ts';
import type { SigningKey } from '../domain/tenant.ts';
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
  /** `makeKey` makes a tenant's new signing key (for a tenant left without one by `forgetUnreadable`). */
  constructor(
    private readonly store: StateStore,
    private readonly ring: SecretKeyRing,
    private readonly makeKey: (tenantId: string) => Promise<SigningKey>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

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

  /**
   * After the key is lost (or values were altered): removes every secret value that does not open —
   * signing keys and pending federated sign-ins go, TOTP secrets and providers' client secrets become
   * none (those users cannot sign in until they enrol again; the providers need their secret again) —
   * and gives each tenant left without a signing key a new one. Operator only; audited as
   * `secrets.forget-unreadable` in every tenant, with whether it got a new signing key.
   */
  async forgetUnreadable(ctx: Ctx): Promise<{ forgotten: number; newSigningKeys: string[] }> {
    authz.requireOperator(ctx);
    const forgotten = await this.store.secrets.forgetUnreadable();
    const newSigningKeys: string[] = [];
    for (const t of await this.store.tenants.list()) {
      const rekey = (await this.store.tenants.signingKeys(t.id)).length === 0;
      if (rekey) {
        await this.store.tenants.addSigningKey(await this.makeKey(t.id));
        newSigningKeys.push(t.id);
      }
      await this.store.audit.append(auditRecord({ ...ctx, tenantId: t.id }, this.clock(), 'secrets.forget-unreadable', t.id, 'success', JSON.stringify({ forgotten, newSigningKey: rekey })));
    }
    return { forgotten, newSigningKeys };
  }

  private async audit(ctx: Ctx, keyId: string, result: 'success' | 'failure', details: object): Promise<void> {
    for (const t of await this.store.tenants.list()) {
      await this.store.audit.append(auditRecord({ ...ctx, tenantId: t.id }, this.clock(), 'secrets.rotate-key', keyId, result, JSON.stringify(details)));
    }
  }
}
