/**
 * Running the system's tools (nft, tar, journalctl, …) from action handlers: no shell, bounded
 * output, a time limit, and an error that says which command failed and what it printed.
 */
import { spawn } from 'node:child_process';

/** How a command ended. Output beyond `maxOutputBytes` is cut (and `truncated` set). */
export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
}

/** Options of {@link runCommand}. */
export interface CommandOptions {
  /** Written to the command's standard input, which is then closed. */
  input?: string;
  /** Killed (SIGKILL, with its process group) after this long. Default 60 s. */
  timeoutMs?: number;
  /** Most bytes kept of stdout and of stderr each. Default 16 MiB. */
  maxOutputBytes?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs `file args…` (no shell) and resolves with how it ended; rejects only when it cannot start. */
export function runCommand(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandOutcome> {
  const max = opts.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let timedOut = false;
    const keep = (into: Buffer[], chunk: Buffer, size: number): number => {
      const room = max - size;
      if (room <= 0) { truncated = true; return size; }
      if (chunk.length > room) truncated = true;
      into.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      return size + Math.min(room, chunk.length);
    };
    child.stdout.on('data', (c: Buffer) => { outBytes = keep(out, c, outBytes); });
    child.stderr.on('data', (c: Buffer) => { errBytes = keep(err, c, errBytes); });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, opts.timeoutMs ?? 60_000);
    const onAbort = () => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => { clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), truncated, timedOut });
    });
    child.stdin.on('error', () => { /* the command need not read its input */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command that must succeed: resolves with its stdout, or rejects naming the command and its stderr. */
export async function mustRun(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<string> {
  const r = await runCommand(file, args, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? 'timed out' : r.code === null ? `killed by ${r.signal}` : `exit ${r.code}`;
    throw new Error(`${file} ${args.join(' ')}: ${why}: ${r.stderr.trim().slice(0, 512)}`);
  }
  return r.stdout;
}
