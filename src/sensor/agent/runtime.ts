/**
 * The sensor runtime (`palisade sensor`): enrolls once with an onboarding package (the credential is
 * kept in the state directory), heartbeats with the host's inventory, runs the collectors into the
 * disk spool and sends the spool's batches, holds the work long-poll open and hands its actions to
 * the dispatcher, keeps the indicator list in step and enforces its file-hash indicators on every
 * process start (and on the running processes after each sync), and puts back an isolation that
 * was in force before a restart. Network trouble never stops it: every loop
 * retries with backoff; a revoked credential (401) stops it.
 */
import type { ActionHandler } from '../actions/handler.ts';
import { IndicatorEnforcer } from '../actions/index.ts';
import type { Collector } from '../collectors/collector.ts';
import { ImageHasher } from '../collectors/image-hash.ts';
import { ProcessCollector } from '../collectors/process.ts';
import { SensorClient, SensorClientError } from '../transport/client.ts';
import type { OnboardingPackage } from '../transport/onboarding-package.ts';
import { Dispatcher } from './dispatcher.ts';
import { IndicatorStore } from './indicator-store.ts';
import { enrollInfo, heartbeatOf, inventoryRows, takeInventory } from './inventory.ts';
import type { SensorLog } from './log.ts';
import { DiskSpool } from './spool.ts';
import { StateDir, type StoredCredential } from './state-dir.ts';

/** Options of {@link SensorRuntime}. */
export interface SensorOptions {
  /** The state directory (credential, spool, indicators). */
  stateDir: string;
  /** The onboarding package; needed for the first start (enrollment), optional after it. */
  onboarding?: OnboardingPackage;
  collectors: Collector[];
  handlers: ActionHandler[];
  /** The image hasher the collectors and handlers share (so each file version is hashed once). */
  hasher?: ImageHasher;
  log: SensorLog;
  /** Most MiB the event spool may take on disk. Default 256. */
  spoolMib?: number;
  /** Seconds a /work long-poll asks the server to hold. Default 25. */
  workWaitSeconds?: number;
  /** Milliseconds between spool flushes (events reach the disk and are sent). Default 1,000. */
  flushIntervalMs?: number;
  /** Minutes between DeviceInfo/DeviceNetworkInfo snapshots. Default 60. */
  inventoryMinutes?: number;
  /** Tags to enroll with. */
  machineTags?: string[];
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Thrown by {@link SensorRuntime.start} on a device that was offboarded: it does not enroll again by itself. */
export class OffboardedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OffboardedError';
  }
}

const isRevoked = (e: unknown) => e instanceof SensorClientError && e.status === 401;

/** One running sensor. */
export class SensorRuntime {
  readonly state: StateDir;
  private client!: SensorClient;
  private credential!: StoredCredential;
  private spool!: DiskSpool;
  private indicators!: IndicatorStore;
  private dispatcher!: Dispatcher;
  private enforcer!: IndicatorEnforcer;
  private readonly controller = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private running: Collector[] = [];
  private reportId = Date.now();
  private heartbeatMs = 60_000;
  private stopped: Promise<void> | null = null;
  private resolveEnded!: (why: string) => void;
  /** Resolves with the reason when the sensor stops by itself (offboarded, credential revoked) or is stopped. */
  readonly ended: Promise<string>;

  constructor(private readonly opts: SensorOptions) {
    this.state = new StateDir(opts.stateDir).ensure();
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  /** The device id once started. */
  get deviceId(): string {
    return this.credential.deviceId;
  }

  /** The collectors that started. */
  get collectors(): string[] {
    return this.running.map((c) => c.name);
  }

  /** Events waiting in the spool, and events it dropped to stay within its bound. */
  get spoolStats(): { waiting: number; bytes: number; dropped: number } {
    return { waiting: this.spool.size, bytes: this.spool.bytes, dropped: this.spool.dropped };
  }

  /** Enrolls when needed, then starts the collectors and the loops; resolves once they run. */
  async start(): Promise<void> {
    const { log } = this.opts;
    this.credential = await this.enrollOnce();
    this.client = new SensorClient({
      serverUrl: this.credential.serverUrl,
      caCertificate: this.credential.caCertificate,
      credentials: { deviceId: this.credential.deviceId, deviceCredential: this.credential.deviceCredential },
      retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 4000 },
      userAgent: 'palisade-sensor/1 (Linux)',
    });
    this.spool = new DiskSpool({
      dir: this.state.spool,
      maxBytes: (this.opts.spoolMib ?? 256) * 1024 * 1024,
      onDrop: (events, segments) => {
        log.warn('the event spool is full: dropped its oldest events', { events, segments, droppedTotal: this.spool.dropped });
        this.emit('DeviceEvents', { ActionType: 'SensorEventsDropped', AdditionalFields: JSON.stringify({ DroppedEvents: events, DroppedTotal: this.spool.dropped, Reason: 'SpoolFull' }) });
      },
    });
    this.indicators = new IndicatorStore(this.state);
    this.enforcer = new IndicatorEnforcer({
      hasher: this.opts.hasher ?? new ImageHasher(),
      indicators: () => this.indicators.list(),
      emit: (t, r) => this.emit(t, r),
      stateDir: this.state.root,
      log,
    });
    // lasting effects of earlier actions (isolation, code execution restriction) are put back
    for (const h of this.opts.handlers) {
      try {
        const what = await h.resume?.({ emit: (t, r) => this.emit(t, r), stateDir: this.state.root, log });
        if (what) log.warn(what);
      } catch (e) {
        log.error(`what ${h.type} put in force before the restart could not be put back`, { error: (e as Error).message });
      }
    }
    const server = new URL(this.credential.serverUrl);
    this.dispatcher = new Dispatcher({
      client: this.client,
      handlers: this.opts.handlers,
      indicators: this.indicators,
      emit: (t, r) => this.emit(t, r),
      serverAddress: { host: server.hostname.replace(/^\[|\]$/g, ''), port: Number(server.port) || (server.protocol === 'https:' ? 443 : 80) },
      stateDir: this.state.root,
      log,
      onOffboard: () => void this.offboard(),
    });
    for (const c of this.opts.collectors) {
      if (c instanceof ProcessCollector) {
        c.observe((p) => void this.enforcer.onProcessStart(p).catch((e: unknown) => log.warn('indicator enforcement failed', { pid: p.pid, error: (e as Error).message })));
      }
      try {
        await c.start((t, r) => this.emit(t, r), log);
        this.running.push(c);
      } catch (e) {
        log.warn(`the ${c.name} collector cannot run here`, { error: (e as Error).message });
      }
    }
    log.info('sensor started', { deviceId: this.credential.deviceId, server: this.credential.serverUrl, collectors: this.collectors });
    const signal = this.controller.signal;
    this.loops.push(this.heartbeatLoop(signal), this.sendLoop(signal), this.workLoop(signal), this.inventoryLoop(signal));
  }

  /** Queues one event row; adds Timestamp (now) when absent and the device's ReportId counter. */
  emit(table: string, row: Record<string, unknown>): void {
    this.spool.push({ table, row: { ...row, Timestamp: row.Timestamp ?? new Date().toISOString(), ReportId: this.reportId++ } });
  }

  /** The indicator list held (for action handlers and enforcement). */
  get indicatorStore(): IndicatorStore {
    return this.indicators;
  }

  /** Stops the loops and collectors, writes what is queued to the spool and tries once to send it. */
  stop(reason = 'stopped'): Promise<void> {
    return (this.stopped ??= (async () => {
      this.controller.abort();
      await this.dispatcher?.stop();
      await Promise.allSettled(this.running.map((c) => c.stop()));
      await Promise.allSettled(this.loops);
      this.spool?.flush();
      this.client?.close();
      this.opts.log.info('sensor stopped', { reason });
      this.resolveEnded(reason);
    })());
  }

  private async enrollOnce(): Promise<StoredCredential> {
    const held = this.state.readCredential();
    const pkg = this.opts.onboarding;
    if (held && (!pkg || pkg.serverUrl === held.serverUrl)) return held;
    const off = this.state.readOffboarded();
    if (off) throw new OffboardedError(`This device (${off.deviceId}) was offboarded at ${off.offboardedAt}; to enroll it again, delete ${this.state.offboardedFile}`);
    if (!pkg) throw new Error(`This sensor is not enrolled (no credential in ${this.state.root}); start it with --onboarding FILE`);
    const client = SensorClient.fromOnboardingPackage(pkg, { retry: { attempts: 1 } });
    try {
      const r = await client.enroll(pkg, enrollInfo(takeInventory(), this.opts.machineTags));
      const cred: StoredCredential = {
        deviceId: r.deviceId, deviceCredential: r.deviceCredential, tenantId: r.tenantId ?? pkg.tenantId,
        serverUrl: pkg.serverUrl, caCertificate: pkg.caCertificate, enrolledAt: new Date().toISOString(),
      };
      this.state.writeCredential(cred);
      this.opts.log.info('enrolled', { deviceId: cred.deviceId, tenantId: cred.tenantId });
      return cred;
    } finally {
      client.close();
    }
  }

  /** Deletes the credential, records the offboarding and stops: after an offboard action succeeded. */
  private async offboard(): Promise<void> {
    this.state.offboard(this.credential.deviceId);
    await this.stop('offboarded');
  }

  private revoked(e: unknown): boolean {
    if (!isRevoked(e)) return false;
    this.opts.log.error('the server refused the device credential (revoked or offboarded); stopping');
    void this.stop('credential revoked');
    return true;
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const r = await this.client.heartbeat(heartbeatOf(takeInventory(), this.collectors));
        this.heartbeatMs = Math.max(5, r.heartbeatIntervalSeconds) * 1000;
      } catch (e) {
        if (this.revoked(e)) return;
        this.opts.log.warn('heartbeat failed', { error: (e as Error).message });
      }
      await pause(this.heartbeatMs, signal);
    }
  }

  private async inventoryLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      for (const { table, row } of inventoryRows(takeInventory(), new Date(), this.collectors)) this.emit(table, row);
      await pause((this.opts.inventoryMinutes ?? 60) * 60_000, signal);
    }
  }

  /** Flushes the spool every interval and sends its segments, oldest first; backs off while the server is away. */
  private async sendLoop(signal: AbortSignal): Promise<void> {
    const every = this.opts.flushIntervalMs ?? 1000;
    let backoff = 0;
    while (!signal.aborted) {
      await pause(backoff || every, signal);
      this.spool.flush();
      try {
        for (let seg = this.spool.peek(); seg && !signal.aborted; seg = this.spool.peek()) {
          const r = await this.client.sendEvents(seg.batchId, seg.events);
          if (r.rejected.length > 0) this.opts.log.warn('the server rejected events of a batch', { batchId: seg.batchId, rejected: r.rejected.slice(0, 5) });
          this.spool.ack(seg);
        }
        backoff = 0;
      } catch (e) {
        if (this.revoked(e)) return;
        if (e instanceof SensorClientError && !e.retryable) {
          // the server will never take this batch (e.g. too large): keeping it would block the rest
          const seg = this.spool.peek();
          if (seg) this.spool.ack(seg);
          this.opts.log.error('the server refused an event batch; dropped it', { batchId: seg?.batchId, error: e.message });
          continue;
        }
        backoff = Math.min(30_000, Math.max(1000, backoff * 2));
        this.opts.log.warn('sending events failed; they wait in the spool', { error: (e as Error).message, waiting: this.spool.size, retryInMs: backoff });
      }
    }
  }

  private async workLoop(signal: AbortSignal): Promise<void> {
    const wait = this.opts.workWaitSeconds ?? 25;
    let backoff = 0;
    if (this.indicators.version === 0) await this.syncIndicators();
    while (!signal.aborted) {
      try {
        const r = await this.client.work(wait, this.indicators.version, signal);
        backoff = 0;
        if (r.indicatorVersion > this.indicators.version) await this.syncIndicators();
        let unacknowledged = 0;
        for (const a of r.actions) {
          try {
            await this.dispatcher.accept(a);
          } catch (e) {
            if (this.revoked(e)) return;
            unacknowledged++;
            this.opts.log.warn('an action could not be acknowledged', { actionId: a.id, error: (e as Error).message });
          }
        }
        // /work answers at once while an action waits unacknowledged: do not spin on it
        if (unacknowledged > 0) await pause(1000, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (this.revoked(e)) return;
        backoff = Math.min(15_000, Math.max(500, backoff * 2));
        this.opts.log.warn('the work long-poll failed', { error: (e as Error).message, retryInMs: backoff });
        await pause(backoff, signal);
      }
    }
  }

  private async syncIndicators(): Promise<void> {
    try {
      this.indicators.apply(await this.client.indicators(this.indicators.version));
      // processes that started before their indicator arrived
      void this.enforcer.sweep().catch((e: unknown) => this.opts.log.warn('the indicator sweep of running processes failed', { error: (e as Error).message }));
    } catch (e) {
      if (this.revoked(e)) return;
      this.opts.log.warn('the indicator list could not be fetched', { error: (e as Error).message });
    }
  }
}
