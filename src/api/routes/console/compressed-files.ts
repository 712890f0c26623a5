/**
 * The console's files as the browser asks for them: Brotli or gzip when its Accept-Encoding takes
 * one and the type is text-like, else as stored. Each file is compressed once and kept in memory
 * (the console is built once per install, about 12 MB, mostly the hunting editor's Kusto worker,
 * which Brotli at quality 5 takes to 2 MB in about 0.2 s); an entry is dropped when the file's size
 * or modification time changes (a rebuild).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** An encoding the console's files may be sent in. */
export type FileEncoding = 'br' | 'gzip' | 'identity';

/** The extensions worth compressing: text, and WebAssembly. Images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.wasm', '.ttf']);

/** Smaller files are sent as they are: the headers would outweigh the saving. */
const MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * The best encoding an Accept-Encoding header allows, Brotli first; `identity` when it names
 * neither or refuses them with q=0.
 */
export function pickEncoding(acceptEncoding: string | undefined): FileEncoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name) accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weight = (e: string) => accepted.get(e) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}

interface Entry {
  size: number;
  mtimeMs: number;
  body: Promise<Buffer>;
}

/** Reads and compresses the console's files, remembering the results. */
export class CompressedFiles {
  private readonly cache = new Map<string, Entry>();

  /** The file's bytes in `wanted` when that is worth it, and the encoding actually used. */
  async read(file: string, wanted: FileEncoding): Promise<{ body: Buffer; encoding: FileEncoding }> {
    const st = await stat(file);
    const encoding = wanted !== 'identity' && st.size >= MIN_BYTES && COMPRESSIBLE.has(extname(file).toLowerCase()) ? wanted : 'identity';
    if (encoding === 'identity') return { body: await readFile(file), encoding };
    const key = `${encoding} ${file}`;
    let entry = this.cache.get(key);
    if (!entry || entry.size !== st.size || entry.mtimeMs !== st.mtimeMs) {
      const body = readFile(file).then((raw) => encoding === 'br'
        ? brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
        : gz(raw, { level: 9 }));
      entry = { size: st.size, mtimeMs: st.mtimeMs, body };
      this.cache.set(key, entry);
      body.catch(() => this.cache.delete(key));
    }
    return { body: await entry.body, encoding };
  }
}
