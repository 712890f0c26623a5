/**
 * Network namespaces for sensor tests (root only): a small topology the test creates and removes —
 * namespaces joined by veth pairs, with addresses only inside them — so that enforcement (nftables)
 * is only ever applied inside namespaces the test owns.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Runs `ip …` and returns its stdout; throws with its stderr on failure. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command inside namespace `ns`; resolves with its exit code and output. */
export function inNamespace(ns: string, file: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Whether a TCP connection from inside `ns` to host:port opens within 2 s. */
export async function canConnect(ns: string, host: string, port: number): Promise<boolean> {
  const r = await inNamespace(ns, 'timeout', ['2', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], 10_000);
  return r.code === 0;
}

/** A set of namespaces and processes that {@link Topology.destroy} removes. */
export class Topology {
  /** A random prefix so parallel runs never share names. */
  readonly tag = randomBytes(3).toString('hex');
  /** A random private 10.x.y prefix; link n uses 10.x.(y+n).0/24. */
  readonly net = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]! % 250}`;
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private links = 0;

  /** Creates a namespace (named `pal<tag><name>`) with loopback up; returns its name. */
  namespace(name: string): string {
    const ns = `pal${this.tag}${name}`;
    ip('netns', 'add', ns);
    this.namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    return ns;
  }

  /** Joins two namespaces with a veth pair on a /24 of its own; returns each end's address. */
  link(a: string, b: string): { a: string; b: string } {
    const n = this.links++;
    const [ifa, ifb] = [`v${this.tag}${n}a`, `v${this.tag}${n}b`];
    ip('link', 'add', ifa, 'netns', a, 'type', 'veth', 'peer', 'name', ifb, 'netns', b);
    const [o1, o2, o3] = this.net.split('.').map(Number) as [number, number, number];
    const ipA = `${o1}.${o2}.${(o3 + n) % 256}.1`;
    const ipB = `${o1}.${o2}.${(o3 + n) % 256}.2`;
    ip('-n', a, 'addr', 'add', `${ipA}/24`, 'dev', ifa);
    ip('-n', b, 'addr', 'add', `${ipB}/24`, 'dev', ifb);
    ip('-n', a, 'link', 'set', ifa, 'up');
    ip('-n', b, 'link', 'set', ifb, 'up');
    return { a: ipA, b: ipB };
  }

  /** Starts a TCP listener at host:port inside `ns` that answers "ok" and closes; resolves once it listens. */
  async listener(ns: string, host: string, port: number): Promise<void> {
    const code = `require('net').createServer((s)=>{s.on('error',()=>{});s.end('ok')}).listen(${port},'${host}',()=>console.log('up'))`;
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`listener in ${ns} exited ${c}`)));
    });
  }

  /** Stops the processes it started (by PID) and deletes its namespaces (their veths go with them). */
  destroy(): void {
    for (const c of this.children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      try { ip('netns', 'del', ns); } catch { /* already gone */ }
    }
  }
}
