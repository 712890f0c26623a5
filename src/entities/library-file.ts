/**
 * The live response library file entity (MDE reference §2.8), declared once: its properties in the
 * key order MDE documents (`fileName`, `sha256`, `description`, `creationTime`, `lastUpdatedTime`,
 * `createdBy`, `hasParameters`, `parametersDescription`) and how the domain LibraryFile is stored in
 * the `library_files` table (migration 0008-library-files). The size and where the bytes are kept
 * are stored but never shown.
 */
import type { LibraryFile } from '../domain/library-file.ts';
import type { RowOf, StorageOf } from './declaration.ts';
import { defineEntity } from './entity.ts';

/** How each LibraryFile field is stored. */
const LIBRARY_FILE_STORAGE = {
  tenantId: { column: 'tenant_id', codec: 'text', immutable: true },
  fileNameKey: { column: 'file_name_key', codec: 'text', immutable: true },
  fileName: { column: 'file_name', codec: 'text' },
  sha256: { column: 'sha256', codec: 'text' },
  size: { column: 'size', codec: 'integer' },
  description: { column: 'description', codec: 'text', nullable: true },
  creationTime: { column: 'creation_time', codec: 'instant', immutable: true },
  lastUpdatedTime: { column: 'last_updated_time', codec: 'instant' },
  createdBy: { column: 'created_by', codec: 'text' },
  hasParameters: { column: 'has_parameters', codec: 'boolean' },
  parametersDescription: { column: 'parameters_description', codec: 'text', nullable: true },
  blobKey: { column: 'blob_key', codec: 'text' },
} as const satisfies StorageOf<LibraryFile>;

/** The `library_files` row (kysely table type). */
export type LibraryFilesRow = RowOf<typeof LIBRARY_FILE_STORAGE>;

/** Live response library files: /api/libraryfiles, `#LibraryFiles`. Ordered by name. */
export const LIBRARY_FILE = defineEntity<LibraryFile>({
  set: 'LibraryFiles',
  description: 'A file of the live response library (PutFile puts it on a device, RunScript runs it there)',
  table: 'library_files',
  key: 'fileNameKey',
  maxTop: 10_000,
  defaultTop: 10_000,
  defaultOrder: [{ field: 'fileName', dir: 'asc' }],
  storage: LIBRARY_FILE_STORAGE,
  properties: [
    { name: 'fileName', type: 'string', filter: { ignoreCase: true } },
    { name: 'sha256', type: 'string', filter: true },
    { name: 'description', type: 'string', nullable: true },
    { name: 'creationTime', type: 'datetime', filter: true },
    { name: 'lastUpdatedTime', type: 'datetime', filter: true },
    { name: 'createdBy', type: 'string', filter: true },
    { name: 'hasParameters', type: 'boolean', filter: true },
    { name: 'parametersDescription', type: 'string', nullable: true },
  ],
});
