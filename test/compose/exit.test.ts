/**
 * A composed program that is closed lets its process exit: nothing it started (ingest worker
 * threads, timers, the feed, the stores) keeps Node's event loop alive. `npm run docs` and the admin
 * commands compose a program, close it and expect the process to end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const COMPOSE = pathToFileURL(resolve(import.meta.dirname, '../../src/compose.ts')).href;

/**
 * Runs a module file in a fresh Node process (through tsx, as `npm run docs` runs its script);
 * resolves with its exit code, or 'hung'. (A module given with `-e` exits where the same file hangs.)
 */
function runModule(file: string, waitMs: number): Promise<number | null | 'hung'> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done('hung');
    }, waitMs);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

describe('closing a composed program', () => {
  it('lets the process exit, with every role (ingest workers included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-exit-'));
    try {
      const source = `
        import { compose } from ${JSON.stringify(COMPOSE)};
        const p = await compose({ state: ${JSON.stringify(join(dir, 'state.db'))}, events: { path: ':memory:', retentionDays: 30 } });
        await p.app.ready();
        await p.close();
      `;
      const file = join(dir, 'compose-and-close.mjs');
      writeFileSync(file, source);
      // generous: loading the sources takes a few seconds on a busy machine; a leak never exits
      expect(await runModule(file, 60_000)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
