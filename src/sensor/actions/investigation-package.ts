/**
 * CollectInvestigationPackage: a tar.gz of what an investigator looks at first on a Linux host —
 * processes, network connections, users and logons, cron and systemd timers, services, recent logs,
 * installed packages, kernel modules and the system's identity — uploaded as result 0. Each item is
 * collected on its own (a tool that is missing or fails is named in `manifest.json` and the rest is
 * still collected); logs are cut to their most recent part. MDE calls its package a zip; this one
 * is a gzip-compressed tar.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand, mustRun } from './command.ts';
import type { ActionContext, ActionHandler, ActionResult } from './handler.ts';

/** Options of the investigation package handler. */
export interface InvestigationPackageOptions {
  /** Most bytes kept of each log file and command output. Default 16 MiB. */
  maxItemBytes?: number;
  /** How far back the journal is read. Default 24 hours. */
  logHours?: number;
}

/** One item of the package as the manifest lists it. */
interface ManifestItem {
  file: string;
  source: string;
  ok: boolean;
  error?: string;
}

/** The process table from /proc: pid, parent, user id, name, image, command line and start (clock ticks since boot). */
async function processTable(): Promise<string> {
  const rows: Record<string, unknown>[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
      const exe = await readlink(`/proc/${name}/exe`).catch(() => null);
      rows.push({
        pid: Number(name),
        ppid: Number(after[1]),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1),
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        state: after[0],
        exe,
        cmdline,
        startTicks: Number(after[19]),
      });
    } catch {
      // gone meanwhile
    }
  }
  return `${JSON.stringify(rows, null, 1)}\n`;
}

/** The last `max` bytes of a file. */
async function tail(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf;
  } finally {
    await fh.close();
  }
}

/** The regular files directly in `dir` (none when it does not exist). */
async function filesIn(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    const out: string[] = [];
    for (const n of names.sort()) if ((await lstat(join(dir, n))).isFile()) out.push(join(dir, n));
    return out;
  } catch {
    return [];
  }
}

/** Where cron jobs live (besides /etc/crontab). */
const CRON_DIRS = ['/etc/cron.d', '/etc/cron.hourly', '/etc/cron.daily', '/etc/cron.weekly', '/etc/cron.monthly', '/var/spool/cron/crontabs', '/var/spool/cron'];

/** Where systemd unit files live, the administrator's first. */
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

/**
 * The unit files of one kind (`.timer`, `.service`): one line per file with where it is and whether
 * a `*.wants` folder of /etc enables it, followed by the files' text when `withText`.
 */
async function unitFiles(suffix: string, withText: boolean): Promise<string> {
  const enabled = new Set<string>();
  for (const d of await readdir('/etc/systemd/system').catch(() => [] as string[])) {
    if (d.endsWith('.wants')) for (const u of await readdir(join('/etc/systemd/system', d)).catch(() => [] as string[])) enabled.add(u);
  }
  const lines: string[] = [];
  const texts: string[] = [];
  const seen = new Set<string>();
  for (const dir of UNIT_DIRS) {
    for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) {
      if (!f.endsWith(suffix) || seen.has(f)) continue;
      seen.add(f);
      lines.push(`${f}\t${join(dir, f)}\t${enabled.has(f) ? 'enabled' : '-'}`);
      if (withText) texts.push(`### ${join(dir, f)}\n${await readFile(join(dir, f), 'utf8').catch((e: Error) => `(unreadable: ${e.message})`)}`);
    }
  }
  return `${[...lines, '', ...texts].join('\n')}\n`;
}

const exists = (path: string) => lstat(path).then(() => true, () => false);
const which = (tool: string) => new Promise<boolean>((resolve) => execFile('sh', ['-c', `command -v ${tool}`], (e) => resolve(!e)));

/** The CollectInvestigationPackage handler. */
export function investigationPackageHandler(opts: InvestigationPackageOptions = {}): ActionHandler {
  const max = opts.maxItemBytes ?? 16 * 1024 * 1024;
  const hours = opts.logHours ?? 24;
  return {
    type: 'CollectInvestigationPackage',
    async run(_action, ctx: ActionContext): Promise<ActionResult> {
      const work = await mkdtemp(join(tmpdir(), 'palisade-pkg-'));
      const root = join(work, 'package');
      const manifest: ManifestItem[] = [];
      const put = async (file: string, source: string, make: () => Promise<string | Buffer>) => {
        try {
          const data = await make();
          await mkdir(dirname(join(root, file)), { recursive: true });
          await writeFile(join(root, file), data, { mode: 0o600 });
          manifest.push({ file, source, ok: true });
        } catch (e) {
          manifest.push({ file, source, ok: false, error: (e as Error).message.slice(0, 512) });
        }
      };
      const command = (file: string, tool: string, args: string[]) => put(file, `${tool} ${args.join(' ')}`, async () => {
        if (!(await which(tool))) throw new Error(`${tool} is not installed`);
        const r = await runCommand(tool, args, { timeoutMs: 120_000, maxOutputBytes: max, signal: ctx.signal });
        if (r.code !== 0 && !r.stdout) throw new Error(`exit ${r.code}: ${r.stderr.trim().slice(0, 400)}`);
        return r.stdout;
      });
      const copy = (file: string, path: string) => put(file, path, () => tail(path, max));
      try {
        await mkdir(root, { recursive: true, mode: 0o700 });
        // the system
        await command('system/uname.txt', 'uname', ['-a']);
        await copy('system/os-release', '/etc/os-release');
        await copy('system/mounts', '/proc/mounts');
        await command('system/uptime.txt', 'uptime', []);
        // processes
        await put('processes/processes.json', '/proc/*/{stat,status,cmdline,exe}', processTable);
        await command('processes/ps.txt', 'ps', ['-eo', 'pid,ppid,user,lstart,stat,args', '--forest']);
        // network
        await command('network/connections.txt', 'ss', ['-tunap']);
        for (const t of ['tcp', 'tcp6', 'udp', 'udp6']) await copy(`network/proc-net-${t}`, `/proc/net/${t}`);
        await command('network/addresses.txt', 'ip', ['addr']);
        await command('network/routes.txt', 'ip', ['route']);
        // users and logons
        await copy('users/passwd', '/etc/passwd');
        await copy('users/group', '/etc/group');
        await command('users/who.txt', 'who', ['-a']);
        await command('users/last.txt', 'last', ['-F', '-n', '1000']);
        await command('users/lastlog.txt', 'lastlog', []);
        // scheduled tasks
        const cronFiles = (await exists('/etc/crontab') ? ['/etc/crontab'] : []);
        for (const dir of CRON_DIRS) cronFiles.push(...await filesIn(dir));
        await put('cron/files.txt', CRON_DIRS.join(' '), async () => `${cronFiles.join('\n')}\n`);
        for (const f of cronFiles) await copy(`cron${f}`, f);
        await command('systemd/timers.txt', 'systemctl', ['list-timers', '--all', '--no-pager']);
        // the unit files themselves, read even where systemd is not running (a container, a rescue boot)
        await put('systemd/timer-units.txt', UNIT_DIRS.join(' '), () => unitFiles('.timer', true));
        // services
        await command('systemd/services.txt', 'systemctl', ['list-units', '--type=service', '--all', '--no-pager']);
        await put('systemd/service-units.txt', UNIT_DIRS.join(' '), () => unitFiles('.service', false));
        await put('services/init.d.txt', '/etc/init.d', async () => `${(await readdir('/etc/init.d')).sort().join('\n')}\n`);
        // logs
        await command('logs/journal.txt', 'journalctl', ['--since', `-${hours}h`, '--no-pager', '-o', 'short-iso']);
        for (const f of ['/var/log/auth.log', '/var/log/secure', '/var/log/syslog', '/var/log/messages', '/var/log/kern.log', '/var/log/dpkg.log']) {
          if (await exists(f)) await copy(`logs${f}`, f);
        }
        // software
        if (await which('dpkg-query')) await command('software/packages.txt', 'dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${Architecture}\n']);
        else await command('software/packages.txt', 'rpm', ['-qa']);
        await copy('software/kernel-modules', '/proc/modules');

        await writeFile(join(root, 'manifest.json'), `${JSON.stringify({ collectedAt: new Date().toISOString(), items: manifest }, null, 2)}\n`);
        const archive = join(work, 'package.tar.gz');
        await mustRun('tar', ['-czf', archive, '-C', root, '.'], { timeoutMs: 600_000, signal: ctx.signal });
        await ctx.upload(0, { path: archive });
        const failed = manifest.filter((m) => !m.ok).length;
        return { status: 'Succeeded', message: `Investigation package collected: ${manifest.length - failed} items${failed ? `, ${failed} not available (see manifest.json)` : ''}` };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
