import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CompressedFiles, pickEncoding } from './compressed-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'palisade-compressed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pickEncoding', () => {
  it('prefers Brotli, then gzip, honours q=0 and the wildcard', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip, deflate')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0')).toBe('identity');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*, br;q=0')).toBe('gzip');
    expect(pickEncoding('identity')).toBe('identity');
    expect(pickEncoding('')).toBe('identity');
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('br;q=abc')).toBe('identity');
  });
});

describe('CompressedFiles', () => {
  const files = new CompressedFiles();
  const text = 'const palisade = "console";\n'.repeat(400);

  it('compresses text files once asked, and gives back the same bytes', async () => {
    const file = join(dir, 'app.js');
    writeFileSync(file, text);
    const br = await files.read(file, 'br');
    expect(br.encoding).toBe('br');
    expect(br.body.length).toBeLessThan(text.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(text);
    const gz = await files.read(file, 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(text);
    expect((await files.read(file, 'identity')).body.toString()).toBe(text);
  });

  it('sends small files, images and fonts of compressed formats as they are', async () => {
    writeFileSync(join(dir, 'tiny.js'), 'x()');
    writeFileSync(join(dir, 'font.woff2'), text);
    expect((await files.read(join(dir, 'tiny.js'), 'br')).encoding).toBe('identity');
    expect((await files.read(join(dir, 'font.woff2'), 'gzip'))).toEqual({ encoding: 'identity', body: Buffer.from(text) });
  });

  it('compresses a rebuilt file again', async () => {
    const file = join(dir, 'index.html');
    writeFileSync(file, `<p>${text}</p>`);
    expect(brotliDecompressSync((await files.read(file, 'br')).body).toString()).toBe(`<p>${text}</p>`);
    writeFileSync(file, `<div>${text}</div>`);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(brotliDecompressSync((await files.read(file, 'br')).body).toString()).toBe(`<div>${text}</div>`);
  });
});
