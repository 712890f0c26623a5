/**
 * Isolate / Unisolate on a real nftables, confined to network namespaces this test creates: a
 * sensor host joined to a server host and to a third host. The handler runs inside the sensor's
 * namespace (`ip netns exec`), so its table exists only there. Runs as root.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolationRuleset, ISOLATION_TABLE } from '../../src/sensor/actions/isolation.ts';
import { canConnect, inNamespace, Topology } from './support/netns.ts';

const RUNNER = resolve(import.meta.dirname, 'support/run-action.ts');
const PORT = 8443;
const OTHER_PORT = 8080;

describe('isolation in network namespaces', () => {
  const topo = new Topology();
  const stateDir = mkdtempSync(join(tmpdir(), 'pal-iso-'));
  let sensor = '';
  let server = { ns: '', ip: '' };
  let third = { ns: '', ip: '' };
  let n = 0;

  const act = async (type: string, scope: string | null, host: string, port = PORT, resume = false) => {
    const action = { id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, type, scope, comment: 'test', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    const spec = JSON.stringify({ action, stateDir, serverAddress: { host, port }, resume });
    const r = await inNamespace(sensor, process.execPath, ['--import', 'tsx', RUNNER, spec], 60_000);
    if (r.code !== 0) throw new Error(`handler run failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { status: string; message?: string; resumed?: string | null };
  };
  const tableExists = async () => (await inNamespace(sensor, 'nft', ['list', 'table', 'inet', ISOLATION_TABLE])).code === 0;

  beforeAll(async () => {
    sensor = topo.namespace('sen');
    const srvNs = topo.namespace('srv');
    const thirdNs = topo.namespace('oth');
    server = { ns: srvNs, ip: topo.link(sensor, srvNs).b };
    third = { ns: thirdNs, ip: topo.link(sensor, thirdNs).b };
    await topo.listener(srvNs, server.ip, PORT);
    await topo.listener(thirdNs, third.ip, OTHER_PORT);
    await topo.listener(thirdNs, third.ip, PORT);
  });
  afterAll(() => {
    topo.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('Full isolation cuts the third host off but keeps the server; unisolate restores it', async () => {
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(true);
    expect(await canConnect(sensor, server.ip, PORT)).toBe(true);

    const isolated = await act('Isolate', 'Full', server.ip);
    expect(isolated.status).toBe('Succeeded');
    expect(await tableExists()).toBe(true);
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(false);
    // the same port on another host stays closed: only the server's address is let through
    expect(await canConnect(sensor, third.ip, PORT)).toBe(false);
    expect(await canConnect(sensor, server.ip, PORT)).toBe(true);

    // a reboot empties nftables; the sensor's start puts the isolation back from its state directory
    expect((await inNamespace(sensor, 'nft', ['delete', 'table', 'inet', ISOLATION_TABLE])).code).toBe(0);
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(true);
    expect((await act('Isolate', null, server.ip, PORT, true)).resumed).toBe('this device is isolated (Full): the isolation in force before the restart is applied again');
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(false);
    expect(await canConnect(sensor, server.ip, PORT)).toBe(true);

    // isolating again replaces the table in one transaction
    expect((await act('Isolate', 'Selective', server.ip)).status).toBe('Succeeded');
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(false);

    const lifted = await act('Unisolate', null, server.ip);
    expect(lifted).toMatchObject({ status: 'Succeeded', message: 'Isolation removed' });
    expect(await tableExists()).toBe(false);
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(true);
    expect((await act('Unisolate', null, server.ip)).message).toBe('The device was not isolated');
    expect((await act('Isolate', null, server.ip, PORT, true)).resumed).toBeNull();
  });

  it('rolls back when the server is unreachable with isolation applied', async () => {
    const r = await act('Isolate', 'Full', server.ip, 9);
    expect(r.status).toBe('Failed');
    expect(r.message).toMatch(/rolled back/);
    expect(await tableExists()).toBe(false);
    expect(await canConnect(sensor, third.ip, OTHER_PORT)).toBe(true);
  });

  it('leaves the tables of others alone', async () => {
    await inNamespace(sensor, 'nft', ['add', 'table', 'inet', 'someone_else']);
    expect((await act('Isolate', 'Full', server.ip)).status).toBe('Succeeded');
    expect((await act('Unisolate', null, server.ip)).status).toBe('Succeeded');
    const tables = (await inNamespace(sensor, 'nft', ['list', 'tables'])).stdout;
    expect(tables).toContain('someone_else');
    expect(tables).not.toContain(ISOLATION_TABLE);
  });

  it('writes rulesets nft accepts, Selective keeping DNS and DHCP', async () => {
    const selective = isolationRuleset({ scope: 'Selective', serverIps: ['192.0.2.1', '2001:db8::1'], serverPort: 443, dns: true, dhcp: true });
    expect(selective).toContain('udp dport 53 accept');
    expect(selective).toContain('udp sport 68 udp dport 67 accept');
    expect(selective).toContain('ip6 daddr 2001:db8::1 tcp dport 443 accept');
    const full = isolationRuleset({ scope: 'Full', serverIps: ['192.0.2.1'], serverPort: 443, dns: false, dhcp: false });
    expect(full).not.toContain('dport 53');
    for (const script of [selective, full]) {
      // -c: checked by the kernel inside the test's namespace, not committed
      const r = execFileSync('ip', ['netns', 'exec', sensor, 'nft', '-c', '-f', '-'], { input: script, encoding: 'utf8' });
      expect(r).toBe('');
    }
  });
});
