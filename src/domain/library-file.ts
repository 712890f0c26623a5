/**
 * The live response library (MDE reference §2.8): files a tenant uploads once and then puts on
 * devices (`PutFile`) or runs there (`RunScript`). The record, the rules of a library file's name
 * and the upload's bounds. How a library file is stored and shown is declared once in
 * src/entities/library-file.ts; its bytes live in the FileStore under `blobKey`. Pure; no I/O.
 */
import { PalisadeError } from './errors.ts';

const invalid = (msg: string) => new PalisadeError('InvalidInput', msg);

/** Largest library file MDE accepts (20 MB). */
export const MAX_LIBRARY_FILE_BYTES = 20 * 1024 * 1024;
/** Longest file name, description and parameters description accepted. */
export const MAX_LIBRARY_FILE_NAME = 255;
export const MAX_LIBRARY_TEXT = 4_000;
/** Most library files a tenant may hold. */
export const MAX_LIBRARY_FILES = 1_000;

/** One file of a tenant's live response library. */
export interface LibraryFile {
  tenantId: string;
  /** The name as uploaded; unique per tenant regardless of case (`fileNameKey`). */
  fileName: string;
  /** The lower-cased name: the key that makes names unique per tenant. */
  fileNameKey: string;
  sha256: string;
  size: number;
  description: string | null;
  creationTime: string;
  lastUpdatedTime: string;
  /** The app or user that uploaded it (last). */
  createdBy: string;
  hasParameters: boolean;
  parametersDescription: string | null;
  /** Where the bytes are in the FileStore (a fresh key per upload, so a replaced file's bytes never mix with the new ones). */
  blobKey: string;
}

/**
 * Checks a library file name as sent (a plain file name: no path separator, no control character,
 * not `.` or `..`, at most 255 characters) and returns it trimmed; 400 InvalidInput otherwise.
 */
export function checkLibraryFileName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim()) throw invalid('A library file needs a file name');
  const n = name.trim();
  if (n.length > MAX_LIBRARY_FILE_NAME) throw invalid(`A library file name is at most ${MAX_LIBRARY_FILE_NAME} characters`);
  const control = [...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (control || n.includes('/') || n.includes('\\') || n === '.' || n === '..') {
    const shown = [...n].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');
    throw invalid(`'${shown}' is not a valid library file name: use a plain file name without path separators or control characters`);
  }
  return n;
}

/** The key a file name is unique under within a tenant. */
export function libraryFileKey(name: string): string {
  return name.toLowerCase();
}
