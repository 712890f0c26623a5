/**
 * Where consumer groups' cursors live: one small file per group under a directory (written to a
 * temporary file, flushed and renamed over the old one, so a crash leaves the old or the new
 * position, never a torn one), or a map in memory for tests.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CursorStore } from '../../domain/ports.ts';

const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws unless `group` is a usable consumer group name (letters, digits, . _ -; at most 64). */
export function checkGroupName(group: string): void {
  if (!GROUP.test(group)) throw new Error(`consumer group name '${group}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
}

/** Cursors as files `<dir>/<group>.cursor` holding the seq as decimal text; the directory is created when missing. */
export function createFileCursorStore(dir: string): CursorStore {
  let made: Promise<unknown> | null = null;
  return {
    async load(group) {
      checkGroupName(group);
      try {
        const text = (await readFile(join(dir, `${group}.cursor`), 'utf8')).trim();
        if (!/^\d+$/.test(text)) throw new Error(`the cursor file of consumer group '${group}' holds '${text.slice(0, 40)}', not a sequence number`);
        return Number(text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async save(group, seq) {
      checkGroupName(group);
      made ??= mkdir(dir, { recursive: true, mode: 0o700 });
      await made;
      const path = join(dir, `${group}.cursor`);
      const tmp = `${path}.tmp`;
      const f = await open(tmp, 'w', 0o600);
      try {
        await f.writeFile(`${seq}\n`);
        await f.sync();
      } finally {
        await f.close();
      }
      await rename(tmp, path);
    },
  };
}

/** Cursors in a map (tests; a restart of the process forgets them, a new queue over the same map does not). */
export function createMemoryCursorStore(initial: Record<string, number> = {}): CursorStore & { readonly saved: ReadonlyMap<string, number> } {
  const saved = new Map(Object.entries(initial));
  return {
    saved,
    async load(group) {
      checkGroupName(group);
      return saved.get(group) ?? null;
    },
    async save(group, seq) {
      checkGroupName(group);
      saved.set(group, seq);
    },
  };
}
