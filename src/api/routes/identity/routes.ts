/**
 * The identity surface: OpenID discovery (v2.0 and v1), JWKS, the token endpoints
 * (`/oauth2/v2.0/token` with `scope`, `/oauth2/token` with `resource`; each takes client credentials
 * and the user grants: password, authorization code, refresh token, device code), the sign-in pages of the
 * authorization code flow (`/oauth2/v2.0/authorize`) and of the device code flow
 * (`/oauth2/v2.0/devicecode`, `/oauth2/deviceauth`), over the authorization server and the sign-in
 * flows in src/auth. OAuth2 errors, schema failures included, answer in OAuth2's shape; the pages
 * answer HTML (sign-in-page.ts).
 */
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationServer, OAuthError, type OAuthVersion, type TokenRequest } from '../../../auth/authorization-server.ts';
import type { AuthorizeQuery, SignInFields, SignInFlows, SignInOutcome } from '../../../auth/sign-in-flows.ts';
import type { FederatedSignIn } from '../../../services/federated-sign-in.ts';
import { federationRoutes } from './federation-routes.ts';
import { browserOf, sendSignInOutcome } from './sign-in-page.ts';
import { baseUrlOf } from '../../odata-response.ts';
import { formBody, type OpenRoute, type RouteTable } from '../../route-table.ts';

const TENANT = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const P = `/:tenant(^${TENANT}$)`;

const field = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
/** A token request's form body; other fields MSAL sends (client_info, …) are accepted and ignored. */
const TokenForm = Type.Object({
  grant_type: field(64),
  client_id: field(256),
  client_secret: field(1024),
  scope: field(4096),
  resource: field(2048),
}, { additionalProperties: Type.String({ maxLength: 4096 }) });

/** An authorize request's query: every parameter a string, none longer than 4 KiB. */
const AuthorizeQuerySchema = Type.Object({}, { additionalProperties: Type.String({ maxLength: 4096 }) });
/** A sign-in form: every field a string, none longer than 4 KiB. */
const SignInForm = Type.Object({}, { additionalProperties: Type.String({ maxLength: 4096 }) });

/** Largest form a token request sent as a GET may carry. */
const MAX_GET_FORM_BYTES = 16 * 1024;

/**
 * The form of a v1 token request sent as a GET, as one integration sends it: in the body
 * (form-urlencoded or untyped; Fastify leaves a GET's body unread) or, when there is none, in the
 * query string (as PowerShell's Invoke-RestMethod writes a GET's -Body).
 */
async function formOfGet(req: FastifyRequest): Promise<TokenRequest> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new OAuthError(400, 'invalid_request', `Content type '${type}' is not supported; send the form as application/x-www-form-urlencoded`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_GET_FORM_BYTES) throw new OAuthError(400, 'invalid_request', `The token request is larger than ${MAX_GET_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const form = text ? formBody(text) : { ...(req.query as Record<string, string>) };
  if (!Value.Check(TokenForm, form)) throw new OAuthError(400, 'invalid_request', 'The request is not valid: a form field is too long');
  return form as TokenRequest;
}

function sendOAuthError(reply: FastifyReply, e: OAuthError) {
  return reply.status(e.status).header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send({
    error: e.error,
    error_description: e.message,
    error_codes: e.errorCodes,
    timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    trace_id: reply.request.id,
  });
}

/** Runs an identity handler, answering OAuthErrors and schema failures in OAuth2's shape. */
function oauth(fn: (req: FastifyRequest, reply: FastifyReply, tenant: string) => Promise<unknown>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      if (req.validationError) throw new OAuthError(400, 'invalid_request', `The request is not valid: ${req.validationError.message}`);
      return await fn(req, reply, (req.params as { tenant: string }).tenant);
    } catch (e) {
      if (e instanceof OAuthError) return sendOAuthError(reply, e);
      throw e;
    }
  };
}

/** Runs a sign-in page handler; a malformed request gets an error page (never a redirect). */
function htmlPage(fn: (req: FastifyRequest, tenant: string) => Promise<Parameters<typeof sendSignInOutcome>[2]>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.validationError) {
      return sendSignInOutcome(req, reply, { kind: 'message', status: 400, title: 'Bad request', message: 'The sign-in request is not valid: a parameter is too long or not text.' });
    }
    return sendSignInOutcome(req, reply, await fn(req, (req.params as { tenant: string }).tenant));
  };
}

/** The scope of a v1 request, which names a `resource` instead. */
function v1Scope<T extends { scope?: string; resource?: string }>(q: T): T {
  return q.scope === undefined && q.resource ? { ...q, scope: `${q.resource.replace(/\/+$/, '')}/.default openid profile offline_access` } : q;
}

/** The identity surface's table. */
export function identityTable(server: AuthorizationServer, signIn: SignInFlows, federation: FederatedSignIn<SignInOutcome>): RouteTable<'identity'> {
  const discovery = (version: OAuthVersion) => oauth(async (req, _reply, tenant) => server.discovery(tenant, baseUrlOf(req), version));
  const jwks = oauth(async (_req, _reply, tenant) => server.jwks(tenant));
  const token = (version: OAuthVersion, form: (req: FastifyRequest) => Promise<TokenRequest> = async (req) => (req.body ?? {}) as TokenRequest) => oauth(async (req, reply, tenant) => {
    const out = await server.token(tenant, await form(req), req.headers.authorization, baseUrlOf(req), version, req.ip);
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return out;
  });
  const authorize = (version: OAuthVersion) => htmlPage(async (req, tenant) => {
    const q = req.query as AuthorizeQuery;
    return signIn.authorize(tenant, version === '1.0' ? v1Scope(q) : q, browserOf(req));
  });
  const submit = htmlPage(async (req, tenant) => signIn.submit(tenant, (req.body ?? {}) as SignInFields, browserOf(req)));
  const deviceCode = (version: OAuthVersion) => oauth(async (req, reply, tenant) => {
    const form = (req.body ?? {}) as TokenRequest;
    const out = await server.deviceAuthorization(tenant, version === '1.0' ? v1Scope(form) : form, baseUrlOf(req));
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return out;
  });
  const authorizeExample = { query: { client_id: 'a1d0c6e8-3b7f-4c5e-9f10-5a1ade000001', response_type: 'code', redirect_uri: 'https://localhost/console/', scope: 'https://api.securitycenter.microsoft.com/.default openid profile offline_access', state: 'x', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' } };
  const routes: OpenRoute[] = [
    { method: 'GET', url: `${P}/oauth2/v2.0/authorize`, auth: 'none', summary: 'Sign-in page of the authorization code flow (PKCE S256)', schema: { querystring: AuthorizeQuerySchema }, attachValidation: true, example: authorizeExample, handler: authorize('2.0') },
    { method: 'GET', url: `${P}/oauth2/authorize`, auth: 'none', summary: 'Sign-in page of the authorization code flow (v1: resource)', schema: { querystring: AuthorizeQuerySchema }, attachValidation: true, example: authorizeExample, handler: authorize('1.0') },
    { method: 'POST', url: `${P}/oauth2/v2.0/authorize`, auth: 'none', summary: 'The sign-in form (name and password, then the TOTP code; CSRF-checked)', schema: { body: SignInForm }, attachValidation: true, example: { body: { request: '00000000-0000-0000-0000-000000000000', csrf: 'x' } }, handler: submit },
    { method: 'POST', url: `${P}/oauth2/authorize`, auth: 'none', summary: 'The sign-in form (v1 path)', schema: { body: SignInForm }, attachValidation: true, example: { body: { request: '00000000-0000-0000-0000-000000000000', csrf: 'x' } }, handler: submit },
    { method: 'GET', url: `${P}/oauth2/deviceauth`, auth: 'none', summary: 'Device code verification page: enter the code shown on the device, then sign in', attachValidation: true, handler: htmlPage(async (req, tenant) => signIn.deviceVerification(tenant, browserOf(req))) },
    { method: 'POST', url: `${P}/oauth2/deviceauth`, auth: 'none', summary: 'The device code verification form (the code, then name and password, then the TOTP code)', schema: { body: SignInForm }, attachValidation: true, example: { body: { request: '00000000-0000-0000-0000-000000000000', csrf: 'x' } }, handler: submit },
    { method: 'POST', url: `${P}/oauth2/v2.0/devicecode`, auth: 'none', summary: 'Device authorization: a device code and the user code to enter at the verification page', schema: { body: TokenForm }, attachValidation: true, example: { body: { client_id: 'a1d0c6e8-3b7f-4c5e-9f10-5a1ade000001', scope: 'https://api.securitycenter.microsoft.com/.default offline_access' } }, handler: deviceCode('2.0') },
    { method: 'POST', url: `${P}/oauth2/devicecode`, auth: 'none', summary: 'Device authorization (v1: resource)', schema: { body: TokenForm }, attachValidation: true, untypedBodyIsForm: true, handler: deviceCode('1.0') },
    ...federationRoutes(P, federation),
    { method: 'GET', url: `${P}/v2.0/.well-known/openid-configuration`, auth: 'none', summary: 'OpenID discovery (v2.0)', attachValidation: true, handler: discovery('2.0') },
    { method: 'GET', url: `${P}/.well-known/openid-configuration`, auth: 'none', summary: 'OpenID discovery (v1)', attachValidation: true, handler: discovery('1.0') },
    { method: 'GET', url: `${P}/discovery/v2.0/keys`, auth: 'none', summary: 'Token signing keys (v2.0)', attachValidation: true, handler: jwks },
    { method: 'GET', url: `${P}/discovery/keys`, auth: 'none', summary: 'Token signing keys (v1)', attachValidation: true, handler: jwks },
    { method: 'POST', url: `${P}/oauth2/v2.0/token`, auth: 'oauth-client', summary: 'Token (scope): client credentials, password, authorization code + PKCE, refresh token, device code', schema: { body: TokenForm }, attachValidation: true, handler: token('2.0') },
    { method: 'POST', url: `${P}/oauth2/token`, auth: 'oauth-client', summary: 'Token (v1: resource): client credentials, password, authorization code + PKCE, refresh token, device code', schema: { body: TokenForm }, attachValidation: true, untypedBodyIsForm: true, handler: token('1.0') },
    { method: 'GET', url: `${P}/oauth2/token`, auth: 'oauth-client', summary: 'Token (v1: resource), sent as a GET with the form in its body or query', attachValidation: true, handler: token('1.0', formOfGet) },
  ];
  return { surface: 'identity', prefixes: [''], routes, documented: false };
}
