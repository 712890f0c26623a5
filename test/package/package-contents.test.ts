import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/**
 * What `npm pack` puts in the package: everything `palisade serve` and the sensor need on a host that
 * installs the tarball without development dependencies (the sources, the native helpers' C and their
 * build script, the built console, the docs, the licence), and nothing of the checkout's own (tests,
 * data, build output, test artifacts).
 */
describe('the npm package', () => {
  it('holds the sources, the native helpers, the built console and the docs, and no tests or local state', async () => {
    expect(existsSync(join(root, 'web', 'dist', 'index.html')), 'web/dist is built by npm ci (or npm run build)').toBe(true);
    // --ignore-scripts: the console is already built; prepack would only build it again
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 64 << 20 });
    const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
    for (const f of ['bin/palisade.cjs', 'bin/palisade.js', 'src/cli/main.ts', 'src/cli/sensor-main.ts', 'native/procmon.c', 'native/exec-args.h', 'native/execguard.c',
      'tools/build-native.mjs', 'tools/build-console.mjs', 'web/dist/index.html', 'README.md', 'LICENSE', 'docs/operations.md',
      'src/schema/generated/ingest-schema.json', 'src/ingest/line-worker-boot.mjs']) {
      expect(files, f).toContain(f);
    }
    const stray = [...files].filter((f) => /\.test\.ts$/.test(f) || /^(test|bench|build|data|test-artifacts|node_modules|web\/src|conformance)\//.test(f));
    expect(stray).toEqual([]);
  });
});
