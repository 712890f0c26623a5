/**
 * Runs `palisade sensor` as a real child process (as root: it needs the process connector) against
 * a server of test/support/server-process.ts; stop() sends SIGTERM to its PID and waits for it to
 * exit (SIGKILL after 10 s). Its output is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, stopChild } from './server-process.ts';

export interface SensorProcess {
  child: ChildProcess;
  deviceId: string;
  /** The collectors it started, from its start line. */
  collectors: string[];
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `palisade sensor --state DIR [--onboarding FILE] …args` (inside network namespace `netns`
 * when given, one the test created); resolves when it prints its start line.
 */
export async function startSensorProcess(opts: { stateDir: string; onboarding?: string; args?: string[]; netns?: string }): Promise<SensorProcess> {
  const args = [BIN, 'sensor', '--state', opts.stateDir, ...(opts.onboarding ? ['--onboarding', opts.onboarding] : []), ...(opts.args ?? [])];
  // `ip netns exec` execs the command: the child's PID is the sensor's
  const child = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out = (out + String(d)).slice(-200_000)));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sensor did not start in 60 s: ${out}`)), 60_000);
    const check = () => {
      const m = /^Palisade sensor running: .*$/m.exec(out);
      if (m) { clearTimeout(timer); child.stdout!.off('data', check); res(m[0]); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`sensor exited with ${code}: ${out}`)); });
  });
  return {
    child,
    deviceId: /device ([0-9a-f]+)/.exec(line)![1],
    collectors: (/collectors (\S+)/.exec(line)?.[1] ?? '').split(',').filter((c) => c && c !== '(none)'),
    output: () => out,
    stop: (signal = 'SIGTERM') => stopChild(child, exited, signal),
  };
}
