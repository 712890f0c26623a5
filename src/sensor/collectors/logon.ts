/**
 * Logons into DeviceLogonEvents, from the auth log (`/var/log/auth.log` or `/var/log/secure`, or
 * the file given) or, when there is none, from the systemd journal (`journalctl -f -o json`):
 * sshd's accepted and failed authentications, login(1), su and sudo sessions and their
 * authentication failures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import type { Collector, CollectorLog, Emit } from './collector.ts';

/** One logon (or failed attempt) read from a log message. */
export interface LogonRecord {
  action: 'LogonSuccess' | 'LogonFailed';
  account: string;
  /** Network (ssh), Interactive (login, su, sudo). */
  logonType: string;
  /** The program that authenticated: sshd, login, su, sudo. */
  service: string;
  remoteIp?: string;
  remotePort?: number;
  failureReason?: string;
  /** ssh's method (password, publickey, …) or who ran su/sudo. */
  detail?: Record<string, string>;
}

/** The services whose messages are read. */
const SERVICES = ['sshd', 'sshd-session', 'login', 'su', 'sudo'];

/** Reads a logon out of one message of `service`; null when the message is not about a logon. */
export function parseAuthMessage(service: string, message: string): LogonRecord | null {
  const svc = service === 'sshd-session' ? 'sshd' : service;
  let m: RegExpExecArray | null;
  if (svc === 'sshd') {
    if ((m = /^Accepted (\S+) for (\S+) from (\S+) port (\d+)/.exec(message))) {
      return { action: 'LogonSuccess', account: m[2], logonType: 'Network', service: 'sshd', remoteIp: m[3], remotePort: Number(m[4]), detail: { AuthenticationMethod: m[1] } };
    }
    if ((m = /^Failed (\S+) for (invalid user )?(\S+) from (\S+) port (\d+)/.exec(message))) {
      return {
        action: 'LogonFailed', account: m[3], logonType: 'Network', service: 'sshd', remoteIp: m[4], remotePort: Number(m[5]),
        failureReason: m[2] ? 'InvalidUserNameOrPassword' : 'WrongPassword', detail: { AuthenticationMethod: m[1] },
      };
    }
    return null;
  }
  // pam_unix(login:session) / (su:session) / (su-l:session) / (sudo:session) / (sudo-i:session)
  if ((m = /^pam_unix\((login|su|su-l|sudo|sudo-i):session\): session opened for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)(?:\(uid=\d+\))?)?/.exec(message))) {
    const by = m[3] && m[3] !== '' ? { By: m[3] } : undefined;
    return { action: 'LogonSuccess', account: m[2], logonType: 'Interactive', service: m[1].replace(/-.*$/, ''), detail: by };
  }
  if ((m = /^pam_unix\((login|su|su-l|sudo|sudo-i):auth\): authentication failure;.*\buser=(\S+)/.exec(message))) {
    return { action: 'LogonFailed', account: m[2], logonType: 'Interactive', service: m[1].replace(/-.*$/, ''), failureReason: 'WrongPassword' };
  }
  if (svc === 'login' && (m = /^FAILED LOGIN \(\d+\) on '?([^'\s]+)'?(?: FROM '?([^'\s]+)'?)? FOR '?([^'\s,]+)'?, (.*)$/.exec(message))) {
    return { action: 'LogonFailed', account: m[3], logonType: 'Interactive', service: 'login', failureReason: /unknown|not known/i.test(m[4]) ? 'InvalidUserNameOrPassword' : 'WrongPassword', detail: { Tty: m[1] } };
  }
  return null;
}

/**
 * Splits a syslog line of the auth log (`Dec  5 02:40:01 host sshd[123]: message`, or with an
 * RFC 3339 time first) into its time, service and message; null when it is not one.
 */
export function parseSyslogLine(line: string, now = new Date()): { time: Date; service: string; pid?: number; message: string } | null {
  const m = /^(?:(\d{4}-\d{2}-\d{2}T\S+)|([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})) \S+ ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/.exec(line);
  if (!m) return null;
  let time: Date;
  if (m[1]) time = new Date(m[1]);
  else {
    // the traditional format has no year: this year, unless that is in the future (the log spans new year)
    time = new Date(`${m[2]} ${now.getFullYear()}`);
    if (time.getTime() > now.getTime() + 86_400_000) time = new Date(`${m[2]} ${now.getFullYear() - 1}`);
  }
  if (Number.isNaN(time.getTime())) time = now;
  return { time, service: m[3], pid: m[4] ? Number(m[4]) : undefined, message: m[5] };
}

/** Options of {@link LogonCollector}. */
export interface LogonCollectorOptions {
  /** The auth log to follow; default /var/log/auth.log or /var/log/secure, else the journal. */
  authLog?: string;
  /** Milliseconds between reads of the auth log. Default 500. */
  pollMs?: number;
}

/** The logon collector. */
export class LogonCollector implements Collector {
  readonly name = 'logon';
  private timer: NodeJS.Timeout | null = null;
  private journal: ChildProcess | null = null;
  private readonly host = hostname();
  private busy: Promise<void> = Promise.resolve();
  /** Which source it reads: the auth log's path or 'journal'. */
  source = '';

  constructor(private readonly opts: LogonCollectorOptions = {}) {}

  async start(emit: Emit, log: CollectorLog): Promise<void> {
    const file = this.opts.authLog ?? ['/var/log/auth.log', '/var/log/secure'].find((p) => existsSync(p));
    if (file) return this.follow(file, emit, log);
    if (!['/run/log/journal', '/var/log/journal'].some((p) => existsSync(p))) throw new Error('neither an auth log nor a systemd journal is here');
    return this.followJournal(emit, log);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
    const j = this.journal;
    this.journal = null;
    if (j && j.exitCode === null && j.signalCode === null) {
      const exited = new Promise<void>((r) => j.once('exit', () => r()));
      j.kill('SIGTERM');
      await exited;
    }
  }

  private record(r: LogonRecord, time: Date, pid: number | undefined, emit: Emit): void {
    emit('DeviceLogonEvents', {
      Timestamp: time.toISOString(),
      ActionType: r.action,
      LogonType: r.logonType,
      AccountDomain: this.host,
      AccountName: r.account,
      Protocol: r.service === 'sshd' ? 'Ssh' : undefined,
      FailureReason: r.failureReason,
      RemoteIP: r.remoteIp,
      RemotePort: r.remotePort,
      InitiatingProcessFileName: r.service,
      InitiatingProcessId: pid,
      AdditionalFields: JSON.stringify({ Service: r.service, ...r.detail }),
    });
  }

  /** Follows a log file from its end, starting over when it is rotated or truncated. */
  private async follow(path: string, emit: Emit, log: CollectorLog): Promise<void> {
    const st = await stat(path);
    let ino = st.ino;
    let offset = st.size;
    let rest = '';
    this.source = path;
    const read = async () => {
      const now = await stat(path).catch(() => null);
      if (!now) return;
      if (now.ino !== ino || now.size < offset) {
        ino = now.ino;
        offset = 0;
        rest = '';
      }
      if (now.size === offset) return;
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(Math.min(now.size - offset, 4 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const lines = (rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const l = parseSyslogLine(line);
          if (!l) continue;
          const r = parseAuthMessage(l.service, l.message);
          if (r) this.record(r, l.time, l.pid, emit);
        }
      } finally {
        await fh.close();
      }
    };
    this.timer = setInterval(() => {
      this.busy = this.busy.then(read).catch((e: unknown) => log.warn('reading the auth log failed', { path, error: (e as Error).message }));
    }, this.opts.pollMs ?? 500);
  }

  private async followJournal(emit: Emit, log: CollectorLog): Promise<void> {
    const args = ['-f', '-o', 'json', '-n', '0', ...SERVICES.map((s) => `SYSLOG_IDENTIFIER=${s}`)];
    const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.journal = child;
    this.source = 'journal';
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (text) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      const msg = Array.isArray(e.MESSAGE) ? Buffer.from(e.MESSAGE as number[]).toString('utf8') : String(e.MESSAGE ?? '');
      const r = parseAuthMessage(String(e.SYSLOG_IDENTIFIER ?? ''), msg);
      if (!r) return;
      const us = Number(e.__REALTIME_TIMESTAMP);
      this.record(r, Number.isFinite(us) ? new Date(us / 1000) : new Date(), e._PID === undefined ? undefined : Number(e._PID), emit);
    });
    child.once('exit', (code) => {
      if (this.journal) log.warn('journalctl stopped: logons are no longer collected', { code });
    });
  }
}
