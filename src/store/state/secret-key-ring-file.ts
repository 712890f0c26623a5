/** The SecretKeyRing port over a key ring file (store/files/secret-key.ts): what `admin secrets rotate-key` changes. */
import type { SecretKeyRing } from '../../domain/ports.ts';
import { readKeyRing, withNewKey, writeKeyRing } from '../files/secret-key.ts';
import { keyIdOf } from './secret-cipher.ts';

/** The key ring in the file at `path`; a missing file is an Error naming it (the store creates it at its first start). */
export function secretKeyRingFile(path: string): SecretKeyRing {
  const keys = () => {
    const ring = readKeyRing(path);
    if (!ring) throw new Error(`The state store's secrets key file ${path} does not exist`);
    return ring;
  };
  return {
    addKey() {
      const ring = withNewKey(keys());
      writeKeyRing(path, ring);
      return keyIdOf(ring[ring.length - 1]);
    },
    dropOlderKeys() {
      const ring = keys();
      if (ring.length > 1) writeKeyRing(path, ring.slice(-1));
      return ring.length - 1;
    },
    keyIds: () => keys().map(keyIdOf),
  };
}
