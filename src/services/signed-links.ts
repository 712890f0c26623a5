/**
 * Short-lived signed download links (MDE's getPackageUri and GetLiveResponseResultDownloadLink
 * answer such a URL, valid 30 minutes, that works without an Authorization header — Splunk SOAR
 * downloads it so). A link is a path plus `expires` (Unix seconds) and `signature`: the HMAC-SHA256,
 * under the server's secret key, of the path and the expiry. Anyone holding the link may download
 * until it expires; a changed path, expiry or signature, or an expired link, is refused (403).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../domain/errors.ts';

/** How long a link works: MDE's 30 minutes. */
export const LINK_TTL_MS = 30 * 60_000;

/** Signs and checks download links with one secret key (at least 32 bytes). */
export class LinkSigner {
  constructor(
    private readonly key: Uint8Array,
    private readonly clock: () => Date = () => new Date(),
    private readonly ttlMs: number = LINK_TTL_MS,
  ) {
    if (key.length < 32) throw new Error('a link signing key has at least 32 bytes');
  }

  private mac(path: string, expires: string): Buffer {
    return createHmac('sha256', this.key).update(`${path}\n${expires}`).digest();
  }

  /** `path` with the query that makes it a link valid for the next 30 minutes. */
  sign(path: string): string {
    const expires = String(Math.floor((this.clock().getTime() + this.ttlMs) / 1000));
    return `${path}?expires=${expires}&signature=${this.mac(path, expires).toString('base64url')}`;
  }

  /** Throws 403 Forbidden unless `signature` signs `path` with `expires` and the link has not expired. */
  verify(path: string, expires: unknown, signature: unknown): void {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(signature)) {
      throw errors.forbidden('The download link is not valid: it lacks its expiry or signature');
    }
    // compared as text: two base64url texts may decode to the same bytes (the last character's unused bits)
    const given = Buffer.from(signature);
    const want = Buffer.from(this.mac(path, expires).toString('base64url'));
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw errors.forbidden('The download link is not valid: its signature does not match');
    if (Number(expires) * 1000 <= this.clock().getTime()) throw errors.forbidden('The download link has expired; ask for a new one');
  }
}
