/**
 * StopAndQuarantineFile and indicator enforcement on processes this test starts: uniquely hashed
 * copies of /bin/sleep under a temporary folder, so nothing else on the machine can match. Root.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { stopAndQuarantineHandler } from '../../src/sensor/actions/stop-and-quarantine.ts';
import { IndicatorEnforcer } from '../../src/sensor/actions/indicator-enforcement.ts';
import type { SensorIndicator, WireAction } from '../../src/sensor/actions/handler.ts';
import { recordingContext } from './support/action-context.ts';
import { ImageHasher } from '../../src/sensor/collectors/image-hash.ts';
import { ended, startProcess, uniqueCopy } from './support/test-binaries.ts';

const hasher = new ImageHasher();
const dir = mkdtempSync(join(tmpdir(), 'pal-quar-'));
const stateDir = join(dir, 'state');
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const action = (sha1: string): WireAction => ({
  id: '6d3c2a8e-0b7f-4a57-9a3c-1f2e3d4c5b6a', type: 'StopAndQuarantineFile', scope: null, comment: 'test', sha1,
  createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});
const run = async (bin: string) => {
  const p = await startProcess(bin, ['300']);
  started.push(p);
  return p;
};
const quarantined = () => readdirSync(join(stateDir, 'quarantine')).filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(stateDir, 'quarantine', f), 'utf8')) as { originalPath: string; sha1: string; stoppedPids: number[]; reason: string });

describe('StopAndQuarantineFile', () => {
  it('kills every process of the SHA1 and quarantines the file with its metadata', async () => {
    const bin = join(dir, 'stop-me');
    const h = uniqueCopy('/bin/sleep', bin);
    const [a, b] = [await run(bin), await run(bin)];
    const { ctx } = recordingContext({ stateDir, uploadDir: dir });
    const r = await stopAndQuarantineHandler(hasher, async () => []).run(action(h.sha1.toUpperCase()), ctx);
    expect(r.status).toBe('Succeeded');
    expect(await ended(a)).toBe('SIGKILL');
    expect(await ended(b)).toBe('SIGKILL');
    expect(r.fileInfo).toEqual({ sha1: h.sha1, sha256: h.sha256, path: bin });
    expect(r.message).toContain(String(a.pid));
    expect(r.message).toContain(String(b.pid));
    expect(existsSync(bin)).toBe(false);
    expect(statSync(join(stateDir, 'quarantine')).mode & 0o777).toBe(0o700);
    const rec = quarantined().find((q) => q.originalPath === bin)!;
    expect(rec).toMatchObject({ sha1: h.sha1, reason: `action ${action('').id}` });
    expect(rec.stoppedPids.sort()).toEqual([a.pid, b.pid].sort());
  });

  it('with no process running it, quarantines the file from the search folders, or fails saying where it looked', async () => {
    const drop = join(dir, 'drop');
    mkdirSync(join(drop, 'deep'), { recursive: true });
    const file = join(drop, 'deep', 'dropped');
    const h = uniqueCopy('/bin/sleep', file);
    const { ctx } = recordingContext({ stateDir, uploadDir: dir });
    const handler = stopAndQuarantineHandler(hasher, async () => [drop]);
    const r = await handler.run(action(h.sha1), ctx);
    expect(r).toMatchObject({ status: 'Succeeded', message: `No process ran it; quarantined ${file}`, fileInfo: { sha1: h.sha1, path: file } });
    expect(existsSync(file)).toBe(false);
    expect(await handler.run(action('0'.repeat(40)), ctx)).toMatchObject({ status: 'Failed', message: `No running process has the SHA1 ${'0'.repeat(40)}, and no file in ${drop} has it` });
    // the empty file's SHA1 never quarantines empty files
    writeFileSync(join(drop, 'empty'), '');
    expect((await handler.run(action('da39a3ee5e6b4b0d3255bfef95601890afd80709'), ctx)).status).toBe('Failed');
    expect(existsSync(join(drop, 'empty'))).toBe(true);
  });
});

describe('indicator enforcement', () => {
  const indicator = (id: string, type: string, value: string, act: string): SensorIndicator => ({ id, type, value, action: act, expires: null });
  const enforcer = (list: SensorIndicator[]) => {
    const { ctx, seen } = recordingContext({ stateDir, uploadDir: dir });
    return { e: new IndicatorEnforcer({ hasher, indicators: () => list, emit: ctx.emit, stateDir, log: ctx.log }), seen };
  };

  it('Block on a hash kills a running process of it and quarantines the file', async () => {
    const bin = join(dir, 'blocked');
    const h = uniqueCopy('/bin/sleep', bin);
    const p = await run(bin);
    const { e, seen } = enforcer([indicator('71', 'FileSha256', h.sha256.toUpperCase(), 'Block')]);
    await e.sweep();
    expect(await ended(p)).toBe('SIGKILL');
    expect(existsSync(bin)).toBe(false);
    expect(quarantined().some((q) => q.originalPath === bin && q.reason === 'indicator 71')).toBe(true);
    expect(seen.events).toHaveLength(1);
    expect(seen.events[0]!.table).toBe('DeviceEvents');
    expect(seen.events[0]!.row).toMatchObject({ ActionType: 'AntivirusDetection', FolderPath: bin, SHA1: h.sha1, ProcessId: p.pid });
    expect(JSON.parse(seen.events[0]!.row.AdditionalFields as string)).toMatchObject({ IndicatorId: '71', ProcessKilled: true, Quarantined: true });
  });

  it('a process start matching BlockAndRemediate is stopped; Audit only reports; Allowed wins', async () => {
    const bin = join(dir, 'audited');
    const h = uniqueCopy('/bin/sleep', bin);
    const p = await run(bin);
    const audit = enforcer([indicator('72', 'FileMd5', h.md5, 'Audit')]);
    await audit.e.onProcessStart({ pid: p.pid!, exe: bin, hashes: { ...h, size: statSync(bin).size } });
    expect(await ended(p, 300)).toBe('timeout');
    expect(audit.seen.events[0]!.row).toMatchObject({ ActionType: 'AntivirusReport', MD5: h.md5 });

    const allowed = enforcer([indicator('73', 'FileSha1', h.sha1, 'Block'), indicator('74', 'FileSha256', h.sha256, 'Allowed')]);
    await allowed.e.sweep();
    expect(await ended(p, 300)).toBe('timeout');
    expect(allowed.seen.events).toEqual([]);

    const block = enforcer([indicator('75', 'FileSha1', h.sha1, 'BlockAndRemediate')]);
    await block.e.onProcessStart({ pid: p.pid!, exe: bin, hashes: { ...h, size: statSync(bin).size } });
    expect(await ended(p)).toBe('SIGKILL');
    expect(existsSync(bin)).toBe(false);
  });

});
