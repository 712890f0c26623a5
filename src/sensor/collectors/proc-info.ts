/**
 * Reads what the collectors say about a running process from /proc: its image, command line,
 * owner, parent and start time. Used where no exec event brought them (the owner of a socket).
 */
import { readFile, readlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/** A running process as /proc shows it; fields it could not read are absent. */
export interface ProcInfo {
  pid: number;
  exe?: string;
  cmdline?: string[];
  uid?: number;
  ppid?: number;
  /** Start time, ms since the epoch. */
  startMs?: number;
}

/** USER_HZ, the unit of /proc/PID/stat's start time: 100 on every architecture Linux runs Node on. */
const TICKS_PER_SECOND = 100;
let bootMs: number | null = null;

/** Wall-clock ms of the boot, from /proc/stat's btime. */
function bootTimeMs(): number {
  if (bootMs === null) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootMs = m ? Number(m[1]) * 1000 : 0;
  }
  return bootMs;
}

/** Reads /proc/PID/{exe,cmdline,status,stat}; resolves with what it could read. */
export async function readProcInfo(pid: number): Promise<ProcInfo> {
  const [exe, cmd, status, stat] = await Promise.all([
    readlink(`/proc/${pid}/exe`).catch(() => undefined),
    readFile(`/proc/${pid}/cmdline`).catch(() => undefined),
    readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined),
    readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
  ]);
  const info: ProcInfo = { pid };
  if (exe) info.exe = exe.replace(/ \(deleted\)$/, '');
  if (cmd && cmd.length > 0) info.cmdline = cmd.toString('utf8').replace(/\0$/, '').split('\0');
  if (status) {
    const uid = /^Uid:\s+(\d+)/m.exec(status);
    const ppid = /^PPid:\s+(\d+)/m.exec(status);
    if (uid) info.uid = Number(uid[1]);
    if (ppid) info.ppid = Number(ppid[1]);
  }
  if (stat) {
    // field 22, counted after the ')' that closes the command name (which may hold spaces)
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]);
    if (Number.isFinite(ticks)) info.startMs = bootTimeMs() + (ticks * 1000) / TICKS_PER_SECOND;
  }
  return info;
}
