/**
 * The sign-in pages as HTML: server-rendered, usable without JavaScript and from the keyboard
 * (labelled fields, one heading, errors announced as alerts), under a strict Content Security
 * Policy (no script but a form_post page's one nonce'd submit; forms may post only here and to the
 * redirect URI's origin; no framing). `sendSignInOutcome` answers a SignInOutcome; the federation
 * routes use it too.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserContext, SignInForm, SignInOutcome } from '../../../auth/sign-in-flows.ts';
import { baseUrlOf } from '../../odata-response.ts';

/** The cookie binding a pending sign-in to the browser that opened its page. */
export const SIGN_IN_COOKIE = 'palisade_signin';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;color:#111827}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.4rem;margin:0 0 .5rem}p{line-height:1.4}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #6b7280;border-radius:.25rem}
button{margin-top:1.25rem;width:100%;padding:.6rem;font-size:1rem;border-radius:.25rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.alt{background:#fff;color:#1d4ed8}:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.error{color:#991b1b;background:#fef2f2;border:1px solid #fca5a5;padding:.5rem;border-radius:.25rem}.sep{margin:1.5rem 0 0;text-align:center;color:#4b5563}`;

/** The browser context of a request: origin as reached, client address, the sign-in cookie. */
export function browserOf(req: FastifyRequest): BrowserContext {
  const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SIGN_IN_COOKIE}=`));
  return { baseUrl: baseUrlOf(req), address: req.ip, browserToken: cookie?.slice(SIGN_IN_COOKIE.length + 1) };
}

function page(title: string, body: string, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)} – Palisade</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** A device sign-in's button to decline it (the device then gets `access_denied`). */
function declineButton(f: SignInForm): string {
  return f.declinable ? '\n<button type="submit" class="alt" name="deny" value="1" formnovalidate>Decline</button>' : '';
}

function formBody(f: SignInForm): string {
  const hidden = `<input type="hidden" name="request" value="${esc(f.requestId)}"><input type="hidden" name="csrf" value="${esc(f.csrf)}">`;
  const alert = f.message ? `<p class="error" role="alert" id="error">${esc(f.message)}</p>` : '';
  const described = f.message ? ' aria-describedby="error"' : '';
  const to = f.clientName ? `<p>to continue to <strong>${esc(f.clientName)}</strong></p>` : '';
  let fields: string;
  let heading = 'Sign in';
  if (f.step === 'device-code') {
    heading = 'Enter code';
    fields = `<p>Enter the code shown on your device or in your application.</p>
<label for="user_code">Code</label><input id="user_code" name="user_code" required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="16" autofocus${described}>
<button type="submit">Next</button>`;
  } else if (f.step === 'code') {
    fields = `<p>Enter the 6-digit code from your authenticator app.</p>
<label for="otc">Authentication code</label><input id="otc" name="otc" required inputmode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" maxlength="7" autofocus${described}>
<button type="submit">Sign in</button>${declineButton(f)}`;
  } else {
    const buttons = f.providers.map((p) => `<button type="submit" class="alt" name="provider" value="${esc(p.id)}" formnovalidate>Sign in with ${esc(p.name)}</button>`).join('\n');
    fields = `<label for="login">Email or user name</label><input id="login" name="login" type="text" required autocomplete="username" spellcheck="false" maxlength="256" value="${esc(f.userName)}"${f.userName ? '' : ' autofocus'}${described}>
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password" maxlength="1024"${f.userName ? ' autofocus' : ''}>
<button type="submit">Sign in</button>${buttons ? `\n<p class="sep">or</p>\n${buttons}` : ''}${declineButton(f)}`;
  }
  return `<h1>${heading}</h1>${to}${alert}<form method="post" action="${esc(f.action)}">${hidden}
${fields}</form>`;
}

function securityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('Content-Security-Policy', csp)
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .type('text/html; charset=utf-8');
}

/** Answers a sign-in outcome: a page (setting the binding cookie), a redirect, a form_post page, or a message page. */
export function sendSignInOutcome(req: FastifyRequest, reply: FastifyReply, out: SignInOutcome): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const base = `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'`;
  switch (out.kind) {
    case 'redirect':
      return reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').redirect(out.location, 302);
    case 'form_post': {
      const inputs = Object.entries(out.fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
      const body = `<h1>Signing in…</h1><form method="post" action="${esc(out.action)}" id="post">${inputs}<noscript><p>JavaScript is off: press Continue.</p></noscript><button type="submit">Continue</button></form>
<script nonce="${nonce}">document.getElementById('post').submit()</script>`;
      return securityHeaders(reply, `${base}; script-src 'nonce-${nonce}'; form-action ${new URL(out.action).origin}`).send(page('Signing in', body, nonce));
    }
    case 'message':
      return securityHeaders(reply.status(out.status), `${base}; form-action 'none'`)
        .send(page(out.title, `<h1>${esc(out.title)}</h1><p${out.status >= 400 ? ' role="alert"' : ''}>${esc(out.message)}</p>`, nonce));
    case 'form': {
      const secure = req.protocol === 'https' ? '; Secure' : '';
      const formAction = `'self'${out.form.redirectOrigin ? ` ${out.form.redirectOrigin}` : ''}`;
      return securityHeaders(reply.status(out.status), `${base}; form-action ${formAction}`)
        .header('Set-Cookie', `${SIGN_IN_COOKIE}=${out.browserToken}; Path=/; HttpOnly; SameSite=Lax${secure}`)
        .send(page(out.form.step === 'device-code' ? 'Enter code' : 'Sign in', formBody(out.form), nonce));
    }
  }
}
