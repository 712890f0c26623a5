/**
 * The FileStore port over a local directory (under the data directory: `<data>/files`). A key's
 * segments become subdirectories; a write goes to a temporary file beside its target, hashed while
 * it streams, flushed, then renamed over the target, so a reader sees the old bytes or all of the
 * new ones. Directories are created 0700 and files 0600: the bytes are tenants' data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { PalisadeError } from '../../domain/errors.ts';
import type { FileStore, StoredFile } from '../../domain/ports.ts';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The path of `key` under `root`; a key that is not segments of [A-Za-z0-9._-] (or tries `..`) is an Error. */
function pathOf(root: string, key: string): string {
  const segments = key.split('/');
  if (!segments.length || segments.some((s) => !SEGMENT.test(s))) throw new Error(`file store key '${key}' is not made of safe path segments`);
  return join(root, ...segments);
}

/** A FileStore keeping its files under `root` (created when missing). */
export function createLocalFileStore(root: string): FileStore {
  return {
    async put(key, data, maxBytes): Promise<StoredFile> {
      const target = pathOf(root, key);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${target}.part-${randomBytes(6).toString('hex')}`;
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > maxBytes) {
            done(new PalisadeError('PayloadTooLarge', `The file is larger than the ${maxBytes} bytes accepted here`));
            return;
          }
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(data, meter, createWriteStream(temp, { mode: 0o600, flags: 'wx' }));
        const fh = await open(temp, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(temp, target);
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
      return { size, sha256: hash.digest('hex') };
    },

    async open(key) {
      const path = pathOf(root, key);
      let fh;
      try {
        fh = await open(path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      // the open descriptor keeps these bytes readable even if the key is replaced or deleted meanwhile
      const s = await fh.stat();
      if (!s.isFile()) {
        await fh.close();
        return null;
      }
      return { size: s.size, stream: fh.createReadStream() };
    },

    async exists(key) {
      try {
        return (await stat(pathOf(root, key))).isFile();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    },

    async delete(key) {
      const path = pathOf(root, key);
      try {
        await stat(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
      await rm(path, { force: true });
      return true;
    },
  };
}
