/**
 * Forwards alert changes — new alerts and every update — to an output (an AlertSink: the syslog
 * forwarder of src/stream/syslog), tenant by tenant, in (lastUpdateTime, id) order, from a durable
 * cursor in the state store (`stream_cursors`, moved after each delivered alert), so a restart
 * neither loses a change nor repeats one (only an alert in flight at a crash may go out twice).
 *
 * Changes are read through AlertService.list as a system caller of each tenant, and only once they
 * are `settleMs` old: an update committed a moment after a later-stamped one is still seen in order.
 * A new output starts at the tenant's oldest alert still stored.
 */
import type { Alert } from '../domain/alert.ts';
import { systemCtx } from '../domain/context.ts';
import type { FilterExpr, ListQuery } from '../domain/list-query.ts';
import type { AlertCursor, AlertSink, StateStore } from '../domain/ports.ts';
import type { AlertService } from './alerts.ts';

/** What an AlertForwarder works with; times and sizes have defaults. */
export interface AlertForwarderDeps {
  /** The output's name, its cursor's key (`syslog`). */
  output: string;
  sink: AlertSink;
  store: StateStore;
  alerts: AlertService;
  clock?: () => Date;
  /** Pause between rounds. */
  pollMs?: number;
  /** How old a change must be before it is forwarded. */
  settleMs?: number;
  /** Alerts read per query. */
  batch?: number;
  /** A round that failed (the output unreachable, the store down); the next round retries. */
  onError?: (e: unknown) => void;
}

/** The filter of the changes after `c` and no younger than `until`. */
function after(c: AlertCursor | null, until: string): FilterExpr {
  const settled: FilterExpr = { kind: 'cmp', op: 'le', field: 'lastUpdateTime', value: { datetime: until } };
  if (!c) return settled;
  const at: FilterExpr = { kind: 'cmp', op: 'eq', field: 'lastUpdateTime', value: { datetime: c.lastUpdateTime } };
  const later: FilterExpr = { kind: 'cmp', op: 'gt', field: 'lastUpdateTime', value: { datetime: c.lastUpdateTime } };
  const sameTimeLaterId: FilterExpr = { kind: 'and', left: at, right: { kind: 'cmp', op: 'gt', field: 'id', value: c.alertId } };
  return { kind: 'and', left: settled, right: { kind: 'or', left: later, right: sameTimeLaterId } };
}

/** Forwards alert changes to one sink. */
export class AlertForwarder {
  private readonly pollMs: number;
  private readonly settleMs: number;
  private readonly batch: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<number> | null = null;
  private stopped = false;

  constructor(private readonly deps: AlertForwarderDeps) {
    this.pollMs = deps.pollMs ?? 1000;
    this.settleMs = deps.settleMs ?? 2000;
    this.batch = deps.batch ?? 200;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Delivers every settled change not delivered yet, in every tenant; resolves with how many went out. */
  async runOnce(): Promise<number> {
    this.round ??= this.forwardAll().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async forwardAll(): Promise<number> {
    let sent = 0;
    for (const t of await this.deps.store.tenants.list()) {
      if (this.stopped) break;
      sent += await this.forwardTenant(t.id);
    }
    return sent;
  }

  private async forwardTenant(tenantId: string): Promise<number> {
    const { output, store, sink } = this.deps;
    const ctx = systemCtx(tenantId, ['Alert.Read.All']);
    let cursor = await store.streamCursors.get(output, tenantId);
    const until = new Date(this.clock().getTime() - this.settleMs).toISOString();
    let sent = 0;
    for (;;) {
      const q: ListQuery = {
        filter: after(cursor, until), top: this.batch, skip: 0, count: false,
        orderBy: [{ field: 'lastUpdateTime', dir: 'asc' }, { field: 'id', dir: 'asc' }],
      };
      const page: Alert[] = (await this.deps.alerts.list(ctx, q)).items;
      for (const a of page) {
        if (this.stopped) return sent;
        await sink.deliver(a);
        cursor = { lastUpdateTime: a.lastUpdateTime, alertId: a.id };
        await store.streamCursors.save(output, tenantId, cursor);
        sent++;
      }
      if (page.length < this.batch) return sent;
    }
  }

  /** Forwards every `pollMs` until stopped. */
  start(): void {
    const tick = async () => {
      try {
        await this.runOnce();
      } catch (e) {
        this.deps.onError?.(e);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.pollMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops after the alert in hand (its cursor saved) and closes the sink. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    await this.deps.sink.close();
  }
}
