/**
 * A real client against the real process: @azure/msal-node gets a token from `palisade serve`
 * (authority https://localhost:PORT/{tenant}, knownAuthorities, our CA trusted through a custom
 * network client) and lists machines. Also: admin commands work while the server runs, state
 * survives a restart, and SIGTERM shuts down cleanly.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { caNetworkClient, getJson } from '../support/msal-network.ts';

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
