/**
 * Process starts into DeviceProcessEvents, from the kernel's netlink process connector through the
 * native helper native/procmon.c: at each exec it reads /proc/PID/{exe,cmdline,status,stat} of the
 * process and its parent at once and writes a JSON line. What a process that already ended took with
 * it (its command line, image and user) comes from the arguments its execve carried, which the helper
 * captures in the kernel (native/exec-args.h) where the kernel allows it; this
 * collector hashes the image (SHA1, SHA256, MD5; cached by file identity), names the user from the
 * uid and emits a `ProcessCreated` row with the parent as the initiating process. Observers (the
 * indicator enforcement) see every start with its hashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Collector, CollectorLog, Emit } from './collector.ts';
import { ImageHasher, type FileHashes } from './image-hash.ts';
import { UserNames } from './users.ts';

/** One process as the helper reports it (fields it could not read are absent). */
export interface HelperProcess {
  pid: number;
  ppid?: number;
  uid?: number;
  /** Start time, µs since the epoch. */
  start?: number;
  exe?: string;
  cmdline?: string[];
  comm?: string;
  /** The image's identity (stat of /proc/PID/exe): device, inode, size, mtime in ns. */
  dev?: number;
  ino?: number;
  size?: number;
  mtime?: number;
}

/** One line of the helper: an exec, a loss notice or its ready signal. */
export type HelperLine =
  | ({
    type: 'exec'; ts: number; parent?: HelperProcess;
    /** Some fields came from the process's execve: it had ended before /proc was read. */
    recovered?: boolean;
    /** The command line from the execve was cut (an argument over 255 bytes, or over 48 arguments). */
    cmdlineTruncated?: boolean;
  } & HelperProcess)
  | { type: 'lost' }
  /** execArgs: whether the kernel let the helper capture execve arguments (else `reason` says why). */
  | { type: 'ready'; execArgs?: boolean; reason?: string };

/** A process start as observers see it. */
export interface ProcessStart {
  pid: number;
  ppid: number | null;
  /** The image path, when the process was still there to read. */
  exe: string | null;
  commandLine: string;
  hashes: FileHashes | null;
}

/** Options of {@link ProcessCollector}. */
export interface ProcessCollectorOptions {
  /** The helper binary (nativeHelper('procmon')). */
  helperPath: string;
  hasher?: ImageHasher;
}

/** Joins argv as a command line, quoting arguments that hold spaces or quotes. */
export function commandLineOf(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /[\s"'\\]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a)).join(' ');
}

const iso = (us: number | undefined) => (us === undefined ? undefined : new Date(Math.floor(us / 1000)).toISOString());

/** The process-start collector. */
export class ProcessCollector implements Collector {
  readonly name = 'process';
  private child: ChildProcess | null = null;
  private readonly hasher: ImageHasher;
  private readonly users = new UserNames();
  private readonly observers: ((p: ProcessStart) => void)[] = [];
  private readonly host = hostname();
  private stopping = false;
  /** Exec events the kernel dropped (the helper's socket overflowed). */
  lost = 0;
  /** Exec events seen. */
  seen = 0;
  /** Exec events of processes gone before the helper read their command line. */
  incomplete = 0;
  /** Exec events of processes gone before the helper read /proc, completed from their execve. */
  recovered = 0;
  /** Whether the helper captures execve arguments in the kernel (known once it is ready). */
  execArgs = false;
  /** Times the helper was started again after it stopped. */
  restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private log: CollectorLog | null = null;

  constructor(private readonly opts: ProcessCollectorOptions) {
    this.hasher = opts.hasher ?? new ImageHasher();
  }

  /** The pid of the helper running now, if any. */
  get helperPid(): number | undefined {
    return this.child?.pid;
  }

  /** Registers an observer of every process start (after hashing). */
  observe(fn: (p: ProcessStart) => void): void {
    this.observers.push(fn);
  }

  async start(emit: Emit, log: CollectorLog): Promise<void> {
    this.log = log;
    await this.spawnHelper(emit, log);
  }

  /**
   * Starts the helper and resolves once it is subscribed. Should it stop while the collector runs
   * (killed, crashed), it is started again after a second, and again until it runs.
   */
  private async spawnHelper(emit: Emit, log: CollectorLog): Promise<void> {
    const child = spawn(this.opts.helperPath, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr = (stderr + String(d)).slice(-2000); });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the process helper did not start within 10 s')), 10_000);
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the process helper exited with ${code}: ${stderr.trim()}`));
      });
      lines.on('line', (text) => {
        let line: HelperLine;
        try {
          line = JSON.parse(text) as HelperLine;
        } catch {
          log.warn('process helper wrote a line that is not JSON', { line: text.slice(0, 200) });
          return;
        }
        if (line.type === 'ready') {
          this.execArgs = line.execArgs === true;
          if (!this.execArgs) log.warn('the process helper reads command lines from /proc only: a process that ends within a millisecond can be missed', { reason: line.reason });
          clearTimeout(timer);
          resolve();
        } else if (line.type === 'lost') {
          this.lost++;
          log.warn('the kernel dropped process events (the process helper fell behind)');
        } else if (line.type === 'exec') {
          this.seen++;
          if (!line.cmdline) this.incomplete++;
          if (line.recovered) this.recovered++;
          this.onExec(line, emit).catch((e: unknown) => log.warn('a process event was not recorded', { error: (e as Error).message }));
        }
      });
    });
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      log.warn('the process helper stopped; starting it again in 1 s', { code, signal, stderr: stderr.trim() });
      this.restarts++;
      const again = () => {
        if (this.stopping) return;
        this.spawnHelper(emit, log).catch((e: unknown) => {
          log.warn('the process helper did not start; trying again in 5 s', { error: (e as Error).message });
          this.restartTimer = setTimeout(again, 5000);
        });
      };
      this.restartTimer = setTimeout(again, 1000);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.log?.info('process collector stopped', { execEvents: this.seen, goneBeforeRead: this.incomplete, completedFromExecve: this.recovered, lostNotices: this.lost });
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
  }

  /**
   * The hashes of a process's image, known by its identity: read through /proc/PID/exe while the
   * process lives (the very file, also inside a container), else at its path when the file found
   * there is the same one. None without the identity: a path alone may name another file here.
   */
  private async imageHashes(p: HelperProcess | undefined): Promise<FileHashes | null> {
    if (!p?.exe || p.dev === undefined || p.ino === undefined || p.size === undefined || p.mtime === undefined) return null;
    const id = { dev: p.dev, ino: p.ino, size: p.size, mtime: p.mtime };
    return (await this.hasher.hash(`/proc/${p.pid}/exe`, id)) ?? this.hasher.hash(p.exe, id);
  }

  private async onExec(e: Extract<HelperLine, { type: 'exec' }>, emit: Emit): Promise<void> {
    const [hashes, parentHashes] = await Promise.all([this.imageHashes(e), this.imageHashes(e.parent)]);
    const commandLine = e.cmdline ? commandLineOf(e.cmdline) : '';
    const p = e.parent;
    emit('DeviceProcessEvents', {
      Timestamp: iso(e.ts),
      ActionType: 'ProcessCreated',
      FileName: e.exe ? basename(e.exe) : e.comm,
      FolderPath: e.exe,
      SHA1: hashes?.sha1,
      SHA256: hashes?.sha256,
      MD5: hashes?.md5,
      FileSize: hashes?.size ?? e.size,
      ProcessId: e.pid,
      ProcessCommandLine: commandLine,
      ProcessCreationTime: iso(e.start),
      AccountDomain: this.host,
      AccountName: e.uid === undefined ? undefined : this.users.name(e.uid),
      InitiatingProcessAccountDomain: p?.uid === undefined ? undefined : this.host,
      InitiatingProcessAccountName: p?.uid === undefined ? undefined : this.users.name(p.uid),
      InitiatingProcessSHA1: parentHashes?.sha1,
      InitiatingProcessSHA256: parentHashes?.sha256,
      InitiatingProcessMD5: parentHashes?.md5,
      InitiatingProcessFileName: p?.exe ? basename(p.exe) : p?.comm,
      InitiatingProcessFileSize: parentHashes?.size,
      InitiatingProcessId: p?.pid ?? e.ppid,
      InitiatingProcessCommandLine: p?.cmdline ? commandLineOf(p.cmdline) : undefined,
      InitiatingProcessCreationTime: iso(p?.start),
      InitiatingProcessFolderPath: p?.exe,
      InitiatingProcessParentId: p?.ppid,
      AdditionalFields: JSON.stringify({ Uid: e.uid, InitiatingProcessUid: p?.uid, ...(e.cmdlineTruncated ? { CommandLineTruncated: true } : {}) }),
    });
    const start: ProcessStart = { pid: e.pid, ppid: e.ppid ?? null, exe: e.exe ?? null, commandLine, hashes };
    for (const o of this.observers) o(start);
  }
}
