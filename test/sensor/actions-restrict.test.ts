/**
 * RestrictCodeExecution / UnrestrictCodeExecution with the real execution guard (fanotify), confined
 * to a tmpfs this test mounts: an executable there before the restriction runs, one copied in after
 * is denied (and reported), and after unrestrict it runs. Nothing outside the tmpfs is ever marked.
 * Runs as root, with build/native/execguard built by `npm ci`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeHelper } from '../../src/sensor/agent/native-helpers.ts';
import { codeExecutionHandlers } from '../../src/sensor/actions/code-execution.ts';
import type { WireAction } from '../../src/sensor/actions/handler.ts';
import { recordingContext } from './support/action-context.ts';
import { ImageHasher } from '../../src/sensor/collectors/image-hash.ts';

const hasher = new ImageHasher();
const dir = mkdtempSync(join(tmpdir(), 'pal-restrict-'));
const mnt = join(dir, 'mnt');
let mounted = false;
const [restrict, unrestrict] = codeExecutionHandlers({ execguard: () => nativeHelper('execguard'), paths: [mnt], hasher });
const { ctx, seen } = recordingContext({ stateDir: join(dir, 'state'), uploadDir: dir });
const action = (type: WireAction['type']): WireAction => ({
  id: '9e8d7c6b-3333-4444-8555-a66677788899', type, scope: null, comment: 'test',
  createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});
const runs = (path: string) => spawnSync(path, [], { stdio: 'pipe' });

beforeAll(() => {
  execFileSync('mkdir', ['-p', mnt, join(dir, 'state')]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0755', 'palisade-test', mnt]);
  mounted = true;
});
afterAll(async () => {
  await unrestrict.run(action('UnrestrictCodeExecution'), ctx);
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(dir, { recursive: true, force: true });
});

describe('RestrictCodeExecution on a test tmpfs', () => {
  it('denies an executable that was not there when restricted, until unrestricted', async () => {
    copyFileSync('/bin/true', join(mnt, 'before'));
    execFileSync('chmod', ['755', join(mnt, 'before')]);
    const r = await restrict.run(action('RestrictCodeExecution'), ctx);
    expect(r).toMatchObject({ status: 'Succeeded', message: `Code execution restricted on ${mnt}: 1 executables allowed` });
    expect((await restrict.run(action('RestrictCodeExecution'), ctx)).message).toContain('already restricted');

    expect(runs(join(mnt, 'before')).status).toBe(0);
    copyFileSync('/bin/true', join(mnt, 'after'));
    execFileSync('chmod', ['755', join(mnt, 'after')]);
    const denied = runs(join(mnt, 'after'));
    expect(denied.status).not.toBe(0);
    expect((denied.error as NodeJS.ErrnoException | undefined)?.code).toBe('EPERM');
    // a changed allowed file is no longer the one allowed
    copyFileSync('/bin/false', join(mnt, 'before'));
    expect((runs(join(mnt, 'before')).error as NodeJS.ErrnoException | undefined)?.code).toBe('EPERM');
    // binaries elsewhere are untouched
    expect(runs('/bin/true').status).toBe(0);

    await expect.poll(() => seen.events.filter((e) => e.row.ActionType === 'AppControlCodeIntegrityPolicyBlocked').length).toBe(2);
    const row = seen.events.find((e) => e.row.FolderPath === join(mnt, 'after'))!.row;
    expect(row).toMatchObject({ FileName: 'after', InitiatingProcessId: expect.any(Number) as number });
    expect(row.SHA1).toMatch(/^[0-9a-f]{40}$/);

    expect(await unrestrict.run(action('UnrestrictCodeExecution'), ctx)).toEqual({ status: 'Succeeded', message: 'Code execution restriction lifted' });
    expect(runs(join(mnt, 'after')).status).toBe(0);
    expect((await unrestrict.run(action('UnrestrictCodeExecution'), ctx)).message).toBe('Code execution was not restricted');
  });

  it('lasts over a restart of the sensor: resume guards with the allow list taken when restricted', async () => {
    copyFileSync('/bin/true', join(mnt, 'old'));
    execFileSync('chmod', ['755', join(mnt, 'old')]);
    const first = codeExecutionHandlers({ execguard: () => nativeHelper('execguard'), paths: [mnt], hasher });
    expect((await first[0].run(action('RestrictCodeExecution'), ctx)).status).toBe('Succeeded');
    // the sensor stops and its guard goes with it (here: an unrestrict that finds no record of its own,
    // so this state directory keeps the restriction's), and a file arrives meanwhile
    await first[1].run(action('UnrestrictCodeExecution'), { ...ctx, stateDir: join(dir, 'elsewhere') });
    expect(runs(join(mnt, 'old')).status).toBe(0);
    copyFileSync('/bin/true', join(mnt, 'meanwhile'));
    execFileSync('chmod', ['755', join(mnt, 'meanwhile')]);
    expect(runs(join(mnt, 'meanwhile')).status).toBe(0);
    // the next sensor run puts the restriction back from the state directory
    const second = codeExecutionHandlers({ execguard: () => nativeHelper('execguard'), paths: [mnt], hasher });
    expect(await second[0].resume!(ctx)).toMatch(new RegExp(`^code execution is restricted \\(since .*\\): the guard runs again on ${mnt} with its \\d+ allowed executables$`));
    expect(runs(join(mnt, 'old')).status).toBe(0);
    expect((runs(join(mnt, 'meanwhile')).error as NodeJS.ErrnoException | undefined)?.code).toBe('EPERM');
    expect((await second[1].run(action('UnrestrictCodeExecution'), ctx)).message).toBe('Code execution restriction lifted');
    expect(await second[0].resume!(ctx)).toBeNull();
    expect(runs(join(mnt, 'meanwhile')).status).toBe(0);
  });

  it('carries out a restrict and an unrestrict that arrive together in their order', async () => {
    const [r, u] = await Promise.all([restrict.run(action('RestrictCodeExecution'), ctx), unrestrict.run(action('UnrestrictCodeExecution'), ctx)]);
    expect(r.message).toMatch(/^Code execution restricted on /);
    expect(u.message).toBe('Code execution restriction lifted');
    copyFileSync('/bin/true', join(mnt, 'late'));
    execFileSync('chmod', ['755', join(mnt, 'late')]);
    expect(runs(join(mnt, 'late')).status).toBe(0);
  });

  it('fails, naming why, when the guard cannot start', async () => {
    const [bad] = codeExecutionHandlers({ execguard: () => nativeHelper('execguard'), paths: [join(dir, 'no-such-dir')], hasher });
    const r = await bad.run(action('RestrictCodeExecution'), ctx);
    expect(r.status).toBe('Failed');
    expect(r.message).toMatch(/^The execution guard did not start: execguard: walking/);
  });
});
