/**
 * Palisade as an OAuth2 authorization server, shaped like Entra ID so MSAL and other MDE clients
 * work unchanged: OpenID discovery (v2.0 and v1), JWKS, and the client-credentials token endpoints
 * (`/oauth2/v2.0/token` with `scope`, `/oauth2/token` with `resource`). Errors use OAuth2's shape.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { AppRepo, TenantRepo } from '../../../domain/ports.ts';
import { audienceFor } from '../../../auth/audiences.ts';
import { verifySecret } from '../../../auth/secrets.ts';
import { issuerFor, type TokenService } from '../../../auth/token-service.ts';
import { baseUrlOf } from '../../odata-response.ts';

/** Keeps the OAuth endpoints out of the API reference (they are documented in docs/). */
const HIDDEN = { schema: { hide: true } as FastifySchema };
const TENANT = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.status(status).header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send({
    error,
    error_description: description,
    error_codes: [],
    timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    trace_id: reply.request.id,
  });
}

/** Client id and secret from the form body or HTTP Basic authentication. */
function clientCredentials(req: FastifyRequest, form: Record<string, string>): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(':')) };
  }
  return { id: form.client_id, secret: form.client_secret };
}

/** Registers discovery, JWKS and token endpoints. */
export function registerOAuthRoutes(app: FastifyInstance, deps: { tenants: TenantRepo; apps: AppRepo; tokens: TokenService }): void {
  const tenantOr404 = async (req: FastifyRequest, reply: FastifyReply): Promise<string | null> => {
    const tid = (req.params as { tenant: string }).tenant.toLowerCase();
    if (!(await deps.tenants.get(tid))) {
      await oauthError(reply, 400, 'invalid_tenant', `Tenant '${tid}' not found. Check the tenant id in the authority URL.`);
      return null;
    }
    return tid;
  };

  const discovery = (version: '2.0' | '1.0') => async (req: FastifyRequest, reply: FastifyReply) => {
    const tid = await tenantOr404(req, reply);
    if (!tid) return reply;
    const base = baseUrlOf(req);
    const v = version === '2.0' ? '/v2.0' : '';
    return {
      issuer: issuerFor(base, tid, version),
      token_endpoint: `${base}/${tid}/oauth2${v}/token`,
      authorization_endpoint: `${base}/${tid}/oauth2${v}/authorize`,
      jwks_uri: `${base}/${tid}/discovery${v}/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      response_types_supported: ['code'],
      grant_types_supported: ['client_credentials'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'appid', 'azp', 'roles', 'oid', 'sub'],
      tenant_region_scope: null,
      cloud_instance_name: baseUrlOf(req).replace(/^https?:\/\//, ''),
    };
  };

  const jwks = async (req: FastifyRequest, reply: FastifyReply) => {
    const tid = await tenantOr404(req, reply);
    if (!tid) return reply;
    return deps.tokens.jwks(tid);
  };

  const token = (version: '2.0' | '1.0') => async (req: FastifyRequest, reply: FastifyReply) => {
    const tid = await tenantOr404(req, reply);
    if (!tid) return reply;
    const form = (req.body ?? {}) as Record<string, string>;
    if (typeof form !== 'object') return oauthError(reply, 400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded');
    if (form.grant_type !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type', `The grant type '${form.grant_type ?? ''}' is not supported; use client_credentials`);
    }
    const { id, secret } = clientCredentials(req, form);
    if (!id || !secret) return oauthError(reply, 401, 'invalid_client', 'client_id and client_secret are required');
    const a = await deps.apps.get(tid, id);
    if (!a || !(await verifySecret(secret, a.secretHash))) {
      return oauthError(reply, 401, 'invalid_client', 'Invalid client secret provided, or the application was not found in this tenant.');
    }
    const aud = version === '2.0' ? audienceFor({ scope: form.scope }) : audienceFor({ resource: form.resource ?? '' });
    if (!aud) {
      return version === '2.0'
        ? oauthError(reply, 400, 'invalid_scope', `The scope '${form.scope ?? ''}' is not valid; use https://api.securitycenter.microsoft.com/.default`)
        : oauthError(reply, 400, 'invalid_resource', `The resource '${form.resource ?? ''}' is not known; use https://api.securitycenter.microsoft.com`);
    }
    const t = await deps.tokens.issueAppToken(a, aud, issuerFor(baseUrlOf(req), tid, version), version);
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return version === '2.0'
      ? { token_type: 'Bearer', expires_in: t.expiresIn, ext_expires_in: t.expiresIn, access_token: t.token }
      : { token_type: 'Bearer', expires_in: String(t.expiresIn), ext_expires_in: String(t.expiresIn), expires_on: String(t.expiresOn), not_before: String(t.notBefore), resource: aud, access_token: t.token };
  };

  const p = `/:tenant(^${TENANT}$)`;
  app.get(`${p}/v2.0/.well-known/openid-configuration`, HIDDEN, discovery('2.0'));
  app.get(`${p}/.well-known/openid-configuration`, HIDDEN, discovery('1.0'));
  app.get(`${p}/discovery/v2.0/keys`, HIDDEN, jwks);
  app.get(`${p}/discovery/keys`, HIDDEN, jwks);
  app.post(`${p}/oauth2/v2.0/token`, HIDDEN, token('2.0'));
  app.post(`${p}/oauth2/token`, HIDDEN, token('1.0'));
}
