import { describe, expect, it } from 'vitest';
import { redirectUriMatches, redirectUriProblem } from './redirect-uri.ts';

describe('redirect URIs', () => {
  it('registers https and loopback http URIs only', () => {
    expect(redirectUriProblem('https://app.contoso.com/auth')).toBeNull();
    expect(redirectUriProblem('http://127.0.0.1/callback')).toBeNull();
    expect(redirectUriProblem('http://localhost:8400/')).toBeNull();
    expect(redirectUriProblem('http://[::1]/cb')).toBeNull();
    expect(redirectUriProblem('http://app.contoso.com/auth')).toMatch(/https/);
    expect(redirectUriProblem('https://app.contoso.com/auth#x')).toMatch(/fragment/);
    expect(redirectUriProblem('https://u:p@app.contoso.com/')).toMatch(/user information/);
    expect(redirectUriProblem('not a uri')).toMatch(/absolute/);
    expect(redirectUriProblem('javascript:alert(1)')).toMatch(/https/);
  });

  it('matches exactly, except a loopback URI on any port (RFC 8252 §7.3)', () => {
    expect(redirectUriMatches('https://app.contoso.com/auth', 'https://app.contoso.com/auth')).toBe(true);
    expect(redirectUriMatches('https://app.contoso.com/auth', 'https://app.contoso.com/auth/')).toBe(false);
    expect(redirectUriMatches('https://app.contoso.com/auth', 'https://app.contoso.com:444/auth')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'http://127.0.0.1:51000/callback')).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1:8000/callback', 'http://127.0.0.1:51000/callback')).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'http://localhost:51000/callback')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'http://127.0.0.1:51000/other')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'http://127.0.0.1:51000/callback?x=1')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'http://evil@127.0.0.1:51000/callback')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/callback', 'https://127.0.0.1:51000/callback')).toBe(false);
  });
});
