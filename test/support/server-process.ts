/**
 * Runs `palisade serve` as a real child process on 127.0.0.1 with a free port and a temp data
 * directory; stop() sends SIGTERM to its PID and waits for it to exit (SIGKILL after 10 s).
 * With `netns`, the server runs inside that network namespace (one the test created), on the
 * namespace's own loopback, where sensors in the namespace reach it (`innerUrl`); the test reaches it
 * at `url`, a port on this namespace's 127.0.0.1 relayed over a Unix socket (which crosses network
 * namespaces) to the server, so no address is added outside the test's namespace.
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import type { OnboardingPackage } from '../../src/sensor/transport/onboarding-package.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/palisade.cjs');
const run = promisify(execFile);

export interface ServerProcess {
  /** Where the test reaches the server. */
  url: string;
  /** Where the server says it listens: `url`, or with `netns` its address inside the namespace (for sensors there). */
  innerUrl: string;
  port: number;
  tenantId: string;
  dataDir: string;
  ca: string;
  child: ChildProcess;
  /** Runs a palisade CLI command against this data directory and returns stdout. */
  cli(args: string[], env?: Record<string, string>): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
  /** Enrolls one device through a fresh onboarding package (of `tenant`, else the default tenant). */
  enrollDevice(computerDnsName: string, tenant?: string): Promise<DeviceCredentials>;
}

/** A device's id and credential, as enrollment returns them. */
export interface DeviceCredentials {
  deviceId: string;
  deviceCredential: string;
}

/** The answer to one HTTPS request: status, body text and the milliseconds it took. */
export interface HttpsAnswer {
  status: number;
  body: string;
  ms: number;
}

/**
 * One POST over HTTPS trusting `ca`, on a fresh connection (no keep-alive agent, so a killed server
 * never leaves a pooled socket behind); `signal` abandons it, destroying the socket.
 */
export function httpsPost(url: string, ca: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpsAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers, agent: false, signal }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: d, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One request of any method over HTTPS trusting `ca`, on a fresh connection (see httpsPost). */
export function httpsRequest(method: string, url: string, ca: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<HttpsAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers, agent: false }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: d, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts a server; resolves when it prints its start line. */
/**
 * Stops a child process this test started, by its PID: `signal`, then SIGKILL after 10 s; resolves
 * with its exit code (`exited` is its exit promise, taken when it was spawned).
 */
export async function stopChild(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

/** Pipes two sockets into each other; either end's error or close ends both. */
function splice(a: Socket, b: Socket): void {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.pipe(b).pipe(a);
}

/**
 * Relays 127.0.0.1:<free port> of this namespace to 127.0.0.1:`port` inside `netns`: a Unix socket
 * served by a small relay process started in the namespace, and a TCP listener here dialling it.
 */
async function relayInto(netns: string, port: number, dir: string): Promise<{ port: number; close(): Promise<void> }> {
  const sock = join(dir, `relay-${port}.sock`);
  const code = `const n=require('net');n.createServer((c)=>{const u=n.connect(${port},'127.0.0.1');c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());c.pipe(u).pipe(c)}).listen(${JSON.stringify(sock)},()=>console.log('up'))`;
  const relay = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    relay.stdout!.once('data', () => res());
    relay.once('exit', (c) => rej(new Error(`the relay into ${netns} exited with ${c}`)));
  });
  const open = new Set<Socket>();
  const outer: Server = createServer((c) => {
    const u = connect(sock);
    for (const x of [c, u]) {
      open.add(x);
      x.once('close', () => open.delete(x));
    }
    splice(c, u);
  });
  await new Promise<void>((res) => outer.listen(0, '127.0.0.1', () => res()));
  return {
    port: (outer.address() as { port: number }).port,
    async close() {
      const closed = new Promise<void>((res) => outer.close(() => res()));
      for (const x of open) x.destroy();
      await closed;
      if (relay.exitCode === null && relay.signalCode === null) {
        const gone = new Promise<void>((res) => relay.once('exit', () => res()));
        relay.kill('SIGKILL');
        await gone;
      }
    },
  };
}

export async function startServerProcess(opts: { dataDir?: string; args?: string[]; env?: Record<string, string>; netns?: string } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'palisade-e2e-'));
  const argv = [BIN, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', ...(opts.args ?? [])];
  // `ip netns exec` execs the command: the child's PID is the server's
  const child = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, process.execPath, ...argv], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /^Palisade .*$/m.exec(out);
      if (m) { clearTimeout(timer); res(m[0]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited with ${code}: ${err}`)); });
  });
  const innerUrl = /https:\/\/\S+?:\d+/.exec(line)![0];
  const relay = opts.netns ? await relayInto(opts.netns, Number(new URL(innerUrl).port), dataDir) : null;
  const url = relay ? `https://127.0.0.1:${relay.port}` : innerUrl;
  const tenantId = /tenant ([0-9a-f-]{36})/.exec(line)![1];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const srv: ServerProcess = {
    url,
    innerUrl,
    port: Number(new URL(url).port),
    tenantId,
    dataDir,
    ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'),
    child,
    async cli(args, env) {
      const { stdout } = await run(process.execPath, [BIN, ...args, '--data', dataDir], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    },
    async stop(signal = 'SIGTERM') {
      await relay?.close();
      return stopChild(child, exited, signal);
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
    async enrollDevice(computerDnsName, tenant) {
      const pkgPath = join(dataDir, `onboarding-${computerDnsName}.json`);
      await srv.cli(['admin', 'onboarding-package', ...(tenant ? ['--tenant', tenant] : []), '--out', pkgPath]);
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as OnboardingPackage;
      // the package names the server as sensors reach it; this process reaches it at `url`
      const c = SensorClient.fromOnboardingPackage({ ...pkg, serverUrl: url });
      try {
        const r = await c.enroll(pkg, { computerDnsName, osPlatform: 'Linux' } as never);
        return { deviceId: r.deviceId, deviceCredential: r.deviceCredential };
      } finally {
        c.close();
      }
    },
  };
  return srv;
}
