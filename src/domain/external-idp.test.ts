/** The rules of external providers: issuers (https, http on loopback only), settings, the role mapping, names from claims. */
import { describe, expect, it } from 'vitest';
import { displayNameFromClaims, externalIdpProblem, issuerProblem, parseRoleMapping, rolesFromClaims, userPrincipalNameFromClaims } from './external-idp.ts';

describe('external identity providers', () => {
  it('accepts https issuers anywhere and http issuers only on loopback', () => {
    expect(issuerProblem('https://login.microsoftonline.com/contoso/v2.0')).toBeNull();
    expect(issuerProblem('http://127.0.0.1:4000')).toBeNull();
    expect(issuerProblem('http://localhost:8080/realms/corp')).toBeNull();
    expect(issuerProblem('http://[::1]:9000')).toBeNull();
    expect(issuerProblem('http://idp.example.com')).toMatch(/https/);
    expect(issuerProblem('http://127.0.0.1.example.com')).toMatch(/https/);
    expect(issuerProblem('ftp://127.0.0.1')).toMatch(/https/);
    expect(issuerProblem('https://u:p@idp.example.com')).toMatch(/user name/);
    expect(issuerProblem('https://idp.example.com/?x=1')).toMatch(/query/);
    expect(issuerProblem('not a url')).toMatch(/not a URL/);
  });

  it('checks names, client ids, scopes, the roles claim and the mapping', () => {
    const ok = { name: 'Corp', issuer: 'https://idp.example.com', clientId: 'palisade', scopes: ['openid'], rolesClaim: 'groups', roleMapping: { a: ['Tier 1'] } };
    expect(externalIdpProblem(ok)).toBeNull();
    expect(externalIdpProblem({ ...ok, name: '<script>' })).toMatch(/name/);
    expect(externalIdpProblem({ ...ok, name: ' ' })).toMatch(/name/);
    expect(externalIdpProblem({ ...ok, clientId: '' })).toMatch(/client id/);
    expect(externalIdpProblem({ ...ok, scopes: ['profile'] })).toMatch(/openid/);
    expect(externalIdpProblem({ ...ok, scopes: ['openid', 'a"b'] })).toMatch(/scope/);
    expect(externalIdpProblem({ ...ok, rolesClaim: 'gr oups' })).toMatch(/claim/);
    expect(externalIdpProblem({ ...ok, roleMapping: { a: [] } })).toMatch(/role names/);
  });

  it('parses mapping entries, merging repeated claim values', () => {
    expect(parseRoleMapping(['secops-tier1=Tier 1', 'admins=Tier 1, Admins', 'secops-tier1=Readers', 'cn=x,ou=y=Auditors']))
      .toEqual({ 'secops-tier1': ['Tier 1', 'Readers'], admins: ['Tier 1', 'Admins'], 'cn=x,ou=y': ['Auditors'] });
    expect(() => parseRoleMapping(['nothing'])).toThrow(/CLAIM_VALUE=ROLE/);
    expect(() => parseRoleMapping(['a='])).toThrow(/CLAIM_VALUE=ROLE/);
  });

  it('grants the union of the roles mapped from the claim, whether it is a list or one string', () => {
    const idp = { rolesClaim: 'groups', roleMapping: { 'secops-tier1': ['Tier 1'], admins: ['Admins', 'Tier 1'], toString: ['Never'] } };
    expect(rolesFromClaims(idp, { groups: ['secops-tier1', 'admins', 'unmapped'] })).toEqual(['Admins', 'Tier 1']);
    expect(rolesFromClaims(idp, { groups: 'secops-tier1' })).toEqual(['Tier 1']);
    expect(rolesFromClaims(idp, { groups: [1, null, { a: 1 }] })).toEqual([]);
    expect(rolesFromClaims(idp, { roles: ['admins'] })).toEqual([]);
    expect(rolesFromClaims({ ...idp, roleMapping: {} }, { groups: ['constructor', 'hasOwnProperty'] })).toEqual([]);
    const keycloak = { rolesClaim: 'realm_access.roles', roleMapping: { analyst: ['Tier 1'] } };
    expect(rolesFromClaims(keycloak, { realm_access: { roles: ['analyst', 'offline_access'] } })).toEqual(['Tier 1']);
    expect(rolesFromClaims(keycloak, { 'realm_access.roles': ['analyst'] })).toEqual(['Tier 1']);
    expect(rolesFromClaims(keycloak, { realm_access: ['analyst'] })).toEqual([]);
    expect(rolesFromClaims({ ...keycloak, rolesClaim: 'a.__proto__' }, { a: {} })).toEqual([]);
  });

  it('takes the user name from preferred_username, upn, then a verified email; the display name from name or given and family names', () => {
    expect(userPrincipalNameFromClaims({ preferred_username: 'dana@corp.example', email: 'x@y.z' })).toBe('dana@corp.example');
    expect(userPrincipalNameFromClaims({ preferred_username: 'dana', upn: 'dana@corp.example' })).toBe('dana@corp.example');
    expect(userPrincipalNameFromClaims({ preferred_username: 'dana', email: 'dana@corp.example' })).toBe('dana@corp.example');
    expect(userPrincipalNameFromClaims({ email: 'dana@corp.example', email_verified: false })).toBeNull();
    expect(userPrincipalNameFromClaims({ sub: '123' })).toBeNull();
    expect(displayNameFromClaims({ name: ' Dana Scully ' })).toBe('Dana Scully');
    expect(displayNameFromClaims({ given_name: 'Dana', family_name: 'Scully' })).toBe('Dana Scully');
    expect(displayNameFromClaims({})).toBeNull();
  });
});
