/**
 * A server secret kept in a file of the data directory (e.g. the key signing download links): 32
 * random bytes written once, mode 0600, and read back by every later start and by every process
 * sharing the directory, so links one process signs verify in another.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The key in `path`, created (32 random bytes) when the file does not exist yet. */
export function loadOrCreateSecretKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two processes starting together, one creates the key and the other reads it
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key = readFileSync(path);
  if (key.length < 32) throw new Error(`${path} holds ${key.length} bytes; a secret key has 32 (remove the file to have a new one made)`);
  return key;
}
