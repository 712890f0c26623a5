/**
 * SHA1, SHA256 and MD5 of executable images and files, read in one pass, with a cache keyed by the
 * file's identity (device, inode, size, modification time): a binary started a thousand times is
 * hashed once, and a binary replaced in place is hashed again.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** The three hashes of a file, lower-case hex. */
export interface FileHashes {
  sha1: string;
  sha256: string;
  md5: string;
  size: number;
}

/** A file's identity as the cache keys it. */
export interface FileIdentity {
  dev: number | bigint;
  ino: number | bigint;
  size: number;
  /** Modification time, ns since the epoch (or any monotone number of the same file version). */
  mtime: number | bigint;
}

/** Hashes files; concurrent requests for one file version share one read. */
export class ImageHasher {
  private readonly cache = new Map<string, Promise<FileHashes | null>>();
  private readonly maxEntries: number;
  /** Files larger than this are not hashed (null). */
  private readonly maxFileBytes: number;

  constructor(opts: { maxEntries?: number; maxFileBytes?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.maxFileBytes = opts.maxFileBytes ?? 512 * 1024 * 1024;
  }

  /**
   * The hashes of the file at `path`, whose identity is `id` when the caller knows it (the process
   * helper stats /proc/PID/exe), else taken from stat(path). Null when it cannot be read, and when
   * `id` is given and the file `path` opens is another one (a process in a container ran a file
   * whose path names a different file here): no hash rather than a wrong one.
   */
  async hash(path: string, id?: FileIdentity): Promise<FileHashes | null> {
    let ident = id;
    if (!ident) {
      try {
        const st = await stat(path, { bigint: true });
        if (!st.isFile()) return null;
        ident = { dev: st.dev, ino: st.ino, size: Number(st.size), mtime: st.mtimeNs };
      } catch {
        return null;
      }
    }
    const key = `${ident.dev}:${ident.ino}:${ident.size}:${ident.mtime}`;
    const hit = this.cache.get(key);
    if (hit) {
      // refresh its place: the map's order is the eviction order
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const p = ident.size > this.maxFileBytes ? Promise.resolve(null) : hashFile(path, id);
    this.cache.set(key, p);
    p.then((r) => { if (r === null) this.cache.delete(key); }, () => this.cache.delete(key));
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }
}

/**
 * Reads a file once and returns its SHA1, SHA256 and MD5; null when it cannot be read, or when
 * `expect` is given and the opened file is not that one (device, inode and size).
 */
export async function hashFile(path: string, expect?: FileIdentity): Promise<FileHashes | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  if (expect) {
    const st = await fh.stat({ bigint: true }).catch(() => null);
    if (!st || st.dev !== BigInt(expect.dev) || st.ino !== BigInt(expect.ino) || Number(st.size) !== expect.size) {
      await fh.close().catch(() => undefined);
      return null;
    }
  }
  return new Promise((resolve) => {
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    const s = fh.createReadStream({ highWaterMark: 1 << 20 });
    s.on('data', (c) => {
      const b = c as Buffer;
      size += b.length;
      sha1.update(b);
      sha256.update(b);
      md5.update(b);
    });
    s.on('error', () => resolve(null));
    s.on('end', () => resolve({ sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), md5: md5.digest('hex'), size }));
  });
}
