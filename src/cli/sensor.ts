/**
 * `palisade sensor`: the reference Linux sensor (src/sensor/agent/runtime.ts) with its collectors
 * and action handlers; `palisade sensor install` writes a systemd unit that runs it.
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jsonLog } from '../sensor/agent/log.ts';
import { nativeHelper } from '../sensor/agent/native-helpers.ts';
import { OffboardedError, SensorRuntime } from '../sensor/agent/runtime.ts';
import { createActionHandlers } from '../sensor/actions/index.ts';
import type { Collector } from '../sensor/collectors/collector.ts';
import { FileCollector } from '../sensor/collectors/file.ts';
import { ImageHasher } from '../sensor/collectors/image-hash.ts';
import { LogonCollector } from '../sensor/collectors/logon.ts';
import { NetworkCollector } from '../sensor/collectors/network.ts';
import { ProcessCollector } from '../sensor/collectors/process.ts';
import { readOnboardingPackage } from '../sensor/transport/onboarding-package.ts';

/** Options of `palisade sensor`. */
export interface SensorCliOptions {
  onboarding?: string;
  state: string;
  spoolMib: number;
  watch: string[];
  process: boolean;
  network: boolean;
  logon: boolean;
  authLog?: string;
  /** The file systems RestrictCodeExecution guards (empty: every local one). */
  restrictPath: string[];
  /** A live response script's time limit, in seconds. */
  scriptTimeout: number;
  /** The folders a Quick antivirus scan covers besides running images (empty: the usual drop folders). */
  quickScanPath: string[];
  logLevel: 'info' | 'warn' | 'error';
}

const DEFAULT_STATE = '/var/lib/palisade-sensor';

/** The collectors the options ask for. */
function collectorsOf(o: SensorCliOptions, hasher: ImageHasher): Collector[] {
  const out: Collector[] = [];
  if (o.process) out.push(new ProcessCollector({ helperPath: nativeHelper('procmon'), hasher }));
  if (o.network) out.push(new NetworkCollector({ hasher }));
  if (o.watch.length > 0) out.push(new FileCollector({ paths: o.watch, exclude: [o.state], hasher }));
  if (o.logon) out.push(new LogonCollector({ authLog: o.authLog }));
  return out;
}

/** Runs the sensor until SIGTERM/SIGINT, or until it stops by itself (offboarded, revoked). */
export async function runSensor(o: SensorCliOptions): Promise<void> {
  const log = jsonLog(o.logLevel);
  const hasher = new ImageHasher();
  const sensor = new SensorRuntime({
    stateDir: o.state,
    onboarding: o.onboarding ? await readOnboardingPackage(o.onboarding) : undefined,
    collectors: collectorsOf(o, hasher),
    handlers: [...createActionHandlers({
      hasher,
      restrictPaths: o.restrictPath.length ? o.restrictPath : undefined,
      liveResponse: { scriptTimeoutMs: o.scriptTimeout * 1000 },
      avScan: o.quickScanPath.length ? { quickFolders: o.quickScanPath } : undefined,
    }).values()],
    hasher,
    log,
    spoolMib: o.spoolMib,
  });
  const stopOn = (sig: string) => () => void sensor.stop(sig);
  process.once('SIGTERM', stopOn('SIGTERM'));
  process.once('SIGINT', stopOn('SIGINT'));
  try {
    await sensor.start();
  } catch (e) {
    // offboarded: a normal end (exit 0), so systemd's Restart=on-failure does not start it again
    if (e instanceof OffboardedError) {
      process.stdout.write(`Palisade sensor stopped: ${e.message}\n`);
      return;
    }
    throw e;
  }
  process.stdout.write(`Palisade sensor running: device ${sensor.deviceId}  collectors ${sensor.collectors.join(',') || '(none)'}  state ${sensor.state.root}\n`);
  const why = await sensor.ended;
  process.stdout.write(`Palisade sensor stopped: ${why}\n`);
}

/** The text of the systemd unit that runs the sensor with these arguments. */
export function systemdUnit(execArgs: string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`);
  return [
    '[Unit]',
    'Description=Palisade endpoint sensor',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execArgs.map(quote).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    'KillMode=mixed',
    'TimeoutStopSec=30',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Registers `palisade sensor` and `palisade sensor install`. */
export function registerSensor(program: Command, int: (v: string) => number): void {
  const collect = (v: string, prev: string[]) => [...prev, v];
  const sensor = program.command('sensor').description('run the Linux sensor: enroll with an onboarding package, send telemetry, carry out actions (as root)')
    .option('--onboarding <file>', 'onboarding package (needed for the first start: enrollment)')
    .option('--state <dir>', 'state directory (credential, spool, indicators)', DEFAULT_STATE)
    .option('--spool-mib <mib>', 'most disk the event spool may take while the server is unreachable; the oldest events are dropped beyond it', int, 256)
    .option('--watch <path>', 'report file creations, changes and deletions under this path (repeatable)', collect, [])
    .option('--no-process', 'do not collect process starts')
    .option('--no-network', 'do not collect network connections')
    .option('--no-logon', 'do not collect logons')
    .option('--auth-log <file>', 'the auth log to read logons from (default: /var/log/auth.log or /var/log/secure, else the systemd journal)')
    .option('--restrict-path <path>', 'a file system RestrictCodeExecution guards (repeatable; default: every local file system)', collect, [])
    .option('--script-timeout <seconds>', 'time limit of a live response script', int, 600)
    .option('--quick-scan-path <path>', 'a folder a Quick antivirus scan covers besides running images (repeatable; default: /tmp, /var/tmp, /dev/shm and users\' Downloads)', collect, [])
    .option('--log-level <level>', 'info, warn or error', 'info')
    .enablePositionalOptions()
    .action(async (o: SensorCliOptions) => runSensor(o));

  sensor.command('install').description('write a systemd unit (palisade-sensor.service) that runs the sensor')
    .requiredOption('--onboarding <file>', 'onboarding package')
    .option('--state <dir>', 'state directory', DEFAULT_STATE)
    .option('--unit-dir <dir>', 'where to write the unit', '/etc/systemd/system')
    .option('--watch <path>', 'paths to watch (repeatable)', collect, [])
    .action((o: { onboarding: string; state: string; unitDir: string; watch: string[] }) => {
      const bin = resolve(import.meta.dirname, '../../bin/palisade.cjs');
      const args = [process.execPath, bin, 'sensor', '--onboarding', resolve(o.onboarding), '--state', resolve(o.state), ...o.watch.flatMap((w) => ['--watch', resolve(w)])];
      mkdirSync(o.unitDir, { recursive: true });
      const path = join(o.unitDir, 'palisade-sensor.service');
      writeFileSync(path, systemdUnit(args), { mode: 0o644 });
      process.stdout.write(`Wrote ${path}; start it with: systemctl daemon-reload && systemctl enable --now palisade-sensor\n`);
    });
}
