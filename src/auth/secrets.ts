/**
 * Secrets at rest. App client secrets (chosen once, may be guessed offline if the store leaks) are
 * kept only as a slow scrypt hash. Device credentials and enrollment tokens are 256-bit random
 * values, for which a SHA-256 digest is already infeasible to invert; they are checked on every
 * heartbeat and event batch, so they use the fast digest.
 */
import { randomBytes, scrypt as scryptCb, createHash, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((res, rej) => scryptCb(pw, salt, len, opts, (e, k) => (e ? rej(e) : res(k))));

const N = 16384, R = 8, P = 1, LEN = 32;

/** Hashes a secret as `scrypt$N$r$p$<salt b64url>$<hash b64url>`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, LEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a secret against a stored scrypt hash; false on any malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const want = Buffer.from(parts[5], 'base64url');
  const got = await scrypt(secret, salt, want.length, { N: n, r, p, maxmem: 256 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A new random secret, URL-safe, with the given entropy in bytes. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest of a high-entropy token (device credentials, enrollment tokens). */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time string comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex'), y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
