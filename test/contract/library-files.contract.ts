/**
 * The LibraryFileRepo part of the StateStore contract (state-store.contract.ts calls it inside each
 * adapter's suite): every declared column round-trips, names are unique per tenant regardless of
 * case, replace keeps the creation time, list queries filter and order, tenants stay apart, and a
 * transaction that fails leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../src/domain/errors.ts';
import { libraryFileKey, type LibraryFile } from '../../src/domain/library-file.ts';
import type { ListQuery } from '../../src/domain/list-query.ts';
import type { StateStore } from '../../src/domain/ports.ts';

const T0 = '2025-06-15T12:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** A complete library file with defaults; `over` replaces fields. */
export function makeLibraryFile(tenantId: string, fileName: string, over: Partial<LibraryFile> = {}): LibraryFile {
  return {
    tenantId, fileName, fileNameKey: libraryFileKey(fileName), sha256: 'ab'.repeat(32), size: 12, description: 'A script', creationTime: T0,
    lastUpdatedTime: T0, createdBy: 'app-1', hasParameters: false, parametersDescription: null, blobKey: `library/${tenantId}/${randomUUID()}`, ...over,
  };
}

const q = (over: Partial<ListQuery> = {}): ListQuery => ({ top: 100, skip: 0, count: false, orderBy: [], ...over });

/** The library cases; `shared` is a migrated store. */
export function describeLibraryFileContract(shared: () => StateStore): void {
  const tenant = async (store: StateStore) => {
    const id = randomUUID();
    await store.tenants.create({ id, name: 'Library', createdAt: T0 });
    return id;
  };

  describe('library files', () => {
    it('round-trips every field, nulls included, and finds a file by its name in any case', async () => {
      const store = shared();
      const t = await tenant(store);
      const full = makeLibraryFile(t, 'Collect.SH', { description: null, hasParameters: true, parametersDescription: 'case id', size: 20 * 1024 * 1024 });
      await store.libraryFiles.insert(full);
      expect(await store.libraryFiles.get(t, 'Collect.SH')).toEqual(full);
      expect(await store.libraryFiles.get(t, 'collect.sh')).toEqual(full);
      expect(await store.libraryFiles.get(t, 'other.sh')).toBeNull();
    });

    it('keeps names unique per tenant regardless of case, and tenants apart', async () => {
      const store = shared();
      const [t, u] = [await tenant(store), await tenant(store)];
      await store.libraryFiles.insert(makeLibraryFile(t, 'run.ps1'));
      const dup = store.libraryFiles.insert(makeLibraryFile(t, 'RUN.ps1'));
      await expect(dup).rejects.toBeInstanceOf(PalisadeError);
      await expect(dup).rejects.toMatchObject({ code: 'Conflict' });
      await store.libraryFiles.insert(makeLibraryFile(u, 'run.ps1', { description: 'theirs' }));
      expect((await store.libraryFiles.get(t, 'run.ps1'))?.description).toBe('A script');
      expect((await store.libraryFiles.get(u, 'run.ps1'))?.description).toBe('theirs');
      expect(await store.libraryFiles.count(t)).toBe(1);
      expect(await store.libraryFiles.delete(u, 'RUN.PS1')).toMatchObject({ tenantId: u, fileName: 'run.ps1' });
      expect(await store.libraryFiles.get(t, 'run.ps1')).not.toBeNull();
    });

    it('replaces content and metadata, keeping the creation time and the name key', async () => {
      const store = shared();
      const t = await tenant(store);
      const first = makeLibraryFile(t, 'tool.sh');
      await store.libraryFiles.insert(first);
      const patch = {
        fileName: 'Tool.sh', sha256: 'cd'.repeat(32), size: 99, description: 'v2', lastUpdatedTime: at(5), createdBy: 'app-2',
        hasParameters: true, parametersDescription: '-x', blobKey: `library/${t}/v2`,
      };
      expect(await store.libraryFiles.replace(t, 'TOOL.SH', patch)).toEqual({ ...first, ...patch });
      expect(await store.libraryFiles.replace(t, 'missing.sh', patch)).toBeNull();
    });

    it('lists with filters, ordering, paging and a count', async () => {
      const store = shared();
      const t = await tenant(store);
      for (const [i, name] of ['b.sh', 'A.sh', 'c.ps1'].entries()) {
        await store.libraryFiles.insert(makeLibraryFile(t, name, { creationTime: at(i), lastUpdatedTime: at(i), hasParameters: name === 'c.ps1' }));
      }
      const names = (p: { items: LibraryFile[] }) => p.items.map((f) => f.fileName);
      expect(names(await store.libraryFiles.list(t, q()))).toEqual(['A.sh', 'b.sh', 'c.ps1']);
      expect(names(await store.libraryFiles.list(t, q({ orderBy: [{ field: 'creationTime', dir: 'desc' }] })))).toEqual(['c.ps1', 'A.sh', 'b.sh']);
      const params = await store.libraryFiles.list(t, q({ filter: { kind: 'cmp', field: 'hasParameters', op: 'eq', value: true }, count: true }));
      expect([names(params), params.total]).toEqual([['c.ps1'], 1]);
      const byName = await store.libraryFiles.list(t, q({ filter: { kind: 'cmp', field: 'fileName', op: 'eq', value: 'a.SH' } }));
      expect(names(byName)).toEqual(['A.sh']);
      const page = await store.libraryFiles.list(t, q({ top: 1, skip: 1, count: true }));
      expect([names(page), page.total]).toEqual([['b.sh'], 3]);
    });

    it('leaves nothing of a transaction that fails', async () => {
      const store = shared();
      const t = await tenant(store);
      await expect(store.tx(async (r) => {
        await r.libraryFiles.insert(makeLibraryFile(t, 'half.sh'));
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');
      expect(await store.libraryFiles.get(t, 'half.sh')).toBeNull();
    });
  });
}
