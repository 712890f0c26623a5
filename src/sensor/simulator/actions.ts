/**
 * Simulated devices' side of the action protocol (`palisade simulate --actions`, the actions
 * benchmark, API tests): a device holds `GET /sensor/v1/work` open and carries out every action it
 * receives at once — InProgress, then its results (a small investigation package, live response
 * command results), then Succeeded. Nothing is done to the machine running the simulator. After
 * an Offboard the device stops: its credential is revoked.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { WireAction } from '../transport/protocol.ts';
import type { SensorClient } from '../transport/client.ts';

/** Seconds a simulated device holds each /work request. */
export const SIM_WORK_WAIT_SECONDS = 25;

/** One file of a ustar archive: a 512-byte header, the content padded to 512 bytes. */
function tarEntry(name: string, content: Buffer, mtime: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, 'utf8');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0');
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(Math.floor(mtime / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${octal(sum, 7)}\0`, 148, 8);
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded]);
}

/** The investigation package a simulated device uploads: a tar.gz holding a summary of the (simulated) device. */
export function simulatedPackage(deviceName: string, action: WireAction, now = Date.now()): Buffer {
  const summary = Buffer.from(`Simulated investigation package\ndevice: ${deviceName}\naction: ${action.id}\ncollected: ${new Date(now).toISOString()}\n`);
  const processes = Buffer.from('PID COMMAND\n1 /sbin/init\n');
  return gzipSync(Buffer.concat([tarEntry('summary.txt', summary, now), tarEntry('processes.txt', processes, now), Buffer.alloc(1024)]));
}

/** The result a simulated live response command uploads (RunScript: MDE's JSON; GetFile: the file), or null (PutFile). */
export function simulatedCommandResult(command: NonNullable<WireAction['commands']>[number]): Buffer | null {
  const param = (key: string) => command.params.find((p) => p.key === key)?.value ?? '';
  if (command.type === 'RunScript') {
    return Buffer.from(JSON.stringify({ script_name: param('ScriptName'), exit_code: 0, script_output: `simulated output of ${param('ScriptName')} ${param('Args')}`.trim(), script_errors: '' }));
  }
  if (command.type === 'GetFile') return Buffer.from(`simulated content of ${param('Path')}\n`);
  return null;
}

/**
 * Carries out one action as a simulated device: InProgress, its results, Succeeded. Stops early
 * when the server answers Cancelled or TimeOut. Returns the action's final status as the server
 * reported it.
 */
export async function carryOutSimulated(client: SensorClient, deviceName: string, action: WireAction): Promise<string> {
  const started = await client.reportProgress(action.id, { status: 'InProgress' });
  if (started.status !== 'InProgress') return started.status;
  if (action.type === 'CollectInvestigationPackage') await client.uploadResult(action.id, 0, Readable.from([simulatedPackage(deviceName, action)]));
  for (const command of action.commands ?? []) {
    await client.reportProgress(action.id, { status: 'InProgress', commandIndex: command.index });
    const result = simulatedCommandResult(command);
    if (result) await client.uploadResult(action.id, command.index, Readable.from([result]));
    const done = await client.reportProgress(action.id, { status: 'InProgress', commandIndex: command.index, commandStatus: 'Completed' });
    if (done.status !== 'InProgress') return done.status;
  }
  return (await client.reportProgress(action.id, { status: 'Succeeded', message: 'Simulated device: done' })).status;
}

/** What a simulated device's work loop reports. */
export interface SimWorkHooks {
  /** An action arrived (before it is carried out). */
  onAction?: (action: WireAction) => void;
  /** An action ended with this status. */
  onDone?: (action: WireAction, status: string) => void;
  /** A request failed (the loop goes on after a pause). */
  onError?: (e: unknown) => void;
}

/**
 * Holds /work open for one simulated device until `signal` aborts (or an Offboard succeeded),
 * carrying out each action it receives. `client` should have a socket of its own for the poll.
 */
export async function holdWork(client: SensorClient, deviceName: string, signal: AbortSignal, hooks: SimWorkHooks = {}, waitSeconds = SIM_WORK_WAIT_SECONDS): Promise<void> {
  let indicatorVersion = 0;
  while (!signal.aborted) {
    try {
      const w = await client.work(waitSeconds, indicatorVersion, signal);
      indicatorVersion = w.indicatorVersion;
      for (const a of w.actions) {
        hooks.onAction?.(a);
        const status = await carryOutSimulated(client, deviceName, a);
        hooks.onDone?.(a, status);
        if (a.type === 'Offboard' && status === 'Succeeded') return;
      }
    } catch (e) {
      if (signal.aborted) return;
      hooks.onError?.(e);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
