import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { systemdUnit } from './sensor.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/palisade.cjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('palisade sensor install', () => {
  it('writes a systemd unit running the sensor with absolute paths to the unit directory given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sensor-unit-'));
    dirs.push(dir);
    const { stdout } = await run(process.execPath, [BIN, 'sensor', 'install', '--onboarding', 'pkg.json', '--state', 'state dir', '--watch', '/srv/www', '--unit-dir', join(dir, 'units')], { cwd: dir });
    const path = join(dir, 'units', 'palisade-sensor.service');
    expect(stdout).toContain(path);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const unit = readFileSync(path, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} sensor --onboarding ${join(dir, 'pkg.json')} --state "${join(dir, 'state dir')}" --watch /srv/www\n`);
    expect(unit).toMatch(/^\[Service\]$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
  });

  it('quotes arguments systemd would split', () => {
    expect(systemdUnit(['/usr/bin/node', 'a b', 'x"y'])).toContain('ExecStart=/usr/bin/node "a b" "x\\"y"\n');
  });
});
