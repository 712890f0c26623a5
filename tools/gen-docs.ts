/**
 * `npm run docs`: the API reference generated from the OpenAPI document the server serves. Builds
 * the app in-process (a temporary SQLite state store and an in-memory event stack, so every route
 * `palisade serve` registers is present), takes `app.swagger()`, and writes
 * - docs/api/openapi.json — the document, with `info['x-generated']` saying it is generated,
 * - docs/api/reference.md — a readable page per tag (see api-reference.ts).
 * test/docs/api-reference.test.ts fails when the committed files differ from a fresh generation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compose } from '../src/compose.ts';
import { renderApiReference, type OpenApiLike } from './api-reference.ts';

/** First-line marker of every generated file (the same words as the schema generator's). */
export const API_DOCS_MARKER = 'generated — do not edit (source: the route schemas under src/api; regenerate with `npm run docs`)';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A generated file: path relative to the repository root, and its full content. */
export interface GeneratedDoc {
  path: string;
  content: string;
}

/** The OpenAPI document of the app `palisade serve` runs, marked as generated. */
export async function buildOpenApiDocument(): Promise<OpenApiLike> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-docs-'));
  try {
    const palisade = await compose({ state: join(dir, 'state.db'), events: { path: ':memory:', retentionDays: 30 } });
    try {
      await palisade.app.ready();
      const doc = palisade.app.swagger() as unknown as OpenApiLike;
      return { ...doc, info: { 'x-generated': API_DOCS_MARKER, ...doc.info } };
    } finally {
      await palisade.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files `npm run docs` writes, from `doc` (default: a fresh document). */
export async function generatedApiDocs(doc?: OpenApiLike): Promise<GeneratedDoc[]> {
  const d = doc ?? await buildOpenApiDocument();
  return [
    { path: 'docs/api/openapi.json', content: JSON.stringify(d, null, 2) + '\n' },
    { path: 'docs/api/reference.md', content: renderApiReference(d, API_DOCS_MARKER) },
  ];
}

/** Writes the generated API docs under `root`; returns the paths written. */
export async function writeApiDocs(root: string = REPO_ROOT): Promise<string[]> {
  const files = await generatedApiDocs();
  for (const f of files) {
    const p = join(root, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  return files.map((f) => f.path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const written = await writeApiDocs();
  process.stdout.write(`wrote ${written.join(', ')}\n`);
}
