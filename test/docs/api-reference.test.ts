/**
 * The committed API reference (docs/api/openapi.json and docs/api/reference.md) must equal what
 * `npm run docs` generates from the app now, and must cover every documented /api route.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_DOCS_MARKER, REPO_ROOT, buildOpenApiDocument, generatedApiDocs, type GeneratedDoc } from '../../tools/gen-docs.ts';
import type { OpenApiLike } from '../../tools/api-reference.ts';

let doc: OpenApiLike;
let files: GeneratedDoc[];

beforeAll(async () => {
  doc = await buildOpenApiDocument();
  files = await generatedApiDocs(doc);
}, 60_000);

const onDisk = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('generated API reference', () => {
  it('docs/api/openapi.json is up to date (run `npm run docs` when this fails)', () => {
    const f = files.find((x) => x.path === 'docs/api/openapi.json')!;
    const committed = onDisk(f.path);
    expect(JSON.parse(committed).info['x-generated']).toBe(API_DOCS_MARKER);
    expect(committed).toBe(f.content);
  });

  it('docs/api/reference.md is up to date (run `npm run docs` when this fails)', () => {
    const f = files.find((x) => x.path === 'docs/api/reference.md')!;
    const committed = onDisk(f.path);
    expect(committed.split('\n')[0]).toBe(`<!-- ${API_DOCS_MARKER} -->`);
    expect(committed).toBe(f.content);
  });

  it('documents every /api and Graph (/v1.0/security) operation with its permissions', () => {
    const md = files.find((x) => x.path === 'docs/api/reference.md')!.content;
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));
    expect(operations.length).toBeGreaterThan(0);
    for (const { method, path, op } of operations) {
      expect(path.startsWith('/api/') || path.startsWith('/v1.0/security/'), path).toBe(true);
      expect(md, `${method} ${path}`).toContain(`\`${method.toUpperCase()} ${path}\``);
      expect(op.description, `${method} ${path}`).toMatch(/^Requires one of: \S/);
    }
  });
});
