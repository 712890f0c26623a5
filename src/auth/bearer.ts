/**
 * Authentication of the api surface: `Authorization: Bearer <token>` → the caller's context. The
 * token is verified (token-service.ts); an app token's app must still exist, checked on every
 * request so a deleted app's tokens are refused at once, even when another process deleted it.
 */
import type { Ctx } from '../domain/context.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { AppRepo } from '../domain/ports.ts';
import type { RoleLookup } from '../domain/rbac.ts';
import { resourceOf, type Resource } from './audiences.ts';
import { principalFromToken } from './principal.ts';
import { TokenError, type TokenService } from './token-service.ts';

function unauthorized(message: string): PalisadeError {
  return new PalisadeError('Unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
}

const noRoles: RoleLookup = async () => [];

/** Verifies bearer tokens and builds request contexts. */
export class BearerAuthenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly apps: AppRepo,
    /** The roles of a signed-in user (compose.ts gives the stored ones); by default none. */
    private readonly userRoles: RoleLookup = noRoles,
    /** True when the sign-in (grant) a user token came from was revoked (a replayed code, a disabled user). */
    private readonly grantRevoked: (tenantId: string, grantId: string) => Promise<boolean> = async () => false,
  ) {}

  /**
   * The context of the request carrying this Authorization header, or a 401 PalisadeError; the
   * token must be for `resource` (an MDE token is refused on Graph routes and the reverse).
   */
  async authenticate(authorization: string | undefined, resource: Resource = 'mde'): Promise<Ctx> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw unauthorized('Authorization header with a Bearer token is required');
    let tok;
    try {
      tok = await this.tokens.verify(m[1]);
    } catch (e) {
      if (e instanceof TokenError) throw unauthorized(e.message);
      throw e;
    }
    if (resourceOf(tok.audience) !== resource) {
      throw unauthorized(resource === 'graph'
        ? 'The token is not for Microsoft Graph; request it with scope https://graph.microsoft.com/.default'
        : `The token's audience ${tok.audience} is not this API; request it with scope https://api.securitycenter.microsoft.com/.default`);
    }
    if (tok.idtyp === 'app') {
      if (!(await this.apps.get(tok.tenantId, tok.appId))) throw unauthorized('The application of this token no longer exists');
      return { tenantId: tok.tenantId, principal: principalFromToken(tok), authz: { checked: false } };
    }
    if (tok.sid && (await this.grantRevoked(tok.tenantId, tok.sid))) throw unauthorized('The sign-in this token was issued from was revoked; sign in again');
    return { tenantId: tok.tenantId, principal: principalFromToken(tok, await this.userRoles(tok.tenantId, tok.oid)), authz: { checked: false } };
  }
}
