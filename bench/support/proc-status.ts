/** Memory and CPU figures of a running process from /proc/<pid>/status and /proc/<pid>/stat (Linux). */
import { readFileSync } from 'node:fs';

/** Peak resident set size (VmHWM) and current RSS (VmRSS) of `pid` in MiB; null where unreadable. */
export function memoryOf(pid: number): { peakMiB: number | null; rssMiB: number | null } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { peakMiB: null, rssMiB: null };
  }
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : null;
  };
  return { peakMiB: kb('VmHWM'), rssMiB: kb('VmRSS') };
}

/** CPU time (user + system, all threads) `pid` has used so far, in seconds; null where unreadable. */
export function cpuSecondsOf(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  return Number.isFinite(ticks) ? ticks / 100 : null;
}
