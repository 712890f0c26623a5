/**
 * CollectInvestigationPackage and RunAntiVirusScan on this machine: the package's contents listed
 * from the uploaded tar.gz; a scan of a folder the test fills, matched against indicators.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { avScanHandler } from '../../src/sensor/actions/av-scan.ts';
import type { WireAction } from '../../src/sensor/actions/handler.ts';
import { investigationPackageHandler } from '../../src/sensor/actions/investigation-package.ts';
import { recordingContext } from './support/action-context.ts';
import { ImageHasher } from '../../src/sensor/collectors/image-hash.ts';

const hasher = new ImageHasher();
const dir = mkdtempSync(join(tmpdir(), 'pal-collect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const action = (type: WireAction['type'], scope: string | null): WireAction => ({
  id: '0b7f6a5e-2222-4333-8444-955566677788', type, scope, comment: 'test',
  createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});

describe('CollectInvestigationPackage', () => {
  it('uploads a tar.gz of processes, connections, users, cron, timers, services, logs, packages and modules', async () => {
    const { ctx, seen } = recordingContext({ stateDir: join(dir, 'state'), uploadDir: join(dir, 'up') });
    const r = await investigationPackageHandler().run(action('CollectInvestigationPackage', null), ctx);
    expect(r.status).toBe('Succeeded');
    const archive = seen.uploads.get(0)!;
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listed).toContain('./manifest.json');
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', archive, './manifest.json'], { encoding: 'utf8' })) as { items: { file: string; ok: boolean; error?: string }[] };
    const items = new Map(manifest.items.map((i) => [i.file, i]));
    // every item is in the manifest; the ones this machine has are in the archive, the others name their reason
    for (const item of ['processes/processes.json', 'network/connections.txt', 'network/proc-net-tcp', 'users/passwd', 'users/who.txt', 'users/last.txt',
      'cron/files.txt', 'systemd/timers.txt', 'systemd/timer-units.txt', 'systemd/services.txt', 'systemd/service-units.txt', 'logs/journal.txt',
      'software/packages.txt', 'software/kernel-modules', 'system/os-release']) {
      const entry = items.get(item)!;
      expect(entry, item).toBeDefined();
      if (entry.ok) expect(listed).toContain(`./${item}`);
      else expect(entry.error, item).toBeTruthy();
    }
    for (const always of ['processes/processes.json', 'network/proc-net-tcp', 'users/passwd', 'cron/files.txt', 'systemd/timer-units.txt', 'systemd/service-units.txt', 'software/packages.txt']) {
      expect(items.get(always)?.ok, always).toBe(true);
    }
    const procs = JSON.parse(execFileSync('tar', ['-xzOf', archive, './processes/processes.json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { pid: number; cmdline: string }[];
    expect(procs.some((p) => p.pid === process.pid)).toBe(true);
    expect(execFileSync('tar', ['-xzOf', archive, './software/packages.txt'], { encoding: 'utf8' })).toMatch(/^bash\t/m);
    expect(r.message).toMatch(/^Investigation package collected: \d+ items/);
  });
});

describe('RunAntiVirusScan', () => {
  it('hashes the scanned folders against file indicators and reports findings as DeviceEvents', async () => {
    const folder = join(dir, 'drop');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(join(folder, 'nested', 'bad.bin'), 'malicious payload for the scan test');
    writeFileSync(join(folder, 'allowed.bin'), 'allowed payload');
    writeFileSync(join(folder, 'clean.txt'), 'nothing');
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const { ctx, seen } = recordingContext({
      stateDir: join(dir, 'state'), uploadDir: join(dir, 'up'),
      indicators: [
        { id: '31', type: 'FileSha1', value: sha1('malicious payload for the scan test').toUpperCase(), action: 'Audit', expires: null },
        { id: '32', type: 'FileMd5', value: md5('allowed payload'), action: 'Block', expires: null },
        { id: '33', type: 'FileSha1', value: sha1('allowed payload'), action: 'Allowed', expires: null },
      ],
    });
    const r = await avScanHandler({ hasher, fullRoots: [folder], clamscan: null }).run(action('RunAntiVirusScan', 'Full'), ctx);
    expect(r).toEqual({ status: 'Succeeded', message: 'Full scan: 3 files hashed, 1 finding; ClamAV is not installed' });
    const detections = seen.events.filter((e) => e.row.ActionType === 'AntivirusDetection');
    expect(detections).toHaveLength(1);
    expect(detections[0]!.table).toBe('DeviceEvents');
    expect(detections[0]!.row).toMatchObject({ FolderPath: join(folder, 'nested', 'bad.bin'), FileName: 'bad.bin', SHA1: sha1('malicious payload for the scan test') });
    expect(JSON.parse(detections[0]!.row.AdditionalFields as string)).toMatchObject({ ThreatName: 'Palisade:Indicator/31', IndicatorId: '31', ScanType: 'Full' });
    const done = seen.events.find((e) => e.row.ActionType === 'AntivirusScanCompleted')!;
    expect(JSON.parse(done.row.AdditionalFields as string)).toMatchObject({ FilesScanned: 3, Findings: 1 });
  });

  it('a Quick scan covers the running images and its folders', async () => {
    const folder = join(dir, 'quick');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'x'), 'x');
    const own = await hasher.hash(process.execPath);
    const { ctx, seen } = recordingContext({
      stateDir: join(dir, 'state'), uploadDir: join(dir, 'up'),
      indicators: [{ id: '41', type: 'FileSha256', value: own!.sha256, action: 'Audit', expires: null }],
    });
    const r = await avScanHandler({ hasher, quickFolders: [folder], clamscan: null }).run(action('RunAntiVirusScan', 'Quick'), ctx);
    expect(r.status).toBe('Succeeded');
    // the running node binary is found through some process's image (this very test runs it)
    expect(seen.events.some((e) => e.row.ActionType === 'AntivirusDetection' && e.row.SHA256 === own!.sha256)).toBe(true);
    expect(readFileSync(join(folder, 'x'), 'utf8')).toBe('x');
  });
});
