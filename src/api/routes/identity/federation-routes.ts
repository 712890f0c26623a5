/**
 * The identity surface's routes of sign-in through external OpenID Connect providers
 * (services/federated-sign-in.ts): `federation/start`, where a provider's `Sign in with <name>`
 * button leads, and `federation/callback`, where the provider sends the browser back. Both answer
 * HTML: the sign-in page's outcome (a redirect with the code, or a message page), or a page saying
 * why the sign-in was refused; never a 5xx for anything the provider or the browser sent.
 *
 * `start` hands the browser to the provider with a page that refreshes to it rather than a 302: the
 * button is a form whose page allows forms to reach only Palisade and the client (CSP `form-action`),
 * which browsers apply to every redirect a form submission leads to.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignInOutcome } from '../../../auth/sign-in-flows.ts';
import { FEDERATION_CALLBACK_PATH, FEDERATION_START_PATH, type FederatedSignIn, type FederationStep } from '../../../services/federated-sign-in.ts';
import { baseUrlOf } from '../../odata-response.ts';
import type { OpenRoute } from '../../route-table.ts';
import { browserOf, sendSignInOutcome } from './sign-in-page.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The start route's query. */
const StartQuery = Type.Object({ provider: Type.String({ maxLength: 64 }), request: Type.String({ maxLength: 256 }) }, { additionalProperties: Type.String({ maxLength: 4096 }) });
/** The callback's query: whatever the provider sends, every parameter text of bounded length. */
const CallbackQuery = Type.Object({}, { additionalProperties: Type.String({ maxLength: 8192 }) });

/** A page that sends the browser on to `location` (the provider's authorization endpoint) without a script. */
function sendOnward(reply: FastifyReply, location: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const to = esc(location);
  return reply
    .header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`)
    .header('Cache-Control', 'no-store').header('Pragma', 'no-cache').header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${to}"><title>Signing in – Palisade</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto}</style></head>
<body><main><h1>Signing in…</h1><p><a href="${to}">Continue to your organisation's sign-in page</a></p></main></body></html>`);
}

/** Answers a federated step on the sign-in pages. */
function answer(req: FastifyRequest, reply: FastifyReply, step: FederationStep<SignInOutcome>, onward: boolean): FastifyReply {
  switch (step.kind) {
    case 'finished': return sendSignInOutcome(req, reply, step.outcome);
    case 'redirect': return onward ? sendOnward(reply, step.location) : sendSignInOutcome(req, reply, { kind: 'redirect', location: step.location });
    case 'refused':
      req.log.warn({ federation: step.message, detail: step.detail }, 'federated sign-in refused');
      return sendSignInOutcome(req, reply, { kind: 'message', status: step.status, title: step.title, message: step.message });
  }
}

const BAD = { kind: 'refused', status: 400, title: 'Bad request', message: 'The sign-in request is not valid: a parameter is missing, too long or not text.' } as const;

/** The federation routes of the identity surface (`tenant` is the path's tenant segment pattern). */
export function federationRoutes(tenant: string, federation: FederatedSignIn<SignInOutcome>): OpenRoute[] {
  const tenantOf = (req: FastifyRequest) => (req.params as { tenant: string }).tenant.toLowerCase();
  return [
    {
      method: 'GET', url: `${tenant}${FEDERATION_START_PATH}`, auth: 'none', summary: 'Sign in with an external OpenID Connect provider: sends the browser of a pending sign-in to the provider',
      schema: { querystring: StartQuery }, attachValidation: true, example: { query: { provider: '00000000-0000-0000-0000-000000000000', request: '00000000-0000-0000-0000-000000000000' } },
      handler: async (req, reply) => {
        if (req.validationError) return answer(req, reply, BAD, false);
        const q = req.query as { provider: string; request: string };
        return answer(req, reply, await federation.start(tenantOf(req), q.provider, q.request, browserOf(req)), true);
      },
    },
    {
      method: 'GET', url: `${tenant}${FEDERATION_CALLBACK_PATH}`, auth: 'none', summary: 'Where an external OpenID Connect provider returns the browser: the answer is validated and the sign-in finished',
      schema: { querystring: CallbackQuery }, attachValidation: true, example: { query: { code: 'x', state: 'x' } },
      handler: async (req, reply) => {
        if (req.validationError) return answer(req, reply, BAD, false);
        return answer(req, reply, await federation.callback(tenantOf(req), new URL(req.url, baseUrlOf(req)), browserOf(req)), false);
      },
    },
  ];
}
