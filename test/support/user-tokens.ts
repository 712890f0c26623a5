/**
 * Users with stored roles for API tests: creates the user through the UserService (its roles must
 * exist) and signs a user token for it as the sign-in flows do (TokenService.issueUserToken), so the
 * bearer check looks the user's roles up in the store like for any signed-in user.
 */
import { operatorCtx } from '../../src/domain/context.ts';
import { delegatedPermissionsOf, ROLE_PERMISSION_OPTIONS } from '../../src/domain/role-permissions.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import { issuerFor, TokenService } from '../../src/auth/token-service.ts';
import { UserService } from '../../src/services/users.ts';

/** The client the test tokens name as issued to. */
const TEST_CLIENT_ID = '7e57c11e-0000-4000-8000-000000000001';

/** The delegated scopes `.default` gives a user: every permission some role option grants. */
export const ALL_DELEGATED_SCOPES: readonly string[] = delegatedPermissionsOf(ROLE_PERMISSION_OPTIONS);

/** Creates a user of `tenantId` holding `roles` and returns a bearer token for it (MDE audience), with `scp` (default: every delegated scope). */
export async function userWithToken(
  state: StateStore, tenantId: string, upn: string, roles: readonly string[], scp: readonly string[] = ALL_DELEGATED_SCOPES,
): Promise<{ id: string; token: string }> {
  const { user } = await new UserService(state).create(operatorCtx(tenantId, 'test'), { userPrincipalName: upn, roles, password: 'a long test password' });
  return { id: user.id, token: await tokenFor(state, { ...user, tenantId }, scp) };
}

/** A user token for an existing user. */
export async function tokenFor(
  state: StateStore, user: { tenantId: string; id: string; userPrincipalName: string; displayName: string }, scp: readonly string[] = ALL_DELEGATED_SCOPES,
): Promise<string> {
  const t = await new TokenService(state.tenants).issueUserToken(user, TEST_CLIENT_ID, scp,
    'https://api.securitycenter.microsoft.com', issuerFor('https://localhost', user.tenantId));
  return t.token;
}
