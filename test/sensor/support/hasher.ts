/** A FileHasher for handler tests: reads the whole file each time. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FileHasher } from '../../../src/sensor/actions/handler.ts';

export const testHasher: FileHasher = {
  async hash(path) {
    try {
      const b = await readFile(path);
      const h = (a: string) => createHash(a).update(b).digest('hex');
      return { sha1: h('sha1'), sha256: h('sha256'), md5: h('md5'), size: b.length };
    } catch {
      return null;
    }
  },
};
