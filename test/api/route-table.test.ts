/**
 * Every route sits in the table of its surface: registering one outside the tables (directly or
 * from a plugin) fails at start, and the tabled routes are served under each prefix of their table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compose, type Palisade } from '../../src/compose.ts';

let dir = '';
let palisade: Palisade | null = null;

async function freshApp() {
  dir = mkdtempSync(join(tmpdir(), 'palisade-routes-'));
  palisade = await compose({ state: join(dir, 'state.db'), events: { path: ':memory:', retentionDays: 30 }, http: { throttle: false } });
  return palisade.app;
}

afterEach(async () => {
  await palisade?.close();
  palisade = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('route tables', () => {
  it('refuse a route registered outside every table', async () => {
    const app = await freshApp();
    expect(() => app.get('/api/rogue', async () => ({ leaked: true }))).toThrow(/declared in no surface table/);
    await app.close();
  });

  it('refuse an untabled route a plugin registers: the app fails to start', async () => {
    const app = await freshApp();
    void app.register(async (scope) => {
      scope.post('/sensor/v1/backdoor', async () => ({ ok: true }));
    });
    await expect(app.ready()).rejects.toThrow(/POST \/sensor\/v1\/backdoor is declared in no surface table/);
    await app.close().catch(() => undefined);
  });

  it('serve the tabled routes, the reference UI mount included', async () => {
    const app = await freshApp();
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1.0/machines' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/sensor/v1/heartbeat', payload: {} })).statusCode).toBe(401);
    const surfaces = app.routeTables.map((t) => t.surface);
    expect(surfaces).toEqual(['public', 'identity', 'sensor', 'api', 'graph']);
    await app.close();
  });
});
