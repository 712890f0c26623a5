/**
 * RestrictCodeExecution / UnrestrictCodeExecution, beyond what MDE does on Linux: while restricted,
 * no executable may start unless it was already on the device, unchanged, when the restriction was
 * applied. The native helper build/native/execguard (native/execguard.c) takes the allow list (every
 * executable file's device, inode, size and mtime on the file systems it guards) and answers the
 * kernel's fanotify exec permission events; each denial becomes a DeviceEvents row
 * (`AppControlCodeIntegrityPolicyBlocked`). Unrestrict stops the helper, which removes its marks.
 * The helper lives as long as the sensor (it exits when the sensor's end of its stdin closes), so a
 * stopped sensor never leaves the device restricted by a guard nobody answers for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { ActionContext, ActionHandler, ActionResult, FileHasher, WireAction } from './handler.ts';
import { localMounts } from './mounts.ts';

/** Options of the code execution handlers. */
export interface CodeExecutionOptions {
  /** The execguard helper's path (called when restricting; a throw is reported as the action's failure). */
  execguard: () => string;
  /** The file systems to guard (paths on them). Default: every local file system (mounts.ts). */
  paths?: string[];
  hasher: FileHasher;
}

/** The restriction in force: one helper process and the paths it guards. */
class Restriction {
  child: ChildProcess | null = null;
  paths: string[] = [];
}

interface GuardLine {
  ready?: { allowed: number; marks: number };
  denied?: { pid: number; path: string; dev: number; ino: number };
}

/** The RestrictCodeExecution and UnrestrictCodeExecution handlers, sharing one restriction. */
export function codeExecutionHandlers(opts: CodeExecutionOptions): [ActionHandler, ActionHandler] {
  const state = new Restriction();

  const restrict: ActionHandler = {
    type: 'RestrictCodeExecution',
    async run(_action: WireAction, ctx: ActionContext): Promise<ActionResult> {
      if (state.child) return { status: 'Succeeded', message: `Code execution is already restricted on ${state.paths.join(', ')}` };
      let helper: string;
      try {
        helper = opts.execguard();
      } catch (e) {
        return { status: 'Failed', message: (e as Error).message.slice(0, 4096) };
      }
      const paths = opts.paths ?? await localMounts();
      const child = spawn(helper, paths, { stdio: ['pipe', 'pipe', 'pipe'] });
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
      if (!ready) return { status: 'Failed', message: `The execution guard did not start: ${stderr.trim() || 'no reason given'}`.slice(0, 4096) };
      state.child = child;
      state.paths = paths;
      child.once('exit', (code, signal) => {
        if (state.child === child) {
          state.child = null;
          ctx.log.warn('the execution guard stopped; code execution is no longer restricted', { code, signal, stderr: stderr.trim() });
        }
      });
      ctx.log.info('code execution restricted', { paths, allowed: ready.allowed });
      return { status: 'Succeeded', message: `Code execution restricted on ${paths.join(', ')}: ${ready.allowed} executables allowed` };
    },
  };

  async function denied(d: NonNullable<GuardLine['denied']>, ctx: ActionContext): Promise<void> {
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

  const unrestrict: ActionHandler = {
    type: 'UnrestrictCodeExecution',
    async run(): Promise<ActionResult> {
      const child = state.child;
      if (!child) return { status: 'Succeeded', message: 'Code execution was not restricted' };
      state.child = null;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
      return { status: 'Succeeded', message: 'Code execution restriction lifted' };
    },
  };
  return [restrict, unrestrict];
}
