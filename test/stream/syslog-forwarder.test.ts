/**
 * The syslog output of alert changes against listeners this test runs on 127.0.0.1 (UDP, TCP and
 * TLS): each new alert and each update arrives once as an RFC 5424 message carrying a CEF line
 * (octet-counted on TCP and TLS); a forwarder started again on the same store resumes from its
 * cursor, repeating nothing and losing nothing; an unreachable target moves no cursor.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/api/tls/certificates.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { AlertForwarder } from '../../src/services/alert-stream.ts';
import { createSyslogSink } from '../../src/stream/syslog/syslog-sink.ts';
import type { SyslogTarget } from '../../src/stream/syslog/transport.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** Messages a listener received, and a way to wait for a number of them. */
interface Listener {
  port: number;
  messages: string[];
  waitFor(n: number): Promise<string[]>;
  close(): Promise<void>;
}

function collector(): Pick<Listener, 'messages' | 'waitFor'> & { push(m: string): void } {
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  return {
    messages,
    push(m) {
      messages.push(m);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(n) {
      const deadline = Date.now() + 5000;
      while (messages.length < n && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
      return messages.slice();
    },
  };
}

/** Reads octet-counted frames (RFC 6587) from a stream socket. */
function readFrames(s: Socket, push: (m: string) => void): void {
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) return;
      const len = Number(buf.subarray(0, sp).toString('ascii'));
      if (buf.length < sp + 1 + len) return;
      push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      buf = buf.subarray(sp + 1 + len);
    }
  });
}

async function udpListener(): Promise<Listener> {
  const c = collector();
  const sock = createSocket('udp4');
  sock.on('message', (m) => c.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { ...c, port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}


async function tcpListener(): Promise<Listener> {
  const c = collector();
  const sockets = new Set<Socket>();
  const server = createServer((s) => { sockets.add(s); readFrames(s, c.push); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { ...c, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

async function tlsListener(tls: TlsMaterial): Promise<Listener> {
  const c = collector();
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: tls.cert, key: tls.key }, (s) => { sockets.add(s); readFrames(s, c.push); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { ...c, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

let h: Harness;
let machineId: string;
let tlsDir: string;
let tls: TlsMaterial;
let n = 0;
const raise = (title: string) => h.palisade.alerts.raise(systemCtx(h.tenantId), {
  dedupeKey: `test:${++n}`, title, description: 'line one\nline two = x', severity: 'High', category: 'Malware', detectionSource: 'CustomerTI', machineId,
  evidence: [{ entityType: 'File', sha1: 'ab'.repeat(20), sha256: 'cd'.repeat(32), fileName: 'evil.exe' }],
});
const forwarder = (target: SyslogTarget) => new AlertForwarder({ output: `syslog-${target.protocol}`, sink: createSyslogSink(target), store: h.state, alerts: h.palisade.alerts, settleMs: 0 });

beforeAll(async () => {
  h = await startHarness();
  machineId = (await h.addDevice({ computerDnsName: 'syslog-host' })).id;
  tlsDir = mkdtempSync(join(tmpdir(), 'palisade-syslog-tls-'));
  tls = await ensureTlsMaterial(tlsDir, ['127.0.0.1']);
});
afterAll(async () => {
  await h?.close();
  rmSync(tlsDir, { recursive: true, force: true });
});

describe.each(['udp', 'tcp', 'tls'] as const)('syslog over %s', (protocol) => {
  it('sends each new alert and each update once, as RFC 5424 + CEF, and resumes from its cursor', async () => {
    const listener = protocol === 'udp' ? await udpListener() : protocol === 'tcp' ? await tcpListener() : await tlsListener(tls);
    const target: SyslogTarget = { protocol, host: '127.0.0.1', port: listener.port, ...(protocol === 'tls' ? { ca: tls.ca } : {}) };
    try {
      const first = await raise(`first over ${protocol}`);
      await raise(`second over ${protocol}`);
      const f1 = forwarder(target);
      // every alert of the tenant so far (a new output starts at the oldest alert)
      const sent = await f1.runOnce();
      expect(sent).toBeGreaterThanOrEqual(2);
      const got = await listener.waitFor(sent);
      expect(got).toHaveLength(sent);
      const line = got.find((m) => m.includes(`first over ${protocol}`))!;
      expect(line).toMatch(/^<131>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ palisade \d+ alert-new - CEF:0\|Microsoft\|Microsoft Defender ATP\|2\.0\|CustomerTI\|first over \w+\|8\|/);
      expect(line).toContain(`externalId=${first.alert.id}`);
      expect(line).toContain('cat=Malware shost=syslog-host');
      expect(line).toContain(`fileHash=${'ab'.repeat(20)}`);
      expect(line).toContain('msg=line one\\nline two \\= x');
      expect(line).toContain('cs2Label=Status cs2=New');
      expect(await f1.runOnce()).toBe(0);
      // an update goes out once, as an update
      await new Promise((r) => setTimeout(r, 5));
      await h.palisade.alerts.update(h.operator(), first.alert.id, { status: 'Resolved', classification: 'TruePositive', determination: 'Malware' });
      expect(await f1.runOnce()).toBe(1);
      const update = (await listener.waitFor(sent + 1)).at(-1)!;
      expect(update).toContain(' alert-update - CEF:0|');
      expect(update).toContain('cs2=Resolved');
      await f1.stop();
      // a new forwarder on the same store (a restart) repeats nothing, then sends what is new
      const f2 = forwarder(target);
      expect(await f2.runOnce()).toBe(0);
      await raise(`third over ${protocol}`);
      expect(await f2.runOnce()).toBe(1);
      expect((await listener.waitFor(sent + 2)).at(-1)).toContain(`third over ${protocol}`);
      await f2.stop();
      expect(listener.messages).toHaveLength(sent + 2);
    } finally {
      await listener.close();
    }
  });
});

describe('an unreachable syslog target', () => {
  it('fails the round and keeps the cursor, so the alert goes out once the target is back', async () => {
    const listener = await tcpListener();
    const port = listener.port;
    await listener.close();
    await raise('while down');
    const target: SyslogTarget = { protocol: 'tcp', host: '127.0.0.1', port };
    const f = new AlertForwarder({ output: 'syslog-outage', sink: createSyslogSink(target), store: h.state, alerts: h.palisade.alerts, settleMs: 0 });
    await expect(f.runOnce()).rejects.toThrow();
    expect(await h.state.streamCursors.get('syslog-outage', h.tenantId)).toBeNull();
    await f.stop();
  });
});
