/**
 * Finding and stopping the processes that run a given file: every process's image is hashed through
 * its /proc/PID/exe link (so a deleted or replaced file is still the one running), and the matching
 * ones are killed with SIGKILL. Never the sensor itself or init.
 */
import { readdir, readlink } from 'node:fs/promises';
import type { FileHasher, FileHashes } from './handler.ts';

/** A running process and its image. */
export interface RunningImage {
  pid: number;
  /** The image's path as the kernel names it, without a ` (deleted)` suffix. */
  path: string;
  /** Whether the image's file has been deleted or replaced since the process started. */
  deleted: boolean;
  hashes: FileHashes;
}

const DELETED = ' (deleted)';

/** Every running process (but this one and init) whose image `matches`. */
export async function processesRunning(hasher: FileHasher, matches: (h: FileHashes) => boolean): Promise<RunningImage[]> {
  const found: RunningImage[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === 1 || pid === process.pid) continue;
    let link: string;
    try {
      link = await readlink(`/proc/${pid}/exe`);
    } catch {
      continue; // a kernel thread, or gone
    }
    const hashes = await hasher.hash(`/proc/${pid}/exe`);
    if (!hashes || !matches(hashes)) continue;
    const deleted = link.endsWith(DELETED);
    found.push({ pid, path: deleted ? link.slice(0, -DELETED.length) : link, deleted, hashes });
  }
  return found;
}

/** Kills `pids` with SIGKILL and waits (up to `timeoutMs`) until they are gone; resolves with the ones that were killed. */
export async function killAll(pids: readonly number[], timeoutMs = 5_000): Promise<number[]> {
  const killed: number[] = [];
  for (const pid of pids) {
    if (pid === 1 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  // a killed process's exe link goes away once it has exited (a zombie has none)
  const alive = (pid: number) => readlink(`/proc/${pid}/exe`).then(() => true, () => false);
  while (Date.now() < deadline) {
    const left = (await Promise.all(killed.map(alive))).some(Boolean);
    if (!left) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return killed;
}
