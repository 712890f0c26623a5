/**
 * RunAntiVirusScan: hashes files and matches them against the tenant's file-hash indicators (the
 * same verdicts as enforcement: Allowed wins, expired ones do not count), and runs ClamAV's
 * `clamscan` over the same places when it is installed. Quick scans the images of running processes
 * and the usual drop folders (/tmp, /var/tmp, /dev/shm, users' Downloads); Full scans every local
 * file system (mounts.ts), each without crossing into another, so /proc, /sys, /dev and network
 * mounts are never read. Each finding is a DeviceEvents `AntivirusDetection` row carrying the file's
 * hashes (which the server's indicator matching turns into an alert), and the scan ends with an
 * `AntivirusScanCompleted` row.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runCommand } from './command.ts';
import type { ActionContext, ActionHandler, ActionResult, FileHasher, FileHashes, WireAction } from './handler.ts';
import { IndicatorEnforcer } from './indicator-enforcement.ts';
import { localMounts } from './mounts.ts';
import { processesRunning } from './processes.ts';

/** Options of the antivirus scan handler. */
export interface AvScanOptions {
  hasher: FileHasher;
  /** The folders of a Quick scan (besides running images). Default: /tmp, /var/tmp, /dev/shm, /root/Downloads, /home/x/Downloads. */
  quickFolders?: string[];
  /** The roots of a Full scan. Default: every local file system's mount point. */
  fullRoots?: string[];
  /** Whether the images of running processes are part of a Quick scan. Default true. */
  runningImages?: boolean;
  /** The clamscan program; null never runs it. Default `clamscan` when installed. */
  clamscan?: string | null;
}

/** One thing a scan found. */
interface Finding {
  path: string;
  threat: string;
  source: 'Indicator' | 'ClamAV';
  hashes: FileHashes | null;
  indicatorId?: string;
}

/** The usual drop folders a Quick scan walks: /tmp, /var/tmp, /dev/shm and users' Downloads. */
export async function defaultQuickFolders(): Promise<string[]> {
  const homes = await readdir('/home').catch(() => [] as string[]);
  return ['/tmp', '/var/tmp', '/dev/shm', '/root/Downloads', ...homes.map((h) => join('/home', h, 'Downloads'))];
}

/** Folders never scanned from a root above them (their file systems are the kernel's view, not files). */
const PSEUDO = new Set(['/proc', '/sys', '/dev']);

/** Every regular file under `root`, without following links or leaving its file system. */
export async function* walk(root: string, signal: AbortSignal): AsyncGenerator<string> {
  let rootDev: number;
  try {
    const st = await lstat(root);
    if (st.isFile()) { yield root; return; }
    if (!st.isDirectory()) return;
    rootDev = st.dev;
  } catch {
    return;
  }
  const stack = [root];
  while (stack.length) {
    if (signal.aborted) return;
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isFile()) yield path;
      else if (e.isDirectory()) {
        const st = await lstat(path).catch(() => null);
        if (st && st.dev === rootDev && !PSEUDO.has(path)) stack.push(path);
      }
    }
  }
}

const installed = (tool: string) => new Promise<boolean>((resolve) => execFile('sh', ['-c', 'command -v "$0"', tool], (e) => resolve(!e)));

/** The RunAntiVirusScan handler. */
export function avScanHandler(opts: AvScanOptions): ActionHandler {
  return {
    type: 'RunAntiVirusScan',
    async run(action: WireAction, ctx: ActionContext): Promise<ActionResult> {
      const full = action.scope === 'Full';
      const roots = full ? opts.fullRoots ?? await localMounts() : opts.quickFolders ?? await defaultQuickFolders();
      const enforcer = new IndicatorEnforcer({ hasher: opts.hasher, indicators: ctx.indicators, emit: ctx.emit, stateDir: ctx.stateDir, log: ctx.log });
      const findings: Finding[] = [];
      const seen = new Set<string>();
      let scanned = 0;
      const check = async (path: string, hashes: FileHashes | null) => {
        scanned++;
        const v = hashes && enforcer.verdict(hashes);
        if (v) findings.push({ path, threat: `Palisade:Indicator/${v.indicator.id}`, source: 'Indicator', hashes, indicatorId: v.indicator.id });
      };
      if (!full && opts.runningImages !== false) {
        for (const p of await processesRunning(opts.hasher, () => true)) {
          if (seen.has(p.path)) continue;
          seen.add(p.path);
          await check(p.path, p.hashes);
        }
      }
      for (const root of roots) {
        for await (const path of walk(root, ctx.signal)) {
          if (seen.has(path)) continue;
          seen.add(path);
          await check(path, await opts.hasher.hash(path));
        }
      }
      if (ctx.signal.aborted) return { status: 'Failed', message: 'The scan was stopped' };

      const clam = opts.clamscan === undefined ? (await installed('clamscan') ? 'clamscan' : null) : opts.clamscan;
      let clamNote = 'ClamAV is not installed';
      if (clam) {
        const r = await runCommand(clam, ['--infected', '--no-summary', '--recursive', '--cross-fs=no', '--stdout', ...roots], { timeoutMs: 6 * 3_600_000, signal: ctx.signal });
        if (r.code === 0 || r.code === 1) {
          for (const line of r.stdout.split('\n')) {
            const m = /^(.*): (.+) FOUND$/.exec(line);
            if (m) findings.push({ path: m[1]!, threat: m[2]!, source: 'ClamAV', hashes: await opts.hasher.hash(m[1]!) });
          }
          clamNote = 'ClamAV scanned too';
        } else {
          clamNote = `clamscan failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`;
        }
      }
      const now = new Date().toISOString();
      for (const f of findings) {
        ctx.emit('DeviceEvents', {
          Timestamp: now,
          ActionType: 'AntivirusDetection',
          FileName: basename(f.path),
          FolderPath: f.path,
          SHA1: f.hashes?.sha1,
          SHA256: f.hashes?.sha256,
          MD5: f.hashes?.md5,
          FileSize: f.hashes?.size,
          AdditionalFields: JSON.stringify({ ThreatName: f.threat, Source: f.source, ScanType: full ? 'Full' : 'Quick', ActionId: action.id, ...(f.indicatorId ? { IndicatorId: f.indicatorId } : {}) }),
        });
      }
      ctx.emit('DeviceEvents', {
        Timestamp: now,
        ActionType: 'AntivirusScanCompleted',
        AdditionalFields: JSON.stringify({ ScanTypeIndex: full ? 'Full' : 'Quick', FilesScanned: scanned, Findings: findings.length, ActionId: action.id }),
      });
      return { status: 'Succeeded', message: `${full ? 'Full' : 'Quick'} scan: ${scanned} files hashed, ${findings.length} finding${findings.length === 1 ? '' : 's'}; ${clamNote}` };
    },
  };
}
