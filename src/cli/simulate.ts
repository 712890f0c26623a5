/**
 * `palisade simulate`: a fleet of realistic simulated devices speaking sensor protocol v1 to a
 * server: each enrolls with the onboarding package, heartbeats, and (with --events-per-sec) sends
 * plausible telemetry in gzip NDJSON batches. Deterministic for a --seed. Reports progress while it
 * runs and totals at the end. With --actions each device also holds the /work long-poll open and
 * carries out every machine action it receives (src/sensor/simulator/actions.ts).
 */
import type { Command } from 'commander';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { enrollInfoOf, heartbeatOf } from '../sensor/simulator/device-payloads.ts';
import { makeFleet, type SimDevice } from '../sensor/simulator/fleet.ts';
import { holdWork } from '../sensor/simulator/actions.ts';
import { makeEventGenerator, type EventGenerator, type SimEvent } from '../sensor/simulator/telemetry.ts';
import { SensorClient } from '../sensor/transport/client.ts';
import { readOnboardingPackage } from '../sensor/transport/onboarding-package.ts';

/** Options of a simulation run. */
export interface SimulateOptions {
  onboarding: string;
  devices: number;
  /** Seconds to run after enrollment; 0 = enroll, one heartbeat each, and stop. Undefined = until SIGINT. */
  duration?: number;
  /** Events per second for the whole fleet. */
  eventsPerSec: number;
  seed: number;
  /** Seconds between a device's heartbeats (default 60, MDE-like). */
  heartbeatInterval: number;
  /** Most requests in flight at once. */
  concurrency: number;
  /** A device sends its buffered events when it holds this many, or every 5 s. */
  batchSize: number;
  quiet: boolean;
  /** Hold /work open on every device and carry out the actions it receives. */
  actions?: boolean;
}

/** Totals of a run. */
export interface SimulateTotals {
  enrolled: number;
  enrollFailed: number;
  heartbeats: number;
  heartbeatFailed: number;
  batches: number;
  batchFailed: number;
  eventsSent: number;
  eventsAccepted: number;
  eventsRejected: number;
  /** With --actions: actions received, and those that ended Succeeded. */
  actionsReceived: number;
  actionsSucceeded: number;
  seconds: number;
  firstError: string | null;
}

interface SimState {
  device: SimDevice;
  client: SensorClient;
  gen: EventGenerator;
  buffer: SimEvent[];
  owed: number;
  lastFlush: number;
  nextHeartbeat: number;
}

/** A tiny limiter: at most `n` tasks run at once. */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= n || !queue.length) return;
    active++;
    queue.shift()!();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => task().then(resolve, reject).finally(() => { active--; next(); }));
      next();
    });
}

/** Runs a simulation; resolves with totals. `signal` stops it early. */
export async function simulate(o: SimulateOptions, signal?: AbortSignal): Promise<SimulateTotals> {
  const pkg = await readOnboardingPackage(o.onboarding);
  const agent = new https.Agent({ keepAlive: true, maxSockets: Math.max(4, o.concurrency), ca: pkg.caCertificate });
  const pollAgent = new https.Agent({ keepAlive: true, ca: pkg.caCertificate });
  const polls = new AbortController();
  const run = limiter(o.concurrency);
  const t: SimulateTotals = { enrolled: 0, enrollFailed: 0, heartbeats: 0, heartbeatFailed: 0, batches: 0, batchFailed: 0, eventsSent: 0, eventsAccepted: 0, eventsRejected: 0, actionsReceived: 0, actionsSucceeded: 0, seconds: 0, firstError: null };
  const fail = (e: unknown) => { t.firstError ??= e instanceof Error ? e.message : String(e); };
  const started = Date.now();
  const log = (s: string) => { if (!o.quiet) process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${s}\n`); };
  const progress = () => log(`enrolled ${t.enrolled}/${o.devices}${t.enrollFailed ? ` (${t.enrollFailed} failed)` : ''} · heartbeats ${t.heartbeats}${t.heartbeatFailed ? ` (${t.heartbeatFailed} failed)` : ''} · events ${t.eventsSent} sent, ${t.eventsAccepted} accepted, ${t.eventsRejected} rejected in ${t.batches} batches${o.actions ? ` · actions ${t.actionsReceived} received, ${t.actionsSucceeded} succeeded` : ''}`);
  const ticker = setInterval(progress, 2000);
  ticker.unref();

  const fleet = makeFleet(o.devices, o.seed);
  const states: SimState[] = [];
  const now = Date.now();
  try {
    await Promise.all(fleet.map((device) => run(async () => {
      if (signal?.aborted) return;
      const client = new SensorClient({ serverUrl: pkg.serverUrl, caCertificate: pkg.caCertificate, agent });
      try {
        const r = await client.enroll(pkg, enrollInfoOf(device));
        device.deviceId = r.deviceId;
        t.enrolled++;
        states.push({
          device, client,
          gen: makeEventGenerator(device, o.seed * 7919 + device.index),
          buffer: [], owed: 0, lastFlush: Date.now(),
          // Spread heartbeats over the interval so the server sees a steady rate.
          nextHeartbeat: now + Math.floor((device.index / Math.max(1, o.devices)) * o.heartbeatInterval * 1000),
        });
      } catch (e) {
        t.enrollFailed++;
        fail(e);
      }
    })));
    log(`enrollment done: ${t.enrolled} devices in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const heartbeat = (s: SimState) => run(async () => {
      try {
        await s.client.heartbeat(heartbeatOf(s.device));
        t.heartbeats++;
      } catch (e) {
        t.heartbeatFailed++;
        fail(e);
      }
    });
    const flush = (s: SimState) => {
      if (!s.buffer.length) return Promise.resolve();
      const events = s.buffer;
      s.buffer = [];
      s.lastFlush = Date.now();
      return run(async () => {
        try {
          const r = await s.client.sendEvents(randomUUID(), events);
          t.batches++;
          t.eventsSent += events.length;
          t.eventsAccepted += r.accepted;
          t.eventsRejected += r.rejected.length;
        } catch (e) {
          t.batchFailed++;
          fail(e);
        }
      });
    };

    // Everyone heartbeats once right away, so the inventory is complete before the timed phase.
    await Promise.all(states.map(heartbeat));
    for (const s of states) s.nextHeartbeat += o.heartbeatInterval * 1000;

    // With --actions every device holds its own long-poll (a socket each, outside the request limiter).
    const stopPolls = () => polls.abort();
    signal?.addEventListener('abort', stopPolls, { once: true });
    const working = o.actions ? states.map((s) => holdWork(
      new SensorClient({ serverUrl: pkg.serverUrl, credentials: s.client.credentials, agent: pollAgent }),
      s.device.computerDnsName, polls.signal,
      { onAction: () => t.actionsReceived++, onDone: (_a, status) => { if (status === 'Succeeded') t.actionsSucceeded++; }, onError: fail },
    )) : [];

    const end = o.duration === undefined ? Infinity : Date.now() + o.duration * 1000;
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => { pending.add(p); void p.finally(() => pending.delete(p)); };
    let last = Date.now();
    while (Date.now() < end && !signal?.aborted && states.length) {
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, end - Date.now()))));
      const tick = Date.now();
      const perDevice = (o.eventsPerSec * (tick - last)) / 1000 / states.length;
      last = tick;
      for (const s of states) {
        if (tick >= s.nextHeartbeat) {
          s.nextHeartbeat += o.heartbeatInterval * 1000;
          track(heartbeat(s));
        }
        if (perDevice > 0) {
          s.owed += perDevice;
          const n = Math.floor(s.owed);
          if (n > 0) {
            s.owed -= n;
            s.buffer.push(...s.gen.next(new Date(tick), n));
          }
          if (s.buffer.length >= o.batchSize || (s.buffer.length && tick - s.lastFlush >= 5000)) track(flush(s));
        }
      }
      // Back-pressure: never let more than a few rounds of requests queue up.
      if (pending.size > o.concurrency * 4) await Promise.race(pending);
    }
    for (const s of states) track(flush(s));
    await Promise.all(pending);
    polls.abort();
    signal?.removeEventListener('abort', stopPolls);
    await Promise.all(working);
  } finally {
    clearInterval(ticker);
    agent.destroy();
    polls.abort();
    pollAgent.destroy();
  }
  t.seconds = (Date.now() - started) / 1000;
  progress();
  return t;
}

/** Registers `palisade simulate`. */
export function registerSimulate(program: Command, int: (v: string) => number): void {
  program.command('simulate').description('enroll a fleet of simulated devices and keep them heartbeating (and sending events)')
    .requiredOption('--onboarding <file>', 'onboarding package (palisade admin onboarding-package)')
    .option('--devices <n>', 'number of devices', int, 10)
    .option('--duration <seconds>', 'run this long after enrollment (default: until Ctrl-C)', int)
    .option('--events-per-sec <rate>', 'events per second across the whole fleet', int, 0)
    .option('--seed <n>', 'seed: the same seed makes the same fleet and events', int, 1)
    .option('--heartbeat-interval <seconds>', 'seconds between heartbeats of one device', int, 60)
    .option('--concurrency <n>', 'requests in flight at once', int, 32)
    .option('--batch-size <n>', 'events per batch', int, 500)
    .option('--actions', 'hold the /work long-poll open on every device and carry out every machine action received (InProgress, results, Succeeded)')
    .option('--json', 'print the totals as JSON')
    .option('--quiet', 'no progress lines')
    .action(async (o: SimulateOptions & { json?: boolean }) => {
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      const t = await simulate(o, ac.signal);
      if (o.json) process.stdout.write(JSON.stringify(t, null, 2) + '\n');
      else {
        process.stdout.write(`devices enrolled: ${t.enrolled} (failed ${t.enrollFailed})\nheartbeats: ${t.heartbeats} (failed ${t.heartbeatFailed})\n`
          + `events: ${t.eventsSent} sent, ${t.eventsAccepted} accepted, ${t.eventsRejected} rejected in ${t.batches} batches (failed ${t.batchFailed})\n`
          + (o.actions ? `actions: ${t.actionsReceived} received, ${t.actionsSucceeded} succeeded\n` : '')
          + `elapsed: ${t.seconds.toFixed(1)} s${t.firstError ? `\nfirst error: ${t.firstError}` : ''}\n`);
      }
      if (t.enrollFailed || t.heartbeatFailed || t.batchFailed) process.exitCode = 1;
    });
}
