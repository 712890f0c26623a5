/**
 * Server secrets kept in files of the data directory: 32 random bytes written once, mode 0600, and
 * read back by every later start and by every process sharing the directory (the key signing
 * download links; the key ring sealing the state store's secrets, which may hold several keys).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The length of one key. */
export const SECRET_KEY_BYTES = 32;

/** Creates `path` with one new key unless it exists: of two processes starting together, one creates it and the other reads it. */
function createKeyFileOnce(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, randomBytes(SECRET_KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** The key in `path`, created (32 random bytes) when the file does not exist yet. */
export function loadOrCreateSecretKey(path: string): Buffer {
  createKeyFileOnce(path);
  const key = readFileSync(path);
  if (key.length < SECRET_KEY_BYTES) throw new Error(`${path} holds ${key.length} bytes; a secret key has ${SECRET_KEY_BYTES} (remove the file to have a new one made)`);
  return key;
}

/**
 * The keys of a key ring file, oldest first (the file is the keys' bytes one after the other), or
 * null when the file does not exist. A file whose length is not a whole number of keys is an Error naming it.
 */
export function readKeyRing(path: string): Buffer[] | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes.length % SECRET_KEY_BYTES !== 0) {
    throw new Error(`${path} holds ${bytes.length} bytes; a key ring holds keys of ${SECRET_KEY_BYTES} bytes each (restore it from the backup)`);
  }
  const keys: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += SECRET_KEY_BYTES) keys.push(bytes.subarray(at, at + SECRET_KEY_BYTES));
  return keys;
}

/** The key ring in `path`, created with one new key when the file does not exist yet (two processes starting together agree on it). */
export function loadOrCreateKeyRing(path: string): Buffer[] {
  createKeyFileOnce(path);
  return readKeyRing(path) ?? [];
}

/** Replaces the key ring in `path` with `keys` (oldest first) in one step: readers see the old file or the new one, never a part. */
export function writeKeyRing(path: string, keys: readonly Buffer[]): void {
  if (keys.length === 0 || keys.some((k) => k.length !== SECRET_KEY_BYTES)) throw new Error(`a key ring holds one or more keys of ${SECRET_KEY_BYTES} bytes`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat(keys), { mode: 0o600, flag: 'w' });
  renameSync(temporary, path);
}

/** A key ring with one new key: 32 random bytes appended as the newest. */
export function withNewKey(keys: readonly Buffer[]): Buffer[] {
  return [...keys, randomBytes(SECRET_KEY_BYTES)];
}
