/**
 * TOTP second factor (RFC 6238 through otplib's `authenticator`: 6 digits, 30-second steps, SHA-1,
 * the parameters every authenticator app supports). A code is accepted one step early or late.
 */
import { authenticator } from 'otplib';

/** How many 30-second steps before or after now a code may come from. */
const WINDOW = 1;

/** A new random TOTP secret (base32). */
export function newTotpSecret(): string {
  return authenticator.generateSecret();
}

/** The otpauth:// URI an authenticator app enrols from (usually shown as a QR code). */
export function totpUri(accountName: string, issuer: string, secret: string): string {
  return authenticator.keyuri(accountName, issuer, secret);
}

/** True when `code` is the secret's code for `now` (ms since the epoch) or one step around it. */
export function verifyTotp(code: string, secret: string, now: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  try {
    return authenticator.clone({ window: WINDOW, epoch: now }).check(code, secret);
  } catch {
    return false;
  }
}

/** The secret's code at `now` (ms since the epoch): what an authenticator app shows. */
export function totpCode(secret: string, now: number): string {
  return authenticator.clone({ epoch: now }).generate(secret);
}
