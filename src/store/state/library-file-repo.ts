/** LibraryFileRepo over kysely: the live response library's rows (the bytes are in the FileStore). */
import type { Kysely } from 'kysely';
import type { LibraryFile } from '../../domain/library-file.ts';
import { libraryFileKey } from '../../domain/library-file.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { LibraryFileRepo, Page } from '../../domain/ports.ts';
import { LIBRARY_FILE } from '../../entities/library-file.ts';
import type { LibraryFilesTable, StateDb } from './db-schema.ts';
import type { StateDialect } from './dialect.ts';
import { patchToColumns, recordToRow, rowToRecord } from './entity-rows.ts';
import { entityQuery } from './list-query-sql.ts';
import { checkPaging, ordered } from './repo-support.ts';
import { conflictAware } from './write-errors.ts';

const toRecord = (r: LibraryFilesTable) => rowToRecord<LibraryFile, LibraryFilesTable>(LIBRARY_FILE.decl, r, {});

/** A LibraryFileRepo on `db` (the store or one transaction). */
export function kyselyLibraryFileRepo(db: Kysely<StateDb>, dialect: StateDialect): LibraryFileRepo {
  const getOne = async (tenantId: string, fileName: string) => {
    const row = await db.selectFrom('library_files').selectAll()
      .where('tenant_id', '=', tenantId).where('file_name_key', '=', libraryFileKey(fileName)).executeTakeFirst();
    return row ? toRecord(row) : null;
  };
  return {
    async insert(f) {
      const row = recordToRow<LibraryFile, LibraryFilesTable>(LIBRARY_FILE.decl, f);
      await conflictAware(dialect, `Library file ${f.fileName}`, () => db.insertInto('library_files').values(row).execute());
    },

    get: getOne,

    async list(tenantId: string, q: ListQuery): Promise<Page<LibraryFile>> {
      checkPaging(q);
      const sqlOf = entityQuery(LIBRARY_FILE.decl, new Date());
      const where = q.filter ? sqlOf.where(q.filter) : null;
      let base = db.selectFrom('library_files').where('tenant_id', '=', tenantId);
      if (where) base = base.where(where);
      const rows = q.top === 0 ? [] : await ordered(base.selectAll(), sqlOf.orderBy(q.orderBy)).limit(q.top).offset(q.skip).execute();
      const items = rows.map(toRecord);
      if (!q.count) return { items };
      const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(counted.n) };
    },

    async replace(tenantId, fileName, patch) {
      const columns = patchToColumns<LibraryFile, LibraryFilesTable>(LIBRARY_FILE.decl, patch);
      const r = await db.updateTable('library_files').set(columns)
        .where('tenant_id', '=', tenantId).where('file_name_key', '=', libraryFileKey(fileName)).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return null;
      return getOne(tenantId, fileName);
    },

    async delete(tenantId, fileName) {
      const before = await getOne(tenantId, fileName);
      if (!before) return null;
      const r = await db.deleteFrom('library_files')
        .where('tenant_id', '=', tenantId).where('file_name_key', '=', before.fileNameKey).executeTakeFirst();
      return Number(r.numDeletedRows) > 0 ? before : null;
    },

    async count(tenantId) {
      const r = await db.selectFrom('library_files').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
