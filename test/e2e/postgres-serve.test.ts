/**
 * `palisade serve --state postgres://…` as a real process on a real PostgreSQL: admin commands find
 * the state URL the server recorded, an app gets a token over HTTPS, machines written to the
 * database are listed through the API, and state survives a restart. Without PostgreSQL binaries
 * the suite is skipped with the reason shown — except in CI (CI=true), where that is a failure.
 */
import https from 'node:https';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerRecord, secretsKeyFor } from '../../src/cli/data-dir.ts';
import { openStateStore } from '../../src/store/state/open.ts';
import { deviceRecord } from '../support/harness.ts';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const bin = postgresBinDir();
if (!bin && process.env.CI === 'true') {
  throw new Error('PostgreSQL binaries are missing but CI=true: install the Debian package "postgresql" (see .ci/run)');
}
const skipReason = bin ? null : 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)';

interface Reply { status: number; body: any }

function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', ca, headers: opts.headers }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** A client-credentials token from the server's token endpoint. */
async function tokenFor(srv: ServerProcess, creds: { tenantId: string; clientId: string; clientSecret: string }): Promise<string> {
  const res = await request(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      scope: 'https://api.securitycenter.microsoft.com/.default',
    }).toString(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.token_type).toBe('Bearer');
  return res.body.access_token as string;
}

describe.skipIf(skipReason !== null)(`palisade serve on PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let postgres: TestPostgres;
  let stateUrl: string;
  let srv: ServerProcess;

  beforeAll(async () => {
    postgres = await startPostgres();
    stateUrl = await postgres.createDatabase();
    srv = await startServerProcess({ args: ['--state', stateUrl, '--log-level', 'error'] });
  }, 120_000);

  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
    await postgres?.stop();
  });

  it('records the PostgreSQL URL and keeps no SQLite state file', async () => {
    expect(readServerRecord(srv.dataDir)).toMatchObject({ stateUrl, url: srv.url, pid: srv.child.pid });
    expect(existsSync(join(srv.dataDir, 'palisade.db'))).toBe(false);
    const client = new pg.Client({ connectionString: stateUrl });
    await client.connect();
    try {
      const tenants = await client.query('select tenant_id, name from tenants');
      expect(tenants.rows).toEqual([{ tenant_id: srv.tenantId, name: 'Default' }]);
      // the tenant's private signing key is sealed with the key file of the data directory, not in the database
      const keys = await client.query('select private_jwk from signing_keys');
      expect(keys.rows.length).toBeGreaterThan(0);
      for (const r of keys.rows as { private_jwk: string }[]) expect(r.private_jwk).toMatch(/^enc:v1:/);
      expect(existsSync(secretsKeyFor(srv.dataDir))).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('creates an app with the CLI, issues a token over HTTPS and lists machines from the database', async () => {
    const creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'pg-e2e', '--permissions', 'Machine.Read.All', '--json']));
    expect(creds).toMatchObject({ tenantId: srv.tenantId, clientId: expect.any(String), clientSecret: expect.any(String) });

    // Devices written straight into PostgreSQL are what the server lists.
    const store = await openStateStore(stateUrl, { secretsKey: secretsKeyFor(srv.dataDir) });
    const now = Date.now();
    const written = [];
    try {
      for (let i = 0; i < 3; i++) {
        const d = deviceRecord(srv.tenantId, {
          computerDnsName: `pg-host-${i}.contoso.com`,
          lastSeen: new Date(now - i * 60_000).toISOString(),
          sensorHealth: i === 2 ? 'ImpairedCommunication' : 'Active',
          machineTags: i === 0 ? ['pg', 'e2e'] : [],
        });
        d.id = `${'e2e0'}${String(i).padStart(36, '0')}`;
        await store.devices.insert(d);
        written.push(d);
      }
    } finally {
      await store.close();
    }

    const token = await tokenFor(srv, creds);
    const auth = { authorization: `Bearer ${token}` };
    const all = await request(`${srv.url}/api/machines`, srv.ca, { headers: auth });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body['@odata.context']).toMatch(/\/api\/\$metadata#Machines$/);
    expect(all.body.value.map((m: { id: string }) => m.id)).toEqual(written.map((d) => d.id));
    expect(all.body.value[0]).toMatchObject({ computerDnsName: 'pg-host-0.contoso.com', healthStatus: 'Active', machineTags: ['pg', 'e2e'] });

    const filter = encodeURIComponent("healthStatus eq 'Active'");
    const active = await request(`${srv.url}/api/machines?$filter=${filter}&$top=1&$count=true`, srv.ca, { headers: auth });
    expect(active.status, JSON.stringify(active.body)).toBe(200);
    expect(active.body.value.map((m: { id: string }) => m.id)).toEqual([written[0].id]);

    const one = await request(`${srv.url}/api/machines/${written[2].id}`, srv.ca, { headers: auth });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: written[2].id, healthStatus: 'ImpairedCommunication' });

    const denied = await request(`${srv.url}/api/machines`, srv.ca, { headers: { authorization: 'Bearer nope' } });
    expect(denied.status).toBe(401);
  });

  it('keeps tenants and apps in PostgreSQL across a restart', async () => {
    expect(await srv.stop()).toBe(0);
    srv = await startServerProcess({ dataDir: srv.dataDir, args: ['--state', stateUrl, '--log-level', 'error'] });
    expect(JSON.parse(await srv.cli(['admin', 'tenant', 'list', '--json']))).toEqual([{ tenantId: srv.tenantId, name: 'Default' }]);
    const apps = JSON.parse(await srv.cli(['admin', 'app', 'list', '--json'])) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['pg-e2e']);
    expect(existsSync(join(srv.dataDir, 'palisade.db'))).toBe(false);
  }, 120_000);
});
