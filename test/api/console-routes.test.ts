/**
 * The console's routes on the public surface (src/api/routes/console/routes.ts): files with their
 * types, cache headers and CSP, page paths answered with index.html, paths that leave the folder
 * refused, config.json naming the console client and the only tenant, `/` redirecting.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../../src/auth/console-client.ts';
import { consoleFileOf } from '../../src/api/routes/console/routes.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
const BIG_JS = 'export const tables = ["DeviceProcessEvents", "DeviceNetworkEvents"];\n'.repeat(500);
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Palisade</title>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'editor.worker-x1.js'), 'self.onmessage = () => {}');
  writeFileSync(join(dir, 'assets', 'codicon-Z9.ttf'), 'ttf');
  writeFileSync(join(dir, 'assets', 'hunting-Q7.js'), BIG_JS);
  writeFileSync(join(tmpdir(), 'palisade-console-secret.txt'), 'hidden-file-content-7f3a');
  h = await startHarness({ consoleDir: dir });
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'palisade-console-secret.txt'), { force: true });
});

describe('console routes', () => {
  it('serves the app with a strict CSP, no referrer and revalidation', async () => {
    for (const url of ['/console/', '/console', '/console/devices/abc', '/console/alerts?status=New']) {
      const r = await h.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['content-security-policy']).toContain("worker-src 'self'");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.body).toContain('<title>Palisade</title>');
    }
  });

  it('serves hashed assets with their types, cached for a year, names matched exactly', async () => {
    const js = await h.app.inject({ url: '/console/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await h.app.inject({ url: '/console/assets/editor.worker-x1.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await h.app.inject({ url: '/console/assets/codicon-Z9.ttf' })).headers['content-type']).toBe('font/ttf');
    expect((await h.app.inject({ url: '/console/assets/index-abc123.js' })).statusCode).toBe(404);
    const missing = await h.app.inject({ url: '/console/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NotFound');
    expect((await h.app.inject({ url: '/console/assets/page' })).statusCode).toBe(404);
  });

  it('sends text files Brotli- or gzip-compressed as the browser accepts, and varies on it', async () => {
    const url = '/console/assets/hunting-Q7.js';
    const br = await h.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(BIG_JS);
    const gz = await h.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(BIG_JS);
    const plain = await h.app.inject({ url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_JS);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('never serves a file outside its folder', async () => {
    for (const url of ['/console/../palisade-console-secret.txt', '/console/%2e%2e/palisade-console-secret.txt', '/console/..%2fpalisade-console-secret.txt',
      '/console/assets/..%5c..%5cpalisade-console-secret.txt', '/console/%00', '/console/%E0%A4%A']) {
      const r = await h.app.inject({ url });
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, url).toBeLessThan(500);
      expect(r.body).not.toContain('hidden-file-content-7f3a');
    }
    expect(consoleFileOf('/srv/c', 'a/../../x')).toBeNull();
    expect(consoleFileOf('/srv/c', 'assets/x.js')).toBe('/srv/c/assets/x.js');
  });

  it('answers config.json with the console client and the only tenant', async () => {
    const r = await h.app.inject({ url: '/console/config.json' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual({ clientId: CONSOLE_CLIENT_ID, tenantId: h.tenantId });
    await h.newTenant('Second');
    expect((await h.app.inject({ url: '/console/config.json' })).json()).toEqual({ clientId: CONSOLE_CLIENT_ID, tenantId: null });
  });

  it('redirects / to the console', async () => {
    const r = await h.app.inject({ url: '/' });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe('/console/');
  });
});
