/**
 * The live response library behind `/api/libraryfiles` (MDE reference §2.8) and the sensor's
 * `GET /sensor/v1/library/{fileName}`: list, upload (a multipart form streamed into the FileStore,
 * ≤ 20 MB), delete, and a device's download of a file for PutFile or RunScript. Every call of the
 * API needs `Library.Manage` and is audited, a refused or failed one included. An upload is
 * written to a fresh key before its row commits, and the bytes a replace or delete leaves behind are
 * removed after the commit, so a file's row always names bytes that exist.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import {
  checkLibraryFileName, libraryFileKey, MAX_LIBRARY_FILE_BYTES, MAX_LIBRARY_FILES, MAX_LIBRARY_TEXT, type LibraryFile,
} from '../domain/library-file.ts';
import type { ListQuery } from '../domain/list-query.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { FileStore, Page, StateStore } from '../domain/ports.ts';
import { audited, auditRecord } from './audit.ts';

/** One part of an uploaded form: a text field, or the file (its bytes consumed once, in order). */
export type UploadPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; fileName: string; content: AsyncIterable<Uint8Array> };

/** Who is downloading a library file: the device a sensor credential proved. */
export interface LibraryReader {
  tenantId: string;
  deviceId: string;
}

/** The form's fields as MDE names them, matched regardless of case. */
const FIELDS = ['File', 'Description', 'ParametersDescription', 'HasParameters', 'OverrideIfExists'] as const;
type FieldName = (typeof FIELDS)[number];

function fieldName(name: string): FieldName | null {
  return FIELDS.find((f) => f.toLowerCase() === name.trim().toLowerCase()) ?? null;
}

function booleanField(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw errors.invalidBody(`'${name}' must be true or false`);
}

function textField(name: string, v: string | undefined): string | null {
  if (v === undefined) return null;
  if (v.length > MAX_LIBRARY_TEXT) throw errors.invalidBody(`'${name}' is longer than ${MAX_LIBRARY_TEXT} characters`);
  return v;
}

/** The library's use cases. */
export class LibraryService {
  constructor(
    private readonly store: StateStore,
    private readonly files: FileStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** GET /api/libraryfiles. */
  async list(ctx: Ctx, q: ListQuery): Promise<Page<LibraryFile>> {
    authz.require(ctx, REQUIRE.library);
    return this.store.libraryFiles.list(ctx.tenantId, q);
  }

  /**
   * POST /api/libraryfiles: reads the form's parts in order — the file streamed into the file store
   * (more than 20 MB refused), the fields kept — then adds the file, or replaces the one of that
   * name when `OverrideIfExists` is true (else 400).
   */
  async upload(ctx: Ctx, parts: AsyncIterable<UploadPart>): Promise<LibraryFile> {
    let target = '(unnamed)';
    let blobKey: string | null = null;
    // audited() records the failures of the transaction; the ones before it are recorded here
    let auditedByTx = false;
    try {
      authz.require(ctx, REQUIRE.library);
      const fields = new Map<FieldName, string>();
      let upload: { fileName: string; size: number; sha256: string } | null = null;
      for await (const part of parts) {
        const name = fieldName(part.name);
        if (part.kind === 'file') {
          if (name !== 'File' || upload) {
            throw errors.invalidBody(name === 'File' ? "Send one file, in the form field 'File'" : `Form field '${part.name}' cannot hold a file; send the file as 'File'`);
          }
          target = part.fileName;
          const fileName = checkLibraryFileName(part.fileName);
          blobKey = `library/${ctx.tenantId}/${randomUUID()}`;
          const stored = await this.files.put(blobKey, part.content, MAX_LIBRARY_FILE_BYTES);
          upload = { fileName, ...stored };
        } else if (name && name !== 'File') {
          fields.set(name, part.value);
        } else {
          throw errors.invalidBody(`'${part.name}' is not a field of a library file upload; the fields are ${FIELDS.join(', ')}`);
        }
      }
      if (!upload) throw new PalisadeError('MissingRequiredParameter', "The file is missing: send it as the multipart form field 'File'");
      const file = upload;
      const description = textField('Description', fields.get('Description'));
      const parametersDescription = textField('ParametersDescription', fields.get('ParametersDescription'));
      const override = booleanField('OverrideIfExists', fields.get('OverrideIfExists')) ?? false;
      const hasParameters = booleanField('HasParameters', fields.get('HasParameters')) ?? (parametersDescription !== null && parametersDescription.trim() !== '');
      const key = blobKey!;
      const details = JSON.stringify({ size: file.size, sha256: file.sha256, override });
      auditedByTx = true;
      const { saved, replaced } = await audited(this.store, ctx, this.clock, 'library.upload', file.fileName, async (r) => {
        const now = this.clock().toISOString();
        const record = {
          fileName: file.fileName, sha256: file.sha256, size: file.size, description, lastUpdatedTime: now, createdBy: this.creatorOf(ctx),
          hasParameters, parametersDescription, blobKey: key,
        };
        const existing = await r.libraryFiles.get(ctx.tenantId, file.fileName);
        if (existing) {
          if (!override) throw errors.badRequest(`A library file named '${existing.fileName}' already exists; send OverrideIfExists=true to replace it`);
          return { saved: (await r.libraryFiles.replace(ctx.tenantId, file.fileName, record))!, replaced: existing };
        }
        if (await r.libraryFiles.count(ctx.tenantId) >= MAX_LIBRARY_FILES) throw errors.badRequest(`The library holds at most ${MAX_LIBRARY_FILES} files; delete one first`);
        const created: LibraryFile = { tenantId: ctx.tenantId, fileNameKey: libraryFileKey(file.fileName), creationTime: now, ...record };
        await r.libraryFiles.insert(created);
        return { saved: created, replaced: null };
      }, details);
      blobKey = null;
      if (replaced) await this.files.delete(replaced.blobKey);
      return saved;
    } catch (e) {
      if (blobKey) await this.files.delete(blobKey).catch(() => false);
      if (!auditedByTx) await this.recordFailure(ctx, 'library.upload', target, e);
      throw e;
    }
  }

  /** DELETE /api/libraryfiles/{fileName}: 404 when there is no such file. */
  async delete(ctx: Ctx, fileName: string): Promise<void> {
    const removed = await audited(this.store, ctx, this.clock, 'library.delete', fileName, async (r) => {
      authz.require(ctx, REQUIRE.library);
      const gone = await r.libraryFiles.delete(ctx.tenantId, fileName);
      if (!gone) throw errors.notFound(`Library file ${fileName} was not found`);
      return gone;
    });
    await this.files.delete(removed.blobKey);
  }

  /** A library file's record and bytes for a device of its tenant (PutFile, RunScript); 404 when there is none. */
  async download(reader: LibraryReader, fileName: string): Promise<{ file: LibraryFile; size: number; content: AsyncIterable<Uint8Array> }> {
    const file = await this.store.libraryFiles.get(reader.tenantId, fileName);
    const opened = file ? await this.files.open(file.blobKey) : null;
    if (!file || !opened) throw errors.notFound(`Library file ${fileName} was not found`);
    return { file, size: opened.size, content: opened.stream };
  }

  private creatorOf(ctx: Ctx): string {
    return ctx.principal.kind === 'app' ? ctx.principal.id : ctx.principal.name;
  }

  private async recordFailure(ctx: Ctx, action: string, target: string, e: unknown): Promise<void> {
    const why = e instanceof Error ? e.message : String(e);
    await this.store.audit.append(auditRecord(ctx, this.clock(), action, target.slice(0, 300), 'failure', JSON.stringify({ error: why.slice(0, 500) }))).catch(() => undefined);
  }
}
