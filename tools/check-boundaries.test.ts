import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries } from './check-boundaries.ts';

const trees: string[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A throw-away source tree: path → file text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-boundaries-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CLEAN = {
  'src/domain/errors.ts': 'export const E = 1;\n',
  'src/kql/compile.ts': "import { E } from '../domain/errors.ts';\nexport const K = E;\n",
  'src/store/events.ts': "import { K } from '../kql/compile.ts';\nexport const S = K;\n",
};

describe('import boundaries (npm run lint)', () => {
  it('passes a tree that keeps them', async () => {
    expect(await checkBoundaries(tree(CLEAN))).toEqual([]);
  });

  it('fails when kql/ imports store/, and reports the folder cycle that makes', async () => {
    const root = tree({ ...CLEAN, 'src/kql/run.ts': "import { S } from '../store/events.ts';\nexport const R = S;\n" });
    const found = await checkBoundaries(root);
    expect(found).toContain('kql-imports-no-store: src/kql/run.ts → src/store/events.ts');
    expect(found.some((l) => l.startsWith('no-folder-cycle: folders kql, store import each other'))).toBe(true);
    // the lint command itself exits non-zero
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'check-boundaries.ts'), root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('kql-imports-no-store');
  });

  it('fails on a cycle between folders even when no module is in a cycle', async () => {
    const found = await checkBoundaries(tree({
      ...CLEAN,
      'src/ingest/step.ts': "import { F } from '../detect/feed.ts';\nexport const I = F;\n",
      'src/detect/fleet.ts': "import { I } from '../ingest/step.ts';\nexport const L = I;\n",
      'src/detect/feed.ts': 'export const F = 2;\n',
    }));
    expect(found).toEqual([
      'no-folder-cycle: folders detect, ingest import each other: detect → ingest (src/detect/fleet.ts imports src/ingest/step.ts); ingest → detect (src/ingest/step.ts imports src/detect/feed.ts)',
    ]);
  });

  it('fails when the sensor imports server code', async () => {
    const found = await checkBoundaries(tree({
      ...CLEAN,
      'src/sensor/agent.ts': "import { G } from '../services/gateway.ts';\nimport { T } from '../domain/types.ts';\nexport const A = [G, T];\n",
      'src/services/gateway.ts': 'export const G = 1;\n',
      'src/domain/types.ts': 'export const T = 1;\n',
    }));
    expect(found).toEqual(['sensor-imports-no-server: src/sensor/agent.ts → src/services/gateway.ts']);
  });

  it('fails on a runtime cycle between modules, but not on one made of type-only imports', async () => {
    const runtime = await checkBoundaries(tree({
      ...CLEAN,
      'src/kql/a.ts': "import { B } from './b.ts';\nexport const A = () => B;\n",
      'src/kql/b.ts': "import { A } from './a.ts';\nexport const B = () => A;\n",
    }));
    expect(runtime.some((l) => l.startsWith('no-runtime-cycle: src/kql/a.ts → src/kql/b.ts'))).toBe(true);
    const typeOnly = await checkBoundaries(tree({
      ...CLEAN,
      'src/kql/a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\nexport const a = 1;\n",
      'src/kql/b.ts': "import { a } from './a.ts';\nexport interface B { n: number }\nexport const b = a;\n",
    }));
    expect(typeOnly).toEqual([]);
  });

  it('fails when the domain or a use case imports a driver or an adapter', async () => {
    const found = await checkBoundaries(tree({
      ...CLEAN,
      'src/services/devices.ts': "import Fastify from 'fastify';\nimport { S } from '../store/events.ts';\nexport const D = [Fastify, S];\n",
      'src/domain/device.ts': "import { K } from '../kql/compile.ts';\nexport const V = K;\n",
    }));
    expect(found).toEqual(expect.arrayContaining([
      'domain-and-services-import-no-driver: src/services/devices.ts → fastify',
      'domain-and-services-import-no-driver: src/services/devices.ts → src/store/events.ts',
      'domain-imports-no-other-folder: src/domain/device.ts → src/kql/compile.ts',
    ]));
  });
});
