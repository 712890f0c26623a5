/**
 * The composition root wires by role: each role's surfaces and parts are present exactly when the
 * role is, every process serves the public surface, and `serve --roles` accepts only known roles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compose, parseRoles, ROLES, type Palisade, type Role } from '../../src/compose.ts';
import { operatorCtx } from '../../src/domain/context.ts';
import type { Counters } from '../../src/domain/ports.ts';
import { createMemoryCounters } from '../../src/store/counters/memory-counters.ts';

const dirs: string[] = [];
const opened: Palisade[] = [];

async function composed(roles?: Role[], more: { dir?: string; counters?: Counters; throttle?: boolean } = {}): Promise<Palisade> {
  const dir = more.dir ?? mkdtempSync(join(tmpdir(), 'palisade-roles-'));
  if (!more.dir) dirs.push(dir);
  const p = await compose({
    roles, state: join(dir, 'state.db'), events: { path: ':memory:', retentionDays: 30 }, counters: more.counters, http: { throttle: more.throttle ?? false },
  });
  opened.push(p);
  await p.app.ready();
  return p;
}

afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const status = async (p: Palisade, method: 'GET' | 'POST', url: string) => (await p.app.inject({ method, url, payload: method === 'POST' ? {} : undefined })).statusCode;

describe('composition by role', () => {
  it('runs every role by default', async () => {
    const p = await composed();
    expect([...p.roles]).toEqual([...ROLES]);
    expect(p.app.routeTables.map((t) => t.surface)).toEqual(['public', 'identity', 'sensor', 'api', 'graph']);
    expect(p.events.ingest && p.events.eventWriter && p.events.feed && p.events.hunting).toBeTruthy();
  });

  it('an api process serves the api, graph and identity surfaces, hunting included, and no sensor surface', async () => {
    const p = await composed(['api']);
    expect(p.app.routeTables.map((t) => t.surface)).toEqual(['public', 'identity', 'api', 'graph']);
    expect(await status(p, 'GET', '/api/machines')).toBe(401);
    expect(await status(p, 'POST', '/api/advancedqueries/run')).toBe(401);
    expect(await status(p, 'GET', '/healthz')).toBe(200);
    expect(await status(p, 'POST', '/sensor/v1/heartbeat')).toBe(404);
    expect(p.events.hunting).not.toBeNull();
    expect(p.events.ingest).toBeNull();
    expect(p.events.feed).toBeNull();
  });

  it('a gateway and pipeline process serves the sensor surface and ingests, and no api', async () => {
    const p = await composed(['gateway', 'pipeline']);
    expect(p.app.routeTables.map((t) => t.surface)).toEqual(['public', 'sensor']);
    expect(await status(p, 'POST', '/sensor/v1/heartbeat')).toBe(401);
    // an MDE route this process does not serve answers as one Palisade does not serve (src/api/unrouted.ts)
    const api = await p.app.inject({ method: 'GET', url: '/api/machines' });
    expect(api.statusCode).toBe(403);
    expect(api.json().error.code).toBe('DisabledFeature');
    expect(api.json().error.message).toBe('GET /api/machines (List machines) is not served by this Palisade process (it runs without the api role)');
    expect(p.events.ingest).not.toBeNull();
    expect(p.events.feed).not.toBeNull();
    expect(p.events.hunting).toBeNull();
  });

  it('a scheduler alone serves only the public surface', async () => {
    const p = await composed(['scheduler']);
    expect(p.app.routeTables.map((t) => t.surface)).toEqual(['public']);
    expect(await status(p, 'GET', '/healthz')).toBe(200);
    // it runs the custom detection rules, through a hunting service of its own (no feed: no near-real-time rules here)
    expect(p.detection).not.toBeNull();
    expect(p.events.hunting).not.toBeNull();
    expect(p.events.feed).toBeNull();
  });

  it('refuses a gateway without the pipeline it hands batches to', async () => {
    await expect(composed(['gateway'])).rejects.toThrow(/gateway role needs the pipeline role/);
  });

  it('two api processes given one Counters share a tenant\'s call quota', async () => {
    const counters = createMemoryCounters();
    const first = await composed(['api'], { counters, throttle: true });
    const second = await composed(['api'], { dir: dirs[dirs.length - 1], counters, throttle: true });
    const tenant = await first.tenants.createTenant(operatorCtx('9b2c7a10-5f3e-4c1d-8a6b-0e1f2a3b4c5d', 'test'), 'Shared');
    const app = await first.tenants.createApp(operatorCtx(tenant.id, 'test'), 'reader', ['Machine.Read.All']);
    const token = (await first.app.inject({
      method: 'POST', url: `/${tenant.id}/oauth2/v2.0/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(),
    })).json().access_token as string;
    const get = (p: Palisade) => p.app.inject({ method: 'GET', url: '/api/machines', headers: { authorization: `Bearer ${token}` } });
    // MDE's default quota is 100 calls a minute per tenant and API, whichever process answers
    for (let i = 0; i < 50; i++) {
      expect((await get(first)).statusCode).toBe(200);
      expect((await get(second)).statusCode).toBe(200);
    }
    for (const p of [first, second]) {
      const refused = await get(p);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.message).toMatch(/100 calls per minute/);
    }
  });

  it('parses role lists', () => {
    expect(parseRoles('api, Gateway,api')).toEqual(['api', 'gateway']);
    expect(() => parseRoles('api,web')).toThrow("Unknown role 'web'; the roles are api, gateway, pipeline, scheduler");
    expect(() => parseRoles(' , ')).toThrow(/at least one role/);
  });
});
