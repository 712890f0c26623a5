/**
 * The web console's routes on the public surface: the built single-page app under `/console/`
 * (web/, built by `npm run build` into web/dist), its `config.json`, and `/` redirecting to it.
 *
 * The files carry no tenant data and need no credential: the console signs in in the browser
 * (authorization code + PKCE) and calls `/api/…` with the user's bearer token. Every answer carries
 * a strict Content-Security-Policy (scripts, workers and connections from this origin only; inline
 * styles allowed because the hunting editor inserts its own), no referrer (the authorization code
 * arrives in the URL) and no framing. Files under `/console/assets/` are named by their content's
 * hash and cached for a year; everything else is revalidated on each load. Text files go out
 * Brotli- or gzip-compressed when the browser takes it (compressed-files.ts). A path with no file
 * extension is one of the app's own pages and gets `index.html`.
 */
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_CLIENT_ID, CONSOLE_REDIRECT_PATH } from '../../../auth/console-client.ts';
import { PalisadeError } from '../../../domain/errors.ts';
import type { OpenRoute } from '../../route-table.ts';
import { CompressedFiles, pickEncoding } from './compressed-files.ts';

/** Where `npm run build` puts the console (web/vite.config.ts). */
export const CONSOLE_DIST = resolve(import.meta.dirname, '../../../../web/dist');

/** The Content-Security-Policy of every console answer. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** What the console routes read: the built files and the tenant the console signs in to. */
export interface ConsoleDeps {
  /** The folder of the built console (default CONSOLE_DIST). */
  dir?: string;
  /** The server's only tenant, or null when it has none or several (the console then asks). */
  soleTenantId: () => Promise<string | null>;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * The file a request path under `/console/` names inside `dir`, or null when the path is not a safe
 * relative path (`..`, a NUL, a backslash, an absolute part) or leaves `dir`.
 */
export function consoleFileOf(dir: string, rel: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.' || p.startsWith('..'))) return null;
  const root = resolve(dir);
  const file = resolve(root, ...parts);
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(files: CompressedFiles, req: FastifyRequest, reply: FastifyReply, file: string, immutable: boolean): Promise<FastifyReply> {
  const { body, encoding } = await files.read(file, pickEncoding(req.headers['accept-encoding']));
  if (encoding !== 'identity') reply.header('content-encoding', encoding);
  return secure(reply)
    .type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding')
    .send(body);
}

/** The console's routes for the public table. */
export function consoleRoutes(deps: ConsoleDeps): OpenRoute[] {
  const dir = deps.dir ?? CONSOLE_DIST;
  const index = join(dir, 'index.html');
  const files = new CompressedFiles();
  const serve = async (rel: string, req: FastifyRequest, reply: FastifyReply) => {
    const file = consoleFileOf(dir, rel);
    if (file === null) throw new PalisadeError('BadRequest', 'The console path is not valid');
    if (await isFile(file)) return sendFile(files, req, reply, file, rel.startsWith('assets/'));
    if (extname(file) !== '' || rel.startsWith('assets/')) throw new PalisadeError('NotFound', `The console has no file ${rel}`);
    if (!(await isFile(index))) {
      return secure(reply).status(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store')
        .send('The console is not built. Run `npm run build` in the Palisade folder (npm ci does it too).\n');
    }
    return sendFile(files, req, reply, index, false);
  };
  return [
    {
      method: 'GET', url: '/', auth: 'none', summary: 'Redirects to the web console',
      handler: async (_req, reply) => reply.redirect(CONSOLE_REDIRECT_PATH, 302),
    },
    {
      method: 'GET', url: '/console/config.json', auth: 'none', summary: "The console's sign-in settings: its client id and the server's only tenant (else null)",
      handler: async (_req, reply) => secure(reply).header('cache-control', 'no-store')
        .send({ clientId: CONSOLE_CLIENT_ID, tenantId: await deps.soleTenantId() }),
    },
    {
      method: 'GET', url: '/console', auth: 'none', summary: 'The web console',
      handler: async (req, reply) => serve('', req, reply),
    },
    {
      method: 'GET', url: '/console/*', auth: 'none', summary: "The web console's files; a page path gets the app's index.html",
      example: { params: { '*': 'index.html' } },
      handler: async (req, reply) => serve((req.params as { '*': string })['*'] ?? '', req, reply),
    },
  ];
}
