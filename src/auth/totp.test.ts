/** TOTP codes: the current step and one step either side are accepted, nothing further or malformed. */
import { describe, expect, it } from 'vitest';
import { newTotpSecret, totpCode, totpUri, verifyTotp } from './totp.ts';

describe('totp', () => {
  const secret = newTotpSecret();
  const now = Date.parse('2026-01-01T00:00:10.000Z');

  it('accepts the code of this step and of one step before or after', () => {
    expect(verifyTotp(totpCode(secret, now), secret, now)).toBe(true);
    expect(verifyTotp(totpCode(secret, now - 30_000), secret, now)).toBe(true);
    expect(verifyTotp(totpCode(secret, now + 30_000), secret, now)).toBe(true);
  });

  it('refuses codes two steps away, malformed codes and codes of another secret', () => {
    expect(verifyTotp(totpCode(secret, now - 60_000), secret, now)).toBe(false);
    expect(verifyTotp(totpCode(secret, now + 60_000), secret, now)).toBe(false);
    expect(verifyTotp('', secret, now)).toBe(false);
    expect(verifyTotp('12345', secret, now)).toBe(false);
    expect(verifyTotp('abcdef', secret, now)).toBe(false);
    const other = newTotpSecret();
    const code = totpCode(other, now);
    expect(verifyTotp(code, secret, now)).toBe(code === totpCode(secret, now));
  });

  it('enrols through an otpauth:// URI naming the issuer and account', () => {
    const uri = new URL(totpUri('alice@contoso.com', 'Palisade', secret));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Palisade:alice@contoso.com');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Palisade');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
