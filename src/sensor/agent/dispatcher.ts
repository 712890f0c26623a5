/**
 * The dispatcher: takes the actions the work long-poll hands over, acknowledges each by reporting
 * `InProgress`, runs the action's handler (src/sensor/actions/) with an ActionContext, and reports
 * the handler's result as the final status. An action the server answers `Cancelled` or `TimeOut`
 * for is abandoned (its handler's signal aborts). An action type without a handler fails with a
 * message saying so. Each action runs once per sensor run, however often /work returns it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext, ActionHandler, ActionResult } from '../actions/handler.ts';
import type { SensorClient } from '../transport/client.ts';
import type { ProgressReport, ProgressResult, WireAction } from '../transport/protocol.ts';
import type { IndicatorStore } from './indicator-store.ts';
import type { SensorLog } from './log.ts';

/** What the dispatcher needs of the runtime. */
export interface DispatcherDeps {
  client: SensorClient;
  handlers: readonly ActionHandler[];
  indicators: IndicatorStore;
  emit: (table: string, row: Record<string, unknown>) => void;
  serverAddress: { host: string; port: number };
  stateDir: string;
  log: SensorLog;
  /** Called after an offboard action's Succeeded report was accepted. */
  onOffboard: () => void;
}

const STOP = new Set(['Cancelled', 'TimeOut']);

/** Runs actions through their handlers. */
export class Dispatcher {
  private readonly byType: Map<string, ActionHandler>;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Ids of actions this run already carried out (bounded), so a repeated delivery is not run twice. */
  private readonly finished = new Set<string>();

  constructor(private readonly deps: DispatcherDeps) {
    this.byType = new Map(deps.handlers.map((h) => [h.type, h]));
  }

  /**
   * Acknowledges an action (InProgress) and starts its handler; resolves once acknowledged, before
   * the handler finishes. Actions already running or done are ignored.
   */
  async accept(action: WireAction): Promise<void> {
    if (this.running.has(action.id) || this.finished.has(action.id)) return;
    const { client, log } = this.deps;
    const handler = this.byType.get(action.type);
    if (!handler) {
      this.markFinished(action.id);
      await client.reportProgress(action.id, { status: 'Failed', message: `This sensor cannot carry out ${action.type} actions` });
      return;
    }
    const ack = await client.reportProgress(action.id, { status: 'InProgress' });
    if (STOP.has(ack.status)) {
      this.markFinished(action.id);
      log.info('action abandoned: the server says it ended', { actionId: action.id, status: ack.status });
      return;
    }
    const controller = new AbortController();
    const done = this.run(handler, action, controller).finally(() => {
      this.running.delete(action.id);
      this.markFinished(action.id);
    });
    this.running.set(action.id, { controller, done });
  }

  /** Aborts every running action and waits for their handlers to return. */
  async stop(): Promise<void> {
    for (const r of this.running.values()) r.controller.abort(new Error('the sensor is stopping'));
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** Waits for the actions running now to finish. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private markFinished(id: string): void {
    this.finished.add(id);
    if (this.finished.size > 10_000) this.finished.delete(this.finished.values().next().value!);
  }

  private async run(handler: ActionHandler, action: WireAction, controller: AbortController): Promise<void> {
    const { client, log } = this.deps;
    const temp: string[] = [];
    const report = async (p: ProgressReport): Promise<ProgressResult> => {
      const r = await client.reportProgress(action.id, p);
      if (STOP.has(r.status)) controller.abort(new Error(`the action ended on the server: ${r.status}`));
      return r;
    };
    const ctx: ActionContext = {
      report,
      upload: (index, body) => client.uploadResult(action.id, index, body),
      fetchLibraryFile: async (name) => {
        const dir = await mkdtemp(join(this.deps.stateDir, 'library-'));
        temp.push(dir);
        const path = join(dir, name.replace(/[/\\]/g, '_'));
        await client.fetchLibraryFile(name, path);
        return path;
      },
      indicators: () => this.deps.indicators.list(),
      emit: this.deps.emit,
      serverAddress: this.deps.serverAddress,
      stateDir: this.deps.stateDir,
      log: { info: (m, f) => log.info(m, { actionId: action.id, ...f }), warn: (m, f) => log.warn(m, { actionId: action.id, ...f }) },
      signal: controller.signal,
    };
    let result: ActionResult;
    try {
      log.info('action started', { actionId: action.id, type: action.type });
      result = await handler.run(action, ctx);
    } catch (e) {
      result = { status: 'Failed', message: (e as Error).message || String(e) };
    } finally {
      await Promise.all(temp.map((d) => rm(d, { recursive: true, force: true })));
    }
    if (controller.signal.aborted) {
      log.info('action abandoned', { actionId: action.id, reason: String((controller.signal.reason as Error)?.message ?? controller.signal.reason) });
      return;
    }
    const final: ProgressReport = { status: result.status };
    if (result.message !== undefined) final.message = result.message.slice(0, 4096);
    if (result.errors?.length) final.errors = result.errors.slice(0, 32).map((e) => e.slice(0, 1024));
    if (result.fileInfo) final.fileInfo = result.fileInfo;
    try {
      const r = await client.reportProgress(action.id, final);
      log.info('action finished', { actionId: action.id, type: action.type, status: result.status, serverStatus: r.status });
      if (result.offboard && result.status === 'Succeeded' && r.status === 'Succeeded') this.deps.onOffboard();
    } catch (e) {
      log.error('the result of an action could not be reported', { actionId: action.id, error: (e as Error).message });
    }
  }
}
