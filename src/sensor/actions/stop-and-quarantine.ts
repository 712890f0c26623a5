/**
 * StopAndQuarantineFile: stops every process whose image has the action's SHA1, then moves the file
 * they ran into the quarantine (see quarantine.ts) with its metadata, and reports the process ids
 * and the path. A file whose path now holds other content (replaced since the process started) is
 * left alone; a running image whose file was deleted is stopped and reported as such. When no
 * process runs it, the files with that SHA1 in the drop folders a Quick scan walks are quarantined.
 */
import type { ActionContext, ActionHandler, ActionResult, FileHasher, WireAction } from './handler.ts';
import { walk } from './av-scan.ts';
import { killAll, processesRunning } from './processes.ts';
import { quarantineFile } from './quarantine.ts';

/** The StopAndQuarantineFile handler; `searchFolders` are where it looks for the file when no process runs it. */
export function stopAndQuarantineHandler(hasher: FileHasher, searchFolders: () => Promise<string[]>): ActionHandler {
  return {
    type: 'StopAndQuarantineFile',
    async run(action: WireAction, ctx: ActionContext): Promise<ActionResult> {
      const sha1 = action.sha1?.toLowerCase();
      if (!sha1) return { status: 'Failed', message: 'The action names no SHA1' };
      const running = await processesRunning(hasher, (h) => h.sha1 === sha1);
      const pids = await killAll(running.map((r) => r.pid));
      const paths = [...new Set(running.filter((r) => !r.deleted).map((r) => r.path))];
      if (running.length === 0) {
        const folders = await searchFolders();
        for (const folder of folders) {
          for await (const path of walk(folder, ctx.signal)) {
            const h = await hasher.hash(path);
            // an empty file (SHA1 da39a3ee…, a common placeholder) is never anything to quarantine
            if (h?.sha1 === sha1 && h.size > 0) paths.push(path);
          }
        }
        if (paths.length === 0) return { status: 'Failed', message: `No running process has the SHA1 ${sha1}, and no file in ${folders.join(', ')} has it`.slice(0, 4096), fileInfo: { sha1 } };
      }
      const done: string[] = [];
      const errors: string[] = [];
      let sha256: string | undefined;
      for (const path of paths) {
        const now = await hasher.hash(path);
        if (now?.sha1 !== sha1) {
          errors.push(`${path} no longer has the SHA1 ${sha1}; left in place`);
          continue;
        }
        try {
          const rec = await quarantineFile(ctx.stateDir, path, now, `action ${action.id}`, pids);
          sha256 = now.sha256;
          done.push(path);
          ctx.log.info('quarantined', { path, storedAt: rec.storedAt, pids });
        } catch (e) {
          errors.push(`${path}: ${(e as Error).message}`.slice(0, 1024));
        }
      }
      const message = (pids.length ? `Stopped process${pids.length === 1 ? '' : 'es'} ${pids.join(', ')}; ` : 'No process ran it; ')
        + (done.length ? `quarantined ${done.join(', ')}` : 'no file quarantined')
        + (running.some((r) => r.deleted) ? '; some images were already deleted' : '');
      const failed = done.length === 0 && paths.length > 0;
      return {
        status: failed ? 'Failed' : 'Succeeded',
        message: message.slice(0, 4096),
        errors: errors.length ? errors.slice(0, 32) : undefined,
        fileInfo: { sha1, ...(sha256 ? { sha256 } : {}), ...(done[0] ? { path: done[0].slice(0, 4096) } : {}) },
      };
    },
  };
}
