/**
 * TOTP second factor (RFC 6238 through otplib's `authenticator`: 6 digits, 30-second steps, SHA-1,
 * the parameters every authenticator app supports). A code is accepted one step early or late,
 * compared in constant time, and (through the user's last used step) only once.
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

/**
 * The time step (30-second periods since the epoch) whose code `code` is, among the step of `now`
 * (ms since the epoch) and one step around it; null when it is none of them. A code, once used, must
 * not be accepted again: the caller keeps the last step used and refuses any step not after it.
 */
export function matchTotpStep(code: string, secret: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const given = Buffer.from(code);
  const current = Math.floor(now / STEP_MS);
  let matched: number | null = null;
  try {
    for (let step = current - WINDOW; step <= current + WINDOW; step++) {
      // every candidate is compared, so the time taken says nothing about which one matched
      if (timingSafeEqual(Buffer.from(totpCode(secret, step * STEP_MS)), given)) matched = step;
    }
  } catch {
    return null;
  }
  return matched;
}

/** True when `code` is the secret's code for `now` (ms since the epoch) or one step around it. */
export function verifyTotp(code: string, secret: string, now: number): boolean {
  return matchTotpStep(code, secret, now) !== null;
}
