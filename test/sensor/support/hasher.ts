/** A FileHasher for handler tests, caching by the file's device, inode, size and mtime. */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { FileHasher, FileHashes } from '../../../src/sensor/actions/handler.ts';

const cache = new Map<string, FileHashes>();

export const testHasher: FileHasher = {
  async hash(path) {
    try {
      const st = await stat(path, { bigint: true });
      if (!st.isFile()) return null;
      const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const b = await readFile(path);
      const h = (a: string) => createHash(a).update(b).digest('hex');
      const r = { sha1: h('sha1'), sha256: h('sha256'), md5: h('md5'), size: b.length };
      cache.set(key, r);
      return r;
    } catch {
      return null;
    }
  },
};
