import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalFileStore } from './local-file-store.ts';

const root = mkdtempSync(join(tmpdir(), 'palisade-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readAll(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('local file store', () => {
  const store = createLocalFileStore(root);

  it('streams a file in, hashing it, and reads it back', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
    const stored = await store.put('results/t1/a/0', Readable.from(chunks), 1_000_000);
    const all = Buffer.concat(chunks);
    expect(stored).toEqual({ size: all.length, sha256: createHash('sha256').update(all).digest('hex') });
    const back = await store.open('results/t1/a/0');
    expect(back?.size).toBe(all.length);
    expect((await readAll(back!.stream)).equals(all)).toBe(true);
    expect(statSync(join(root, 'results/t1/a/0')).mode & 0o777).toBe(0o600);
  });

  it('refuses a file past the bound and keeps nothing of it, nor of the old bytes being replaced', async () => {
    await store.put('library/t1/x', Readable.from([Buffer.from('old')]), 100);
    await expect(store.put('library/t1/x', Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), 100)).rejects.toMatchObject({ code: 'PayloadTooLarge' });
    expect((await readAll((await store.open('library/t1/x'))!.stream)).toString()).toBe('old');
    expect(readdirSync(join(root, 'library/t1'))).toEqual(['x']);
  });

  it('keeps nothing when the source fails midway', async () => {
    async function* failing() {
      yield Buffer.from('part');
      throw new Error('connection reset');
    }
    await expect(store.put('library/t1/y', failing(), 100)).rejects.toThrow('connection reset');
    expect(await store.open('library/t1/y')).toBeNull();
    expect(readdirSync(join(root, 'library/t1'))).toEqual(['x']);
  });

  it('deletes, and answers a missing key with null or false', async () => {
    expect(await store.exists('library/t1/x')).toBe(true);
    expect(await store.delete('library/t1/x')).toBe(true);
    expect(await store.exists('library/t1/x')).toBe(false);
    expect(await store.delete('library/t1/x')).toBe(false);
    expect(await store.open('library/t1/x')).toBeNull();
  });

  it('refuses keys that are not safe path segments', async () => {
    for (const key of ['../escape', 'a/../../b', '/abs', 'a//b', 'a/.hidden/..', 'a b']) {
      await expect(store.open(key)).rejects.toThrow('safe path segments');
    }
  });
});

describe('secret key file', () => {
  it('is created once, 32 bytes, mode 0600, and read back the same', async () => {
    const { loadOrCreateSecretKey } = await import('./secret-key.ts');
    const path = join(root, 'keys', 'links.key');
    const a = loadOrCreateSecretKey(path);
    expect(a.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecretKey(path).equals(a)).toBe(true);
  });
});
