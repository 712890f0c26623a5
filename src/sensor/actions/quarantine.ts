/**
 * The quarantine: files taken off the device's file system by StopAndQuarantineFile and by indicator
 * enforcement. The folder (`<stateDir>/quarantine`) is root's alone (0700); each file is moved in
 * under a name of its own with no permission bits, beside a JSON metadata file saying what it was,
 * where it came from and why it was taken.
 */
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHashes } from './handler.ts';

/** What the quarantine records about a file it holds. */
export interface QuarantineRecord {
  id: string;
  originalPath: string;
  sha1: string;
  sha256: string;
  md5: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: string;
  quarantinedAt: string;
  /** Why: the action id, or the indicator that matched. */
  reason: string;
  /** Processes stopped before the file was taken. */
  stoppedPids: number[];
}

/** The quarantine folder under a sensor's state directory. */
function quarantineDir(stateDir: string): string {
  return join(stateDir, 'quarantine');
}

/**
 * Moves the file at `path` into the quarantine folder under `stateDir` and writes its metadata;
 * resolves with the record. A file on another file system is copied, then removed.
 */
export async function quarantineFile(stateDir: string, path: string, hashes: FileHashes, reason: string, stoppedPids: number[]): Promise<QuarantineRecord & { storedAt: string }> {
  const dir = quarantineDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const st = await lstat(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  const id = randomUUID();
  const storedAt = join(dir, id);
  try {
    await rename(path, storedAt);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(path, storedAt);
    await unlink(path);
  }
  await chmod(storedAt, 0o000);
  const record: QuarantineRecord = {
    id, originalPath: path, sha1: hashes.sha1, sha256: hashes.sha256, md5: hashes.md5, size: st.size,
    mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime.toISOString(), quarantinedAt: new Date().toISOString(),
    reason, stoppedPids,
  };
  await writeFile(`${storedAt}.json`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return { ...record, storedAt };
}
