import { describe, expect, it } from 'vitest';
import { answeredScope, grantedScp, parseDelegatedScope, ScopeError } from './delegated-scopes.ts';

describe('delegated scopes', () => {
  it('reads .default with the OpenID scopes', () => {
    const s = parseDelegatedScope('https://api.securitycenter.microsoft.com/.default openid profile offline_access');
    expect(s).toMatchObject({ audience: 'https://api.securitycenter.microsoft.com', permissions: '.default', openid: true, profile: true, offlineAccess: true, email: false });
    expect(grantedScp(s, new Set(['Machine.Read', 'Alert.Read']))).toEqual(['Alert.Read', 'Machine.Read']);
    expect(answeredScope(s, ['Machine.Read'])).toBe('https://api.securitycenter.microsoft.com/Machine.Read openid profile offline_access');
  });

  it('limits named permissions to what the roles grant, in any case', () => {
    const s = parseDelegatedScope('https://api.securitycenter.microsoft.com/machine.read https://api.securitycenter.microsoft.com/Machine.Isolate');
    expect(s.permissions).toEqual(['Machine.Read', 'Machine.Isolate']);
    expect(grantedScp(s, new Set(['Machine.Read', 'Alert.Read']))).toEqual(['Machine.Read']);
  });

  it('refuses no resource, two resources, unknown resources and unknown permissions', () => {
    for (const bad of ['openid profile', '', 'https://evil.example/.default', 'Machine.Read', 'https://api.securitycenter.microsoft.com/Nope.Read',
      'https://api.securitycenter.microsoft.com/.default https://graph.microsoft.com/.default']) {
      expect(() => parseDelegatedScope(bad), bad).toThrow(ScopeError);
    }
  });
});
