/**
 * File creations, modifications and deletions under configured paths into DeviceFileEvents, from
 * inotify (fs.watch, recursive). Events on one path are gathered for a short while, then the file
 * is looked at once: gone → `FileDeleted`; there and new to the collector after a create or rename
 * → `FileCreated`; else `FileModified`. Created and modified files are hashed (SHA1, SHA256, MD5).
 * inotify names no process, so these rows carry none.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { Collector, CollectorLog, Emit } from './collector.ts';
import { ImageHasher } from './image-hash.ts';

/** Options of {@link FileCollector}. */
export interface FileCollectorOptions {
  /** The directories to watch, each with everything below it. */
  paths: string[];
  /** Paths below which nothing is reported (the sensor's own state directory). */
  exclude?: string[];
  /** Milliseconds events on one path are gathered before it is looked at. Default 250. */
  settleMs?: number;
  hasher?: ImageHasher;
}

/** The file collector. */
export class FileCollector implements Collector {
  readonly name = 'file';
  private watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, { created: boolean; timer: NodeJS.Timeout }>();
  /** Paths known to exist (seen by an earlier event); bounded. */
  private readonly present = new Set<string>();
  private readonly hasher: ImageHasher;
  private readonly exclude: string[];
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: FileCollectorOptions) {
    this.hasher = opts.hasher ?? new ImageHasher();
    this.exclude = (opts.exclude ?? []).map((p) => resolve(p));
  }

  async start(emit: Emit, log: CollectorLog): Promise<void> {
    if (this.opts.paths.length === 0) throw new Error('no paths to watch (--watch PATH)');
    for (const p of this.opts.paths) {
      const root = resolve(p);
      const st = await stat(root);
      if (!st.isDirectory()) throw new Error(`${root} is not a directory`);
      const w = watch(root, { recursive: true }, (event, name) => {
        if (name === null) return;
        const path = join(root, name.toString());
        if (this.exclude.some((x) => path === x || path.startsWith(x + sep))) return;
        this.note(path, event === 'rename', emit, log);
      });
      w.on('error', (e) => log.warn('a file watch failed', { path: root, error: e.message }));
      this.watchers.push(w);
    }
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private note(path: string, renamed: boolean, emit: Emit, log: CollectorLog): void {
    const held = this.pending.get(path);
    if (held) {
      held.created ||= renamed;
      return;
    }
    const timer = setTimeout(() => {
      const entry = this.pending.get(path)!;
      this.pending.delete(path);
      const job = this.settle(path, entry.created, emit).catch((e: unknown) => log.warn('a file event was not recorded', { path, error: (e as Error).message }));
      this.inFlight.add(job);
      void job.finally(() => this.inFlight.delete(job));
    }, this.opts.settleMs ?? 250);
    this.pending.set(path, { created: renamed, timer });
  }

  private async settle(path: string, createdOrRenamed: boolean, emit: Emit): Promise<void> {
    const st = await stat(path).catch(() => null);
    const base = { FileName: basename(path), FolderPath: path };
    if (!st) {
      if (!createdOrRenamed) return;
      this.present.delete(path);
      emit('DeviceFileEvents', { ...base, ActionType: 'FileDeleted' });
      return;
    }
    if (!st.isFile()) return;
    const action = createdOrRenamed && !this.present.has(path) ? 'FileCreated' : 'FileModified';
    this.present.add(path);
    if (this.present.size > 100_000) this.present.delete(this.present.values().next().value!);
    const h = await this.hasher.hash(path);
    emit('DeviceFileEvents', { ...base, ActionType: action, SHA1: h?.sha1, SHA256: h?.sha256, MD5: h?.md5, FileSize: h?.size ?? st.size });
  }
}
