/**
 * The corpus allow-list (conformance/corpus-allow-list.json): queries of the shared corpus that are
 * wrong at their source, each named by its name and the SHA-256 prefix of its text, with the reason.
 * A failing query that matches an entry is reported as wrong at source instead of as a failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One allow-listed query. */
export interface AllowListEntry {
  name: string;
  /** First 16 hex digits of the SHA-256 of the query text. */
  querySha256: string;
  reason: string;
}

/** The project's allow-list file. */
export const DEFAULT_ALLOW_LIST = join(import.meta.dirname, '../../conformance/corpus-allow-list.json');

/** Reads an allow-list file. */
export function loadAllowList(path = DEFAULT_ALLOW_LIST): AllowListEntry[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { entries?: AllowListEntry[] };
  if (!Array.isArray(doc.entries)) throw new Error(`${path}: expected {"entries": [...]}`);
  return doc.entries;
}

/** First 16 hex digits of the SHA-256 of a query text, as allow-list entries name queries. */
export function queryDigest(query: string): string {
  return createHash('sha256').update(query).digest('hex').slice(0, 16);
}

/** The entry for a query (same name and same text), if any. */
export function allowListed(entries: readonly AllowListEntry[], name: string | undefined, query: string): AllowListEntry | undefined {
  const digest = queryDigest(query);
  return entries.find((e) => e.querySha256 === digest && (name === undefined || e.name === name));
}
