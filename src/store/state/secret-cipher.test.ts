import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKeyRing, withNewKey, writeKeyRing } from '../files/secret-key.ts';
import { fileKeyRing, isSealed, keyIdOf, memoryKeyRing, SecretCipher, UnreadableSecretError, type SecretPlace } from './secret-cipher.ts';

const here: SecretPlace = { table: 'users', field: 'totp_secret', tenantId: 't1', record: 'u1' };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'palisade-cipher-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SecretCipher', () => {
  it('seals into the versioned text form naming the key, with a new IV each time, and opens it again', () => {
    const key = randomBytes(32);
    const c = new SecretCipher(memoryKeyRing([key]));
    const a = c.seal('JBSWY3DPEHPK3PXP', here);
    const b = c.seal('JBSWY3DPEHPK3PXP', here);
    expect(a).toMatch(new RegExp(`^enc:v1:${keyIdOf(key)}:[\\w-]{16}:[\\w-]+$`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(c.open(a, here)).toBe('JBSWY3DPEHPK3PXP');
    expect(c.open(b, here)).toBe('JBSWY3DPEHPK3PXP');
    expect(c.keyIdOfValue(a)).toBe(keyIdOf(key));
  });

  it('opens a value only at its own place: another table, field, tenant or record refuses it', () => {
    const c = new SecretCipher(memoryKeyRing());
    const sealed = c.seal('secret', here);
    for (const elsewhere of [{ table: 'external_idps' }, { field: 'client_secret' }, { tenantId: 't2' }, { record: 'u2' }]) {
      expect(() => c.open(sealed, { ...here, ...elsewhere })).toThrow(UnreadableSecretError);
      expect(c.openOrNull(sealed, { ...here, ...elsewhere })).toBeNull();
    }
  });

  it('refuses an altered value, a malformed one, and one sealed with a key not in the ring', () => {
    const c = new SecretCipher(memoryKeyRing());
    const sealed = c.seal('secret', here);
    const body = sealed.slice(sealed.lastIndexOf(':') + 1);
    const flipped = body[0] === 'A' ? `B${body.slice(1)}` : `A${body.slice(1)}`;
    expect(() => c.open(sealed.slice(0, sealed.lastIndexOf(':') + 1) + flipped, here)).toThrow(/altered or belongs elsewhere/);
    expect(() => c.open('enc:v1:nokey', here)).toThrow(UnreadableSecretError);
    expect(() => c.open(`enc:v1:${c.newestKeyId()}:short:x`, here)).toThrow(/not a well-formed/);
    const other = new SecretCipher(memoryKeyRing());
    expect(() => other.open(sealed, here)).toThrow(/sealed with key .* not in a key held in memory/);
  });

  it('reads a value still in the clear as it is (a database of an earlier version) until it is sealed', () => {
    const c = new SecretCipher(memoryKeyRing());
    expect(isSealed('JBSWY3DPEHPK3PXP')).toBe(false);
    expect(c.open('JBSWY3DPEHPK3PXP', here)).toBe('JBSWY3DPEHPK3PXP');
    expect(c.keyIdOfValue('{"kty":"RSA"}')).toBeNull();
  });

  it('follows the key file: seals with its newest key, and opens values sealed with a key another process added', () => {
    const path = join(tempDir(), 'keys', 'state-secrets.key');
    const first = loadOrCreateKeyRing(path);
    expect(first).toHaveLength(1);
    const reader = new SecretCipher(fileKeyRing(path));
    const old = reader.seal('one', here);
    // another process rotates: a new key at the end of the same file
    const rotated = withNewKey(first);
    writeKeyRing(path, rotated);
    const writer = new SecretCipher(fileKeyRing(path));
    const fresh = writer.seal('two', here);
    expect(writer.keyIdOfValue(fresh)).toBe(keyIdOf(rotated[1]));
    expect(reader.open(fresh, here)).toBe('two');
    expect(reader.newestKeyId()).toBe(keyIdOf(rotated[1]));
    expect(writer.open(old, here)).toBe('one');
  });
});
