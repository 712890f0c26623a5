/**
 * The living process tree of one simulated device: boot processes, user sessions, and children
 * spawned by the rules in images.ts. Every process knows its parent, so events can carry the
 * InitiatingProcess* and InitiatingProcessParent* fields exactly as MDE relates them.
 */
import { createHash } from 'node:crypto';
import type { SimDevice, SimUser } from './fleet.ts';
import { catalogFor, type ImageSpec, type OsCatalog, type RunAs, type SpawnRule } from './images.ts';
import type { Rng } from './prng.ts';

/** The three hashes MDE records for a file, as lower-case hex. */
export interface FileHashes {
  sha1: string;
  sha256: string;
  md5: string;
}

/** Deterministic, well-formed hashes of a seed text (real digests of that text). */
export function hashesOf(seedText: string): FileHashes {
  return {
    sha1: createHash('sha1').update(seedText).digest('hex'),
    sha256: createHash('sha256').update(seedText).digest('hex'),
    md5: createHash('md5').update(seedText).digest('hex'),
  };
}

/** The security context a process runs in. Fields a platform lacks are undefined. */
export interface ProcAccount {
  domain: string;
  name: string;
  sid?: string;
  upn?: string;
  objectId?: string;
  logonId?: number;
  sessionId?: number;
  integrity?: 'System' | 'High' | 'Medium' | 'Low';
  elevation?: 'TokenElevationTypeDefault' | 'TokenElevationTypeLimited' | 'TokenElevationTypeFull';
}

/** A running (or just-run) process. */
export interface Proc {
  key: string;
  pid: number;
  fileName: string;
  folderPath: string;
  commandLine: string;
  creationTime: string;
  hashes: FileHashes;
  image: ImageSpec;
  version: string;
  account: ProcAccount;
  parent: Proc | null;
  /** Started at boot; never evicted from the live table. */
  boot: boolean;
  suspicious: boolean;
}

const MAX_LIVE = 80;
const RECENT = 12;

/** The process table of one device, driven by a seeded generator. */
export class ProcessTree {
  readonly catalog: OsCatalog;
  /** Long-lived processes that can start children or act. */
  readonly live: Proc[] = [];
  /** The last few processes started, including short-lived ones. */
  readonly recent: Proc[] = [];
  private readonly usedPids = new Set<number>();
  private nextLinuxPid: number;
  private readonly userLogons = new Map<string, { logonId: number; sessionId: number }>();

  /** Boots the device at `bootTime` (ISO-8601): the boot processes and user sessions start. */
  constructor(
    private readonly device: SimDevice,
    private readonly rng: Rng,
    bootTime: string = device.bootTime,
  ) {
    this.catalog = catalogFor(device.osFamily, device.isServer);
    this.nextLinuxPid = rng.int(900, 3000);
    this.boot(Date.parse(bootTime));
  }

  /** The user sessions on the device (falls back to an administrator when nobody is signed in). */
  users(): SimUser[] {
    if (this.device.loggedOnUsers.length > 0) return this.device.loggedOnUsers;
    const d = this.device;
    if (d.osFamily === 'Windows') return [{ accountName: 'administrator', accountDomain: d.domain, accountSid: `S-1-5-21-${d.index + 1000}-500`, upn: '', isLocalAdmin: true }];
    return [{ accountName: 'root', accountDomain: d.computerDnsName, accountSid: '', upn: '', isLocalAdmin: true }];
  }

  private boot(bootMs: number): void {
    const created: Proc[][] = [];
    this.catalog.boot.forEach((b, i) => {
      const parents = b.parent >= 0 ? created[b.parent]! : [null];
      const users = b.perUser ? this.device.loggedOnUsers : [undefined];
      const procs: Proc[] = [];
      for (const parent of parents) {
        for (const user of users) {
          if (b.perUser && !user) continue;
          const t = new Date(bootMs + (i + 1) * 1500 + (user ? 40_000 : 0)).toISOString();
          const p = this.makeProc(b.image, b.args, this.accountFor(b.runAs, parent, user), parent, t, false);
          p.boot = true;
          procs.push(p);
          this.live.push(p);
        }
      }
      created.push(procs.length > 0 ? procs : parents.filter((x): x is Proc => x !== null));
    });
  }

  /** Allocates a process id the way the platform does (multiples of 4 on Windows, counters elsewhere). */
  private pid(): number {
    if (this.device.osFamily === 'Windows') {
      for (;;) {
        const p = this.rng.int(2, 16_000) * 4;
        if (!this.usedPids.has(p)) {
          this.usedPids.add(p);
          if (this.usedPids.size > 4000) this.usedPids.clear();
          return p;
        }
      }
    }
    this.nextLinuxPid += this.rng.int(1, 40);
    if (this.nextLinuxPid > 4_194_000) this.nextLinuxPid = 1000;
    return this.nextLinuxPid;
  }

  /** The account a process runs as, given the rule, its parent and (for user processes) the user. */
  accountFor(runAs: RunAs, parent: Proc | null, user?: SimUser, elevated = false): ProcAccount {
    const win = this.device.osFamily === 'Windows';
    if (runAs === 'inherit' && parent) {
      if (!elevated) return parent.account;
      return { ...parent.account, integrity: 'High', elevation: 'TokenElevationTypeFull' };
    }
    if (!win) {
      if (runAs === 'user' || (runAs === 'inherit' && !parent)) {
        const u = user ?? this.rng.pick(this.users());
        return { domain: this.device.computerDnsName, name: u.accountName };
      }
      return { domain: this.device.computerDnsName, name: 'root' };
    }
    switch (runAs) {
      case 'system':
      case 'root':
        return { domain: 'nt authority', name: 'system', sid: 'S-1-5-18', logonId: 999, sessionId: 0, integrity: 'System', elevation: 'TokenElevationTypeDefault' };
      case 'localservice':
        return { domain: 'nt authority', name: 'local service', sid: 'S-1-5-19', logonId: 997, sessionId: 0, integrity: 'System', elevation: 'TokenElevationTypeDefault' };
      case 'networkservice':
        return { domain: 'nt authority', name: 'network service', sid: 'S-1-5-20', logonId: 996, sessionId: 0, integrity: 'System', elevation: 'TokenElevationTypeDefault' };
      default: {
        const u = user ?? this.rng.pick(this.users());
        let logon = this.userLogons.get(u.accountSid);
        if (!logon) {
          logon = { logonId: this.rng.int(100_000, 9_000_000), sessionId: this.userLogons.size + 1 };
          this.userLogons.set(u.accountSid, logon);
        }
        return {
          domain: u.accountDomain.toLowerCase(),
          name: u.accountName,
          sid: u.accountSid,
          upn: u.upn || undefined,
          objectId: u.upn ? guidFrom(u.accountSid) : undefined,
          logonId: logon.logonId,
          sessionId: logon.sessionId,
          integrity: elevated ? 'High' : 'Medium',
          elevation: elevated ? 'TokenElevationTypeFull' : 'TokenElevationTypeLimited',
        };
      }
    }
  }

  private makeProc(key: string, args: string, account: ProcAccount, parent: Proc | null, creationTime: string, suspicious: boolean): Proc {
    const image = this.catalog.images[key];
    if (!image) throw new Error(`simulator catalogue has no image '${key}'`);
    const folderPath = image.path.replace('{user}', account.name);
    const sep = folderPath.includes('\\') ? '\\' : '/';
    const fileName = folderPath.slice(folderPath.lastIndexOf(sep) + 1);
    const version = image.version.replace('{os}', this.device.osVersion);
    const exe = this.device.osFamily === 'Windows' ? (/\s/.test(folderPath) ? `"${folderPath}"` : fileName) : folderPath;
    return {
      key,
      pid: this.pid(),
      fileName,
      folderPath,
      commandLine: args ? `${exe} ${args}` : exe,
      creationTime,
      hashes: hashesOf(`${this.device.osFamily}|${image.path}|${version}`),
      image,
      version,
      account,
      parent,
      boot: false,
      suspicious,
    };
  }

  /** Picks a parent that has spawn rules; recent processes are favoured so trees grow deep. */
  private pickParent(allowSuspicious: boolean): Proc | null {
    const candidates = this.live.filter((p) => this.catalog.spawns[p.key] && (allowSuspicious || !p.suspicious));
    if (candidates.length === 0) return null;
    return this.rng.weighted(candidates, candidates.map((p) => (p.boot ? 1 : 3)));
  }

  /**
   * Starts a child of some live process at `time`. `suspiciousRate` scales how often rules marked
   * suspicious (LOLBins, encoded PowerShell…) are chosen. Returns the child, or null when nothing
   * on the device can start processes.
   */
  spawn(time: string, suspiciousRate = 1): Proc | null {
    const parent = this.pickParent(suspiciousRate > 0);
    if (!parent) return null;
    const rules = this.catalog.spawns[parent.key]!;
    const rule: SpawnRule = this.rng.weighted(rules, rules.map((r) => (r.suspicious ? r.weight * suspiciousRate : r.weight)));
    const users = this.users();
    const user = parent.account.sid ? users.find((u) => u.accountSid === parent.account.sid) : users.find((u) => u.accountName === parent.account.name);
    const account = this.accountFor(rule.runAs ?? 'inherit', parent, user, rule.elevated);
    const child = this.makeProc(rule.image, rule.args({ rng: this.rng, user: account.name, host: this.device.computerDnsName }), account, parent, time, !!rule.suspicious || parent.suspicious);
    this.recent.push(child);
    if (this.recent.length > RECENT) this.recent.shift();
    if (rule.stays) {
      this.live.push(child);
      if (this.live.length > MAX_LIVE) {
        const i = this.live.findIndex((p) => !p.boot);
        if (i >= 0) this.live.splice(i, 1);
      }
    }
    return child;
  }

  /** A process to attribute a non-process event to: preferably one whose image key is listed. */
  actor(preferred: readonly string[]): Proc {
    const pool = [...this.live, ...this.recent];
    const fit = pool.filter((p) => preferred.includes(p.key));
    return this.rng.pick(fit.length > 0 ? fit : pool);
  }

  /** A live process with this image key, if one runs. */
  find(key: string): Proc | undefined {
    const pool = [...this.recent, ...this.live].filter((p) => p.key === key);
    return pool.length > 0 ? this.rng.pick(pool) : undefined;
  }
}

/** A stable GUID derived from a text (for directory object ids). */
export function guidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
