/**
 * A real client against the real process: @azure/msal-node gets a token from `palisade serve`
 * (authority https://localhost:PORT/{tenant}, knownAuthorities, our CA trusted through a custom
 * network client) and lists machines. Also: admin commands work while the server runs, state
 * survives a restart, and SIGTERM shuts down cleanly.
 */
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

function caNetworkClient(ca: string): INetworkModule {
  const send = <T>(method: string, url: string, options?: NetworkRequestOptions) =>
    new Promise<NetworkResponse<T>>((resolve, reject) => {
      const body = options?.body;
      const req = https.request(url, { method, ca, headers: { ...(options?.headers ?? {}), ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({ headers, body: JSON.parse(data) as T, status: res.statusCode ?? 0 });
        });
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  return { sendGetRequestAsync: (u, o) => send('GET', u, o), sendPostRequestAsync: (u, o) => send('POST', u, o) };
}

function getJson(url: string, ca: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(d) }));
    }).on('error', reject);
  });
}

let srv: ServerProcess;
beforeAll(async () => {
  srv = await startServerProcess();
}, 120_000);
afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

describe('msal-node against palisade serve', () => {
  it('acquires a token by client credentials and lists machines', async () => {
    const creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'msal-e2e', '--permissions', 'Machine.Read.All', '--json']));
    expect(creds.tenantId).toBe(srv.tenantId);
    const host = `localhost:${srv.port}`;
    const cca = new ConfidentialClientApplication({
      auth: { clientId: creds.clientId, clientSecret: creds.clientSecret, authority: `https://${host}/${creds.tenantId}`, knownAuthorities: [host] },
      system: { networkClient: caNetworkClient(srv.ca) },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: ['https://api.securitycenter.microsoft.com/.default'] });
    expect(result?.accessToken).toBeTruthy();
    const res = await getJson(`https://${host}/api/machines`, srv.ca, result!.accessToken);
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toBe(`https://${host}/api/$metadata#Machines`);
    expect(Array.isArray(res.body.value)).toBe(true);
  });

  it('keeps tenants and apps across a restart, and lists them as JSON', async () => {
    const tenants = JSON.parse(await srv.cli(['admin', 'tenant', 'list', '--json']));
    expect(tenants).toEqual([{ tenantId: srv.tenantId, name: 'Default' }]);
    const apps = JSON.parse(await srv.cli(['admin', 'app', 'list', '--json']));
    expect(apps.map((a: { name: string }) => a.name)).toContain('msal-e2e');
    expect(await srv.stop()).toBe(0);
    srv = await startServerProcess({ dataDir: srv.dataDir });
    expect(JSON.parse(await srv.cli(['admin', 'tenant', 'list', '--json']))).toHaveLength(1);
    expect(JSON.parse(await srv.cli(['admin', 'app', 'list', '--json'])).map((a: { name: string }) => a.name)).toContain('msal-e2e');
  }, 120_000);
});
