import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKeyRing, readKeyRing, withNewKey, writeKeyRing } from './secret-key.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'palisade-ring-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('key ring files', () => {
  it('is made once, 0600, with one key; two makers agree', () => {
    const path = join(tempDir(), 'k', 'ring.key');
    expect(readKeyRing(path)).toBeNull();
    const a = loadOrCreateKeyRing(path);
    const b = loadOrCreateKeyRing(path);
    expect(a).toHaveLength(1);
    expect(b[0].equals(a[0])).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('holds several keys oldest first, and a file of the wrong length is an error naming it', () => {
    const path = join(tempDir(), 'ring.key');
    const keys = withNewKey(withNewKey([]));
    writeKeyRing(path, keys);
    expect(readKeyRing(path)?.map((k) => k.toString('hex'))).toEqual(keys.map((k) => k.toString('hex')));
    writeKeyRing(path, keys.slice(1));
    expect(readKeyRing(path)).toHaveLength(1);
    expect(() => writeKeyRing(path, [])).toThrow();
    const bad = join(tempDir(), 'bad.key');
    loadOrCreateKeyRing(bad);
    writeKeyRing(bad, keys);
    appendFileSync(bad, Buffer.from([1, 2, 3]));
    expect(() => readKeyRing(bad)).toThrow(bad);
  });
});
