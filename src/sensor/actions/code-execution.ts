/**
 * RestrictCodeExecution / UnrestrictCodeExecution, beyond what MDE does on Linux: while restricted,
 * no executable may start unless it was already on the device, unchanged, when the restriction was
 * applied. The native helper build/native/execguard (native/execguard.c) takes the allow list (every
 * executable file's device, inode, size and mtime on the file systems it guards) and answers the
 * kernel's fanotify exec permission events; each denial becomes a DeviceEvents row
 * (`AppControlCodeIntegrityPolicyBlocked`). Unrestrict stops the helper, which removes its marks.
 *
 * The helper lives as long as the sensor (it exits when the sensor's end of its stdin closes), so a
 * stopped sensor never leaves the device restricted by a guard nobody answers for. The restriction
 * itself lasts: its guarded paths (`restriction.json`) and allow list (`restriction.allow`) are kept
 * in the state directory, and `resume` starts the helper again from that same list when the sensor
 * starts, so what appeared while the sensor was down is still denied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ActionHandler, ActionResult, FileHasher, ResumeContext } from './handler.ts';
import { localMounts } from './mounts.ts';
import { serialQueue } from './serial.ts';

/** Options of the code execution handlers. */
export interface CodeExecutionOptions {
  /** The execguard helper's path (called when restricting; a throw is reported as the action's failure). */
  execguard: () => string;
  /** The file systems to guard (paths on them). Default: every local file system (mounts.ts). */
  paths?: string[];
  hasher: FileHasher;
}

interface GuardLine {
  ready?: { allowed: number; marks: number };
  /** `dropped`: denials before this one that were not reported (the sensor read too slowly). */
  denied?: { pid: number; path: string; dev: number; ino: number; dropped?: number };
}

/** What `restriction.json` records. */
interface RestrictionRecord {
  paths: string[];
  since: string;
}

const recordFile = (stateDir: string) => join(stateDir, 'restriction.json');
const allowFile = (stateDir: string) => join(stateDir, 'restriction.allow');

/** The RestrictCodeExecution and UnrestrictCodeExecution handlers, sharing one restriction; they run one at a time, in arrival order. */
export function codeExecutionHandlers(opts: CodeExecutionOptions): [ActionHandler, ActionHandler] {
  let guard: { child: ChildProcess; paths: string[] } | null = null;
  const serially = serialQueue();

  /** Starts the helper; resolves with the number of allowed executables, or throws why it did not start. */
  async function startGuard(paths: string[], list: { save?: string; load?: string }, ctx: ResumeContext): Promise<number> {
    const helper = opts.execguard();
    const args = [...(list.save ? ['--save', list.save] : []), ...(list.load ? ['--load', list.load] : []), ...paths];
    const child = spawn(helper, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4096); });
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<GuardLine['ready'] | null>((resolve) => {
      child.once('exit', () => resolve(null));
      child.once('error', (e) => { stderr += e.message; resolve(null); });
      lines.on('line', (text) => {
        let line: GuardLine;
        try {
          line = JSON.parse(text) as GuardLine;
        } catch {
          return;
        }
        if (line.ready) resolve(line.ready);
        if (line.denied) void denied(line.denied, ctx);
      });
    });
    if (!ready) throw new Error(`The execution guard did not start: ${stderr.trim() || 'no reason given'}`);
    guard = { child, paths };
    child.once('exit', (code, signal) => {
      if (guard?.child !== child) return;
      guard = null;
      ctx.log.warn('the execution guard stopped; code execution is no longer restricted', { code, signal, stderr: stderr.trim() });
    });
    return ready.allowed;
  }

  async function denied(d: NonNullable<GuardLine['denied']>, ctx: ResumeContext): Promise<void> {
    if (d.dropped) ctx.log.warn('the execution guard denied executions it could not report (the sensor read too slowly)', { unreported: d.dropped });
    const hashes = await opts.hasher.hash(d.path);
    let initiating = '';
    try {
      initiating = (await readFile(`/proc/${d.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
    } catch {
      // the process is gone
    }
    ctx.emit('DeviceEvents', {
      Timestamp: new Date().toISOString(),
      ActionType: 'AppControlCodeIntegrityPolicyBlocked',
      FileName: basename(d.path),
      FolderPath: d.path,
      SHA1: hashes?.sha1,
      SHA256: hashes?.sha256,
      MD5: hashes?.md5,
      FileSize: hashes?.size,
      InitiatingProcessId: d.pid,
      InitiatingProcessCommandLine: initiating || undefined,
      AdditionalFields: JSON.stringify({ Reason: 'Not on the allow list taken when code execution was restricted' }),
    });
  }

  const restrict: ActionHandler = {
    type: 'RestrictCodeExecution',
    run: (_action, ctx) => serially(async (): Promise<ActionResult> => {
      if (guard) return { status: 'Succeeded', message: `Code execution is already restricted on ${guard.paths.join(', ')}` };
      const paths = opts.paths ?? await localMounts();
      let allowed: number;
      try {
        allowed = await startGuard(paths, { save: allowFile(ctx.stateDir) }, ctx);
      } catch (e) {
        return { status: 'Failed', message: (e as Error).message.slice(0, 4096) };
      }
      const record: RestrictionRecord = { paths, since: new Date().toISOString() };
      await writeFile(recordFile(ctx.stateDir), JSON.stringify(record), { mode: 0o600 });
      ctx.log.info('code execution restricted', { paths, allowed });
      return { status: 'Succeeded', message: `Code execution restricted on ${paths.join(', ')}: ${allowed} executables allowed` };
    }),
    resume: (ctx) => serially(async () => {
      let record: RestrictionRecord;
      try {
        record = JSON.parse(await readFile(recordFile(ctx.stateDir), 'utf8')) as RestrictionRecord;
      } catch {
        return null;
      }
      if (guard) return null;
      const allowed = await startGuard(record.paths, { load: allowFile(ctx.stateDir) }, ctx);
      return `code execution is restricted (since ${record.since}): the guard runs again on ${record.paths.join(', ')} with its ${allowed} allowed executables`;
    }),
  };

  const unrestrict: ActionHandler = {
    type: 'UnrestrictCodeExecution',
    run: (_action, ctx) => serially(async (): Promise<ActionResult> => {
      const running = guard;
      guard = null;
      await rm(recordFile(ctx.stateDir), { force: true });
      await rm(allowFile(ctx.stateDir), { force: true });
      if (!running) return { status: 'Succeeded', message: 'Code execution was not restricted' };
      const exited = new Promise<void>((r) => running.child.once('exit', () => r()));
      running.child.stdin!.end();
      running.child.kill('SIGTERM');
      await exited;
      return { status: 'Succeeded', message: 'Code execution restriction lifted' };
    }),
  };
  return [restrict, unrestrict];
}
