/**
 * The cipher of the state store's secret fields (envelope encryption at rest): AES-256-GCM with a
 * random 96-bit IV per value and, as additional authenticated data, the place the value belongs
 * (table, field, tenant, record), so a sealed value copied into another row or field does not open.
 * A sealed value is text: `enc:v1:<keyId>:<iv>:<ciphertext+tag>` (base64url parts), where the key id
 * names the key of the ring that sealed it, so the ring can rotate. The keys are not in the store.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readKeyRing } from '../files/secret-key.ts';

/** The prefix of every sealed value; anything else is a value still in the clear (an earlier version's). */
export const SEALED_PREFIX = 'enc:v1:';

/** Where a secret value belongs; it opens only at the same place. */
export interface SecretPlace {
  table: string;
  field: string;
  tenantId: string;
  /** The record's id within its tenant (a user's id, a signing key's kid, …). */
  record: string;
}

/** A sealed value that cannot be opened here: its key is not in the ring, or it was altered or moved. */
export class UnreadableSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableSecretError';
  }
}

/** The keys the cipher uses, oldest first; `refresh` re-reads them (another process may have rotated them). */
export interface KeyRing {
  keys(): readonly Buffer[];
  refresh(): readonly Buffer[];
  /** Where the keys come from, for error messages. */
  readonly origin: string;
}

/** A ring of keys held in memory only (a store that lives no longer than its handle: ':memory:', tests). */
export function memoryKeyRing(keys: readonly Buffer[] = [randomBytes(32)]): KeyRing {
  return { keys: () => keys, refresh: () => keys, origin: 'a key held in memory' };
}

/** The ring in the key file at `path`, read at first use and again on `refresh`; a missing file is an Error naming it. */
export function fileKeyRing(path: string): KeyRing {
  let cached: readonly Buffer[] | null = null;
  const read = () => {
    const keys = readKeyRing(path);
    if (!keys) throw new Error(`The state store's secrets key file ${path} does not exist`);
    cached = keys;
    return keys;
  };
  return { keys: () => cached ?? read(), refresh: read, origin: path };
}

/** The id naming `key` in sealed values: 12 base64url characters of its SHA-256 (the key cannot be recovered from it). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('palisade state secret key id\0').update(key).digest('base64url').slice(0, 12);
}

function aadOf(p: SecretPlace): Buffer {
  return Buffer.from(JSON.stringify([p.table, p.field, p.tenantId, p.record]), 'utf8');
}

/** Seals and opens secret values with the newest key of a ring (see the module comment). */
export class SecretCipher {
  constructor(private readonly ring: KeyRing) {}

  /** The id of the key new values are sealed with (the ring is read again: another process may have rotated it). */
  newestKeyId(): string {
    const keys = this.ring.refresh();
    return keyIdOf(keys[keys.length - 1]);
  }

  /** `plain` sealed for `place` with the newest key. */
  seal(plain: string, place: SecretPlace): string {
    const keys = this.ring.refresh();
    const key = keys[keys.length - 1];
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aadOf(place));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `${SEALED_PREFIX}${keyIdOf(key)}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /**
   * The value `stored` at `place` holds: opened when sealed, as is when still in the clear.
   * Throws UnreadableSecretError when it is sealed with a key not in the ring, or altered, or moved from elsewhere.
   */
  open(stored: string, place: SecretPlace): string {
    if (!isSealed(stored)) return stored;
    const [keyId, ivText, bodyText] = stored.slice(SEALED_PREFIX.length).split(':');
    const where = `${place.table}.${place.field} of ${place.record} in tenant ${place.tenantId}`;
    const key = this.keyNamed(keyId ?? '');
    if (!key) throw new UnreadableSecretError(`The secret in ${where} is sealed with key ${keyId}, which is not in ${this.ring.origin}`);
    const iv = Buffer.from(ivText ?? '', 'base64url');
    const body = Buffer.from(bodyText ?? '', 'base64url');
    if (iv.length !== 12 || body.length < 16) throw new UnreadableSecretError(`The secret in ${where} is not a well-formed sealed value`);
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAAD(aadOf(place));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError(`The secret in ${where} does not open: it was altered or belongs elsewhere`);
    }
  }

  /** `stored`, opened; null when it does not open (see `open`) or is null. */
  openOrNull(stored: string | null, place: SecretPlace): string | null {
    if (stored === null) return null;
    try {
      return this.open(stored, place);
    } catch (e) {
      if (e instanceof UnreadableSecretError) return null;
      throw e;
    }
  }

  /** The id of the key that sealed `stored`, or null for a value in the clear. */
  keyIdOfValue(stored: string): string | null {
    return isSealed(stored) ? stored.slice(SEALED_PREFIX.length).split(':')[0] : null;
  }

  private keyNamed(keyId: string): Buffer | undefined {
    const find = (keys: readonly Buffer[]) => keys.find((k) => keyIdOf(k) === keyId);
    // a key unknown here may have been added by another process rotating the ring
    return find(this.ring.keys()) ?? find(this.ring.refresh());
  }
}

/** True when `stored` is a sealed value (not one in the clear). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}
