/**
 * TOTP second factor (RFC 6238 through otplib's `authenticator`: 6 digits, 30-second steps, SHA-1,
 * the parameters every authenticator app supports). A code is accepted one step early or late, and
 * compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { authenticator } from 'otplib';

/** How many 30-second steps before or after now a code may come from. */
const WINDOW = 1;
const STEP_MS = 30_000;

/** A new random TOTP secret (base32). */
export function newTotpSecret(): string {
  return authenticator.generateSecret();
}

/** The otpauth:// URI an authenticator app enrols from (usually shown as a QR code). */
export function totpUri(accountName: string, issuer: string, secret: string): string {
  return authenticator.keyuri(accountName, issuer, secret);
}

/** The secret's code at `now` (ms since the epoch): what an authenticator app shows. */
export function totpCode(secret: string, now: number): string {
  return authenticator.clone({ epoch: now }).generate(secret);
}

/** True when `code` is the secret's code for `now` (ms since the epoch) or one step around it. */
export function verifyTotp(code: string, secret: string, now: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const given = Buffer.from(code);
  let ok = false;
  try {
    for (let step = -WINDOW; step <= WINDOW; step++) {
      // every candidate is compared, so the time taken says nothing about which one matched
      if (timingSafeEqual(Buffer.from(totpCode(secret, now + step * STEP_MS)), given)) ok = true;
    }
  } catch {
    return false;
  }
  return ok;
}
