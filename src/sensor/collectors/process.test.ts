import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeHelper } from '../agent/native-helpers.ts';
import { commandLineOf, ProcessCollector, type ProcessStart } from './process.ts';

const run = promisify(execFile);
const quiet = { info: () => {}, warn: () => {} };
let helper: string | null = null;
try {
  helper = nativeHelper('procmon');
} catch {
  helper = null;
}
const canRun = process.getuid?.() === 0 && helper !== null;
let collector: ProcessCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function waitFor<T>(get: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('commandLineOf', () => {
  it('joins arguments, quoting those with spaces, quotes or backslashes, and empty ones', () => {
    expect(commandLineOf(['/bin/echo', 'a b', 'say "hi"', '', 'plain'])).toBe('/bin/echo "a b" "say \\"hi\\"" "" plain');
  });
});

describe.skipIf(!canRun)('ProcessCollector (as root, with the procmon helper)', () => {
  it('emits a ProcessCreated row with command line, hashes, user and parent; observers see it', async () => {
    const rows: Record<string, unknown>[] = [];
    const seen: ProcessStart[] = [];
    collector = new ProcessCollector({ helperPath: helper! });
    collector.observe((p) => seen.push(p));
    await collector.start((table, row) => { if (table === 'DeviceProcessEvents') rows.push(row); }, quiet);
    const marker = `pc-${Date.now()}`;
    await run('/bin/true', [marker]);
    const row = await waitFor(() => rows.find((r) => String(r.ProcessCommandLine).includes(marker)));
    const sha1 = createHash('sha1').update(readFileSync('/bin/true')).digest('hex');
    expect(row).toMatchObject({ ActionType: 'ProcessCreated', FileName: 'true', ProcessCommandLine: `/bin/true ${marker}`, SHA1: sha1, AccountName: 'root', InitiatingProcessId: process.pid });
    expect(row.SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.MD5).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.some((p) => p.commandLine === `/bin/true ${marker}` && p.hashes?.sha1 === sha1)).toBe(true);
  });

  it('starts its helper again when it stops, and goes on collecting', async () => {
    const rows: Record<string, unknown>[] = [];
    collector = new ProcessCollector({ helperPath: helper! });
    await collector.start((_t, row) => rows.push(row), quiet);
    const first = collector.helperPid!;
    process.kill(first, 'SIGKILL');
    await waitFor(() => (collector!.restarts === 1 && collector!.helperPid !== first ? true : undefined));
    // subscribed again: the next start is seen
    const marker = `pc-again-${Date.now()}`;
    await waitFor(() => {
      void run('/bin/true', [marker]);
      return rows.find((r) => String(r.ProcessCommandLine).includes(marker));
    });
  });

  it('completes a process that ended before the helper read /proc from its execve, and says when the command line was cut', async () => {
    const rows: Record<string, unknown>[] = [];
    collector = new ProcessCollector({ helperPath: helper! });
    await collector.start((table, row) => { if (table === 'DeviceProcessEvents') rows.push(row); }, quiet);
    expect(collector.execArgs).toBe(true);
    // the helper is held while the processes start, run and are reaped: /proc has nothing of them
    const marker = `pc-gone-${Date.now()}`;
    const many = Array.from({ length: 60 }, (_, i) => `${marker}-arg${i}`);
    const long = `${marker}-${'x'.repeat(300)}`;
    process.kill(collector.helperPid!, 'SIGSTOP');
    try {
      await run('/bin/true', [marker, 'two words', 'say "hi"']);
      await run('/bin/true', many);
      await run('/bin/true', [long]);
    } finally {
      process.kill(collector.helperPid!, 'SIGCONT');
    }
    const sha1 = createHash('sha1').update(readFileSync('/bin/true')).digest('hex');
    const full = await waitFor(() => rows.find((r) => r.ProcessCommandLine === `/bin/true ${marker} "two words" "say \\"hi\\""`));
    expect(full).toMatchObject({ FileName: 'true', FolderPath: realpathSync('/bin/true'), SHA1: sha1, AccountName: 'root', InitiatingProcessId: process.pid });
    expect(Date.parse(String(full.ProcessCreationTime))).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(String(full.AdditionalFields)).CommandLineTruncated).toBeUndefined();
    const cutArgs = await waitFor(() => rows.find((r) => String(r.ProcessCommandLine).startsWith(`/bin/true ${many[0]} `)));
    expect(cutArgs.ProcessCommandLine).toBe(['/bin/true', ...many.slice(0, 47)].join(' '));
    expect(JSON.parse(String(cutArgs.AdditionalFields)).CommandLineTruncated).toBe(true);
    const cutLong = await waitFor(() => rows.find((r) => String(r.ProcessCommandLine).startsWith(`/bin/true ${marker}-x`)));
    expect(cutLong.ProcessCommandLine).toBe(`/bin/true ${long.slice(0, 255)}`);
    expect(JSON.parse(String(cutLong.AdditionalFields)).CommandLineTruncated).toBe(true);
    expect(collector.recovered).toBeGreaterThanOrEqual(3);
  });

  it('hashes the file a process in another mount namespace ran, never the file its path names here', async () => {
    const rows: Record<string, unknown>[] = [];
    collector = new ProcessCollector({ helperPath: helper! });
    await collector.start((table, row) => { if (table === 'DeviceProcessEvents') rows.push(row); }, quiet);
    // here `target` is a copy of true; in the namespace the test makes, a copy of sh is mounted over it
    const dir = mkdtempSync(join(tmpdir(), 'palisade-mntns-'));
    try {
      const target = join(dir, 'target');
      copyFileSync('/bin/true', target);
      copyFileSync('/bin/sh', join(dir, 'other'));
      chmodSync(target, 0o755);
      chmodSync(join(dir, 'other'), 0o755);
      const sha1 = (f: string) => createHash('sha1').update(readFileSync(f)).digest('hex');
      const marker = `pc-ns-${Date.now()}`;
      // a process that lives: read through /proc/PID/exe, the very file it runs
      await run('unshare', ['-m', '/bin/sh', '-c', `mount --bind "${dir}/other" "${target}" && "${target}" -c "sleep 0.3" ${marker}-alive`]);
      const alive = await waitFor(() => rows.find((r) => r.ProcessCommandLine === `${target} -c "sleep 0.3" ${marker}-alive`));
      expect(alive.SHA1).toBe(sha1('/bin/sh'));
      // a process gone before the helper reads it: its path names another file here, so no hash
      process.kill(collector.helperPid!, 'SIGSTOP');
      try {
        await run('unshare', ['-m', '/bin/sh', '-c', `mount --bind "${dir}/other" "${target}" && "${target}" -c : ${marker}-gone`]);
      } finally {
        process.kill(collector.helperPid!, 'SIGCONT');
      }
      const gone = await waitFor(() => rows.find((r) => r.ProcessCommandLine === `${target} -c : ${marker}-gone`));
      expect(gone.FileName).toBe('target');
      expect(gone.SHA1).toBeUndefined();
      expect(rows.filter((r) => String(r.ProcessCommandLine).includes(marker)).every((r) => r.SHA1 !== sha1(target))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
