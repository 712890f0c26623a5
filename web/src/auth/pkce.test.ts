import { describe, expect, it } from 'vitest';
import { base64url, codeChallenge, jwtClaims, randomToken } from './pkce.ts';

describe('pkce', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character base64url verifiers that differ', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  it('reads a token payload and survives garbage', () => {
    const payload = base64url(new TextEncoder().encode(JSON.stringify({ name: 'Ada Ö', nonce: 'n1' })));
    expect(jwtClaims(`h.${payload}.s`)).toEqual({ name: 'Ada Ö', nonce: 'n1' });
    expect(jwtClaims('nonsense')).toEqual({});
    expect(jwtClaims('a.!!!.b')).toEqual({});
  });
});
