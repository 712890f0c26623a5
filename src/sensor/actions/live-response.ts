/**
 * LiveResponse: the action's commands in index order, each reported when it starts and when it ends
 * (Completed, or Failed with its errors); the first failure ends the action and the rest are not run
 * (as MDE does).
 * - PutFile (`FileName`): the library file is placed in the downloads folder (`<stateDir>/downloads`).
 * - RunScript (`ScriptName`, `Args`): the library script runs with the arguments (split like a shell
 *   would, quotes honoured, nothing expanded) by the interpreter its `#!` line names (else /bin/sh),
 *   from a private folder under the state directory, under a time limit
 *   (10 minutes by default); its result — JSON `{script_name, exit_code, script_output,
 *   script_errors}` — is uploaded as the command's result. A script that runs out of time is
 *   killed with its process group and the command fails.
 * - GetFile (`Path`): the regular file at Path is uploaded as the command's result.
 */
import { chmod, copyFile, lstat, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { ACTION_LIMITS } from '../transport/protocol.ts';
import { runCommand } from './command.ts';
import type { ActionContext, ActionHandler, ActionResult, WireAction } from './handler.ts';

/** Options of the live response handler. */
export interface LiveResponseOptions {
  /** A script's time limit. Default 10 minutes. */
  scriptTimeoutMs?: number;
  /** Most bytes of a script's stdout and of its stderr kept. Default 4 MiB each. */
  maxScriptOutputBytes?: number;
  /** Where PutFile places files. Default `<stateDir>/downloads`. */
  downloadsDir?: string;
}

/** Splits an argument string as a shell would without expanding anything: blanks separate, quotes group, `\` escapes. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (quote) throw new Error('Args has an unclosed quote');
  if (has || cur) out.push(cur);
  return out;
}

const param = (params: { key: string; value: string }[], key: string): string | undefined =>
  params.find((p) => p.key.toLowerCase() === key.toLowerCase())?.value;

/** A library file name as a plain file name (no folders). */
function plainName(name: string): string {
  const b = basename(name);
  if (!b || b === '.' || b === '..' || b !== name) throw new Error(`${JSON.stringify(name)} is not a plain file name`);
  return b;
}

/**
 * How to run `script`: the interpreter its `#!` line names (with that line's one argument, as the
 * kernel passes it), else /bin/sh. The interpreter is started, not the script, so a script runs
 * while code execution is restricted (the interpreter was on the device before; the script is new).
 */
export async function interpreterOf(script: string, args: string[]): Promise<[string, string[]]> {
  const fh = await open(script, 'r');
  const head = Buffer.alloc(256);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  await fh.close();
  const first = head.subarray(0, bytesRead).toString('utf8').split('\n')[0]!;
  const m = /^#!\s*(\S+)(?:\s+(.*?))?\s*$/.exec(first);
  if (!m) return ['/bin/sh', [script, ...args]];
  return [m[1]!, [...(m[2] ? [m[2]] : []), script, ...args]];
}

/** The LiveResponse handler. */
export function liveResponseHandler(opts: LiveResponseOptions = {}): ActionHandler {
  const timeoutMs = opts.scriptTimeoutMs ?? 10 * 60_000;
  const maxOutput = opts.maxScriptOutputBytes ?? 4 * 1024 * 1024;

  async function putFile(params: { key: string; value: string }[], ctx: ActionContext): Promise<void> {
    const name = plainName(param(params, 'FileName') ?? '');
    const fetched = await ctx.fetchLibraryFile(name);
    const dir = opts.downloadsDir ?? join(ctx.stateDir, 'downloads');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await copyFile(fetched, join(dir, name));
  }

  async function runScript(index: number, params: { key: string; value: string }[], ctx: ActionContext): Promise<string | null> {
    const name = plainName(param(params, 'ScriptName') ?? '');
    const args = splitArgs(param(params, 'Args') ?? '');
    const fetched = await ctx.fetchLibraryFile(name);
    const work = await mkdtemp(join(ctx.stateDir, 'live-response-'));
    try {
      const script = join(work, name);
      await copyFile(fetched, script);
      await chmod(script, 0o700);
      const [file, argv] = await interpreterOf(script, args);
      const r = await runCommand(file, argv, { cwd: work, timeoutMs, maxOutputBytes: maxOutput, signal: ctx.signal });
      const result = { script_name: name, exit_code: r.code ?? -1, script_output: r.stdout, script_errors: r.stderr };
      await ctx.upload(index, Readable.from([Buffer.from(JSON.stringify(result))]));
      if (r.timedOut) return `The script ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`;
      if (ctx.signal.aborted) return 'The action was cancelled while the script ran';
      return null;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async function getFile(index: number, params: { key: string; value: string }[], ctx: ActionContext): Promise<void> {
    const path = param(params, 'Path') ?? '';
    if (!path.startsWith('/')) throw new Error(`Path ${JSON.stringify(path)} is not an absolute path`);
    const st = await lstat(path);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if (st.size > ACTION_LIMITS.resultBytes) throw new Error(`${path} is larger than the ${ACTION_LIMITS.resultBytes / 1024 / 1024} MiB a result may be`);
    await ctx.upload(index, { path });
  }

  return {
    type: 'LiveResponse',
    async run(action: WireAction, ctx: ActionContext): Promise<ActionResult> {
      const commands = [...(action.commands ?? [])].sort((a, b) => a.index - b.index);
      for (const cmd of commands) {
        const started = await ctx.report({ status: 'InProgress', commandIndex: cmd.index });
        if (started.status === 'Cancelled' || started.status === 'TimeOut') return { status: 'Failed', message: `The action was ${started.status === 'Cancelled' ? 'cancelled' : 'timed out'}` };
        let error: string | null;
        try {
          if (cmd.type === 'PutFile') error = (await putFile(cmd.params, ctx), null);
          else if (cmd.type === 'RunScript') error = await runScript(cmd.index, cmd.params, ctx);
          else error = (await getFile(cmd.index, cmd.params, ctx), null);
        } catch (e) {
          error = (e as Error).message;
        }
        const errors = error === null ? undefined : [error.slice(0, 1024)];
        await ctx.report({ status: 'InProgress', commandIndex: cmd.index, commandStatus: error === null ? 'Completed' : 'Failed', errors });
        if (error !== null) return { status: 'Failed', message: `Command ${cmd.index} (${cmd.type}) failed: ${error}`.slice(0, 4096) };
      }
      return { status: 'Succeeded', message: `${commands.length} command${commands.length === 1 ? '' : 's'} completed` };
    },
  };
}
