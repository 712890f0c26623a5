/**
 * Test binaries with hashes of their own: a copy of a system binary with random bytes appended (an
 * ELF file runs the same with trailing data), so enforcement by hash can only ever touch processes
 * the test itself started, never the system's own copy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes a uniquely hashed copy of `source` to `to` (mode 0755); resolves with its hashes. */
export function uniqueCopy(source: string, to: string): { sha1: string; sha256: string; md5: string } {
  const bytes = Buffer.concat([readFileSync(source), randomBytes(64)]);
  writeFileSync(to, bytes, { mode: 0o755 });
  const h = (a: string) => createHash(a).update(bytes).digest('hex');
  return { sha1: h('sha1'), sha256: h('sha256'), md5: h('md5') };
}

/** Starts `path args…` and resolves once it runs (its /proc entry shows the image). */
export async function startProcess(path: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(path, args, { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  return child;
}

/** Resolves with the signal a process ended by (null when it exited), or 'timeout' after `ms`. */
export function ended(child: ChildProcess, ms = 5_000): Promise<NodeJS.Signals | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (_c, s) => { clearTimeout(t); resolve(s); });
  });
}
