/**
 * Network connections into DeviceNetworkEvents, with the owning process: every interval the
 * collector reads /proc/net/{tcp,tcp6,udp,udp6} and emits the sockets it had not seen before —
 * `ConnectionSuccess` (outbound), `InboundConnectionAccepted` (to a local listening port) and
 * `ListeningConnectionCreated` — naming the process that holds the socket (its inode found under
 * /proc/PID/fd) with its image hashes. Sockets present when it starts are its baseline, not events.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Collector, CollectorLog, Emit } from './collector.ts';
import { ImageHasher } from './image-hash.ts';
import { readProcInfo } from './proc-info.ts';
import { commandLineOf } from './process.ts';
import { UserNames } from './users.ts';

/** One socket of /proc/net/*. */
export interface SocketEntry {
  protocol: 'Tcp' | 'Udp';
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  /** The kernel's state number (TCP: 01 established, 0A listen; UDP: 07 unconnected, 01 connected). */
  state: number;
  uid: number;
  inode: number;
}

/** An address of /proc/net/* (little-endian 32-bit words in hex) as text; IPv4-mapped IPv6 as IPv4. */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // the longest run of zero groups becomes '::'
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses one /proc/net/{tcp,tcp6,udp,udp6} file. */
export function parseProcNet(text: string, protocol: 'Tcp' | 'Udp'): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [lip, lport] = f[1].split(':');
    const [rip, rport] = f[2].split(':');
    out.push({
      protocol,
      localIp: decodeAddress(lip), localPort: parseInt(lport, 16),
      remoteIp: decodeAddress(rip), remotePort: parseInt(rport, 16),
      state: parseInt(f[3], 16), uid: Number(f[7]), inode: Number(f[9]),
    });
  }
  return out;
}

const TCP_ESTABLISHED = 0x01;
const TCP_SYN_SENT = 0x02;
const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;

/** What a socket is, as DeviceNetworkEvents' ActionType says; null for sockets not worth an event (closing, time-wait). */
function actionOf(s: SocketEntry, listening: Set<string>): string | null {
  if (s.inode === 0) return null;
  if (s.protocol === 'Tcp') {
    if (s.state === TCP_LISTEN) return 'ListeningConnectionCreated';
    if (s.state !== TCP_ESTABLISHED && s.state !== TCP_SYN_SENT) return null;
    return listening.has(`Tcp:${s.localPort}`) ? 'InboundConnectionAccepted' : 'ConnectionSuccess';
  }
  if (s.state === UDP_UNCONNECTED && s.remotePort === 0) return 'ListeningConnectionCreated';
  return 'ConnectionSuccess';
}

/** Options of {@link NetworkCollector}. */
export interface NetworkCollectorOptions {
  /** Milliseconds between reads of /proc/net. Default 1,000. */
  intervalMs?: number;
  hasher?: ImageHasher;
}

/** The connection collector. */
export class NetworkCollector implements Collector {
  readonly name = 'network';
  private timer: NodeJS.Timeout | null = null;
  private known = new Set<string>();
  private readonly hasher: ImageHasher;
  private readonly users = new UserNames();
  private readonly host = hostname();
  private busy: Promise<void> = Promise.resolve();
  /** Pids that owned new sockets lately, most recent last (at most 64). */
  private readonly recentOwners: number[] = [];

  constructor(private readonly opts: NetworkCollectorOptions = {}) {
    this.hasher = opts.hasher ?? new ImageHasher();
  }

  async start(emit: Emit, log: CollectorLog): Promise<void> {
    const first = await this.read();
    if (first.length === 0) throw new Error('/proc/net/tcp cannot be read');
    this.known = new Set(first.map(keyOf));
    this.timer = setInterval(() => {
      this.busy = this.busy.then(() => this.tick(emit)).catch((e: unknown) => log.warn('reading connections failed', { error: (e as Error).message }));
    }, this.opts.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
  }

  private async read(): Promise<SocketEntry[]> {
    const files: [string, 'Tcp' | 'Udp'][] = [['/proc/net/tcp', 'Tcp'], ['/proc/net/tcp6', 'Tcp'], ['/proc/net/udp', 'Udp'], ['/proc/net/udp6', 'Udp']];
    const texts = await Promise.all(files.map(([f]) => readFile(f, 'utf8').catch(() => '')));
    return texts.flatMap((t, i) => parseProcNet(t, files[i][1]));
  }

  private async tick(emit: Emit): Promise<void> {
    const now = await this.read();
    const keys = new Set(now.map(keyOf));
    const fresh = now.filter((s) => !this.known.has(keyOf(s)));
    this.known = keys;
    if (fresh.length === 0) return;
    const listening = new Set(now.filter((s) => s.protocol === 'Tcp' && s.state === TCP_LISTEN).map((s) => `Tcp:${s.localPort}`));
    const events = fresh.map((s) => ({ s, action: actionOf(s, listening) })).filter((e) => e.action !== null);
    if (events.length === 0) return;
    const owners = await socketOwners(new Set(events.map((e) => e.s.inode)), this.recentOwners);
    for (const pid of new Set(owners.values())) {
      const i = this.recentOwners.indexOf(pid);
      if (i >= 0) this.recentOwners.splice(i, 1);
      this.recentOwners.push(pid);
    }
    if (this.recentOwners.length > 64) this.recentOwners.splice(0, this.recentOwners.length - 64);
    for (const { s, action } of events) {
      const pid = owners.get(s.inode);
      if (pid === process.pid) continue; // the sensor's own connections to its server
      const p = pid === undefined ? null : await readProcInfo(pid);
      const h = p?.exe ? await this.hasher.hash(p.exe) : null;
      emit('DeviceNetworkEvents', {
        ActionType: action,
        RemoteIP: s.remoteIp,
        RemotePort: s.remotePort,
        LocalIP: s.localIp,
        LocalPort: s.localPort,
        Protocol: s.protocol,
        InitiatingProcessSHA1: h?.sha1,
        InitiatingProcessSHA256: h?.sha256,
        InitiatingProcessMD5: h?.md5,
        InitiatingProcessFileName: p?.exe ? basename(p.exe) : undefined,
        InitiatingProcessFileSize: h?.size,
        InitiatingProcessId: pid,
        InitiatingProcessCommandLine: p?.cmdline ? commandLineOf(p.cmdline) : undefined,
        InitiatingProcessCreationTime: p?.startMs === undefined ? undefined : new Date(p.startMs).toISOString(),
        InitiatingProcessFolderPath: p?.exe,
        InitiatingProcessParentId: p?.ppid,
        InitiatingProcessAccountDomain: this.host,
        InitiatingProcessAccountName: this.users.name(p?.uid ?? s.uid),
      });
    }
  }
}

const keyOf = (s: SocketEntry) => `${s.protocol}|${s.localIp}|${s.localPort}|${s.remoteIp}|${s.remotePort}|${s.state === TCP_LISTEN ? 'L' : ''}|${s.inode}`;

/**
 * Socket inode → pid, for the inodes asked, from the links under /proc/PID/fd. The processes that
 * owned sockets lately (`likely`, most recent last) are looked at first, and the walk stops once
 * every inode is found: a busy host's new connections mostly belong to the same few processes.
 */
async function socketOwners(inodes: Set<number>, likely: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const all = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d)).map(Number);
  const first = [...likely].reverse();
  const order = [...first, ...all.filter((p) => !first.includes(p))];
  for (const pid of order) {
    if (out.size === inodes.size) break;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(Number(m[1])) && !out.has(Number(m[1]))) out.set(Number(m[1]), pid);
    }
  }
  return out;
}
