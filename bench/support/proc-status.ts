/** Memory figures of a running process from /proc/<pid>/status (Linux). */
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
