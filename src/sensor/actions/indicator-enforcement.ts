/**
 * Enforcing the tenant's file-hash indicators on the device (issue 13 §3): a process whose image
 * matches a Block, BlockAndRemediate or AlertAndBlock indicator (SHA1, SHA256 or MD5) is killed and
 * its file quarantined; an Audit, Alert or Warn match is reported. An Allowed indicator on the same
 * file wins over any other. Each outcome is a DeviceEvents row (`AntivirusDetection` when blocked,
 * `AntivirusReport` when audited) naming the indicator. The runtime calls `onProcessStart` for every
 * process the collector sees and `sweep` after each indicator sync, so a process that started before
 * its indicator arrived is stopped too.
 */
import { basename } from 'node:path';
import type { ActionLog, FileHasher, FileHashes, SensorIndicator } from './handler.ts';
import { killAll, processesRunning } from './processes.ts';
import { quarantineFile } from './quarantine.ts';

const BLOCKING = new Set(['Block', 'BlockAndRemediate', 'AlertAndBlock']);
const REPORTING = new Set(['Audit', 'Alert', 'Warn']);
const HASH_TYPES: Record<string, keyof Omit<FileHashes, 'size'>> = { FileSha1: 'sha1', FileSha256: 'sha256', FileMd5: 'md5' };

/** What the enforcer decided for one file. */
export interface Verdict {
  effect: 'block' | 'report';
  indicator: SensorIndicator;
}

/** The file-hash indicators of a list, by lower-case hash value; expired ones left out. */
function hashIndex(list: readonly SensorIndicator[], now: number): Map<string, SensorIndicator[]> {
  const index = new Map<string, SensorIndicator[]>();
  for (const i of list) {
    if (!(i.type in HASH_TYPES)) continue;
    if (i.expires && Date.parse(i.expires) <= now) continue;
    const key = `${HASH_TYPES[i.type]}:${i.value.toLowerCase()}`;
    index.set(key, [...(index.get(key) ?? []), i]);
  }
  return index;
}

/** Options of {@link IndicatorEnforcer}. */
export interface EnforcerOptions {
  hasher: FileHasher;
  /** The indicators the sensor holds now. */
  indicators: () => readonly SensorIndicator[];
  emit: (table: string, row: Record<string, unknown>) => void;
  stateDir: string;
  log: ActionLog;
}

/** Applies the file-hash indicators to processes. */
export class IndicatorEnforcer {
  private list: readonly SensorIndicator[] | null = null;
  private index = new Map<string, SensorIndicator[]>();
  private readonly opts: EnforcerOptions;

  constructor(opts: EnforcerOptions) {
    this.opts = opts;
  }

  /** The verdict for a file with these hashes, or null when no indicator applies. */
  verdict(h: FileHashes): Verdict | null {
    const list = this.opts.indicators();
    if (list !== this.list) {
      this.list = list;
      this.index = hashIndex(list, Date.now());
    }
    const hits = (['sha1', 'sha256', 'md5'] as const).flatMap((k) => this.index.get(`${k}:${h[k]}`) ?? []);
    if (hits.length === 0 || hits.some((i) => i.action === 'Allowed')) return null;
    const block = hits.find((i) => BLOCKING.has(i.action));
    if (block) return { effect: 'block', indicator: block };
    const report = hits.find((i) => REPORTING.has(i.action));
    return report ? { effect: 'report', indicator: report } : null;
  }

  /** Applies the indicators to a process the collector saw start. */
  async onProcessStart(p: { pid: number; exe: string | null; hashes: FileHashes | null }): Promise<void> {
    if (!p.hashes || !p.exe) return;
    const v = this.verdict(p.hashes);
    if (v) await this.enforce(v, [{ pid: p.pid, path: p.exe, hashes: p.hashes }]);
  }

  /** Applies the indicators to every running process (after the list changed). */
  async sweep(): Promise<void> {
    const hits = await processesRunning(this.opts.hasher, (h) => this.verdict(h) !== null);
    const byFile = new Map<string, typeof hits>();
    for (const h of hits) byFile.set(h.hashes.sha1, [...(byFile.get(h.hashes.sha1) ?? []), h]);
    for (const group of byFile.values()) await this.enforce(this.verdict(group[0]!.hashes)!, group);
  }

  private async enforce(v: Verdict, procs: { pid: number; path: string; hashes: FileHashes }[]): Promise<void> {
    const { indicator } = v;
    const h = procs[0]!.hashes;
    let pids: number[] = [];
    let quarantined: string | null = null;
    let error: string | null = null;
    if (v.effect === 'block') {
      pids = await killAll(procs.map((p) => p.pid));
      try {
        const now = await this.opts.hasher.hash(procs[0]!.path);
        if (now?.sha1 === h.sha1) quarantined = (await quarantineFile(this.opts.stateDir, procs[0]!.path, now, `indicator ${indicator.id}`, pids)).storedAt;
      } catch (e) {
        error = (e as Error).message;
      }
      this.opts.log.warn('blocked a file by indicator', { indicator: indicator.id, pids, path: procs[0]!.path, quarantined, error });
    }
    for (const p of procs) {
      this.opts.emit('DeviceEvents', {
        Timestamp: new Date().toISOString(),
        ActionType: v.effect === 'block' ? 'AntivirusDetection' : 'AntivirusReport',
        FileName: basename(p.path),
        FolderPath: p.path,
        SHA1: h.sha1,
        SHA256: h.sha256,
        MD5: h.md5,
        FileSize: h.size,
        ProcessId: p.pid,
        AdditionalFields: JSON.stringify({
          ThreatName: `Palisade:Indicator/${indicator.id}`,
          IndicatorId: indicator.id,
          IndicatorType: indicator.type,
          IndicatorAction: indicator.action,
          WasExecutingWhileDetected: true,
          ...(v.effect === 'block' ? { ProcessKilled: pids.includes(p.pid), Quarantined: quarantined !== null, ...(error ? { Error: error } : {}) } : {}),
        }),
      });
    }
  }
}
