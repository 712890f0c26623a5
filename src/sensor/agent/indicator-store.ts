/**
 * The tenant's indicator list as this device holds it for enforcement: kept in memory, saved in the
 * state directory (so it is enforced from the start, before the server answers), and brought up to
 * date from `GET /sensor/v1/indicators?since=V` whenever the work long-poll reports a newer version.
 */
import type { IndicatorListResult, WireIndicator } from '../transport/protocol.ts';
import type { StateDir } from './state-dir.ts';

/** The held list and its version. */
export class IndicatorStore {
  private byId = new Map<string, WireIndicator>();
  private held = 0;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly state: StateDir) {
    const saved = state.readJson(state.indicatorsFile) as { version?: unknown; indicators?: unknown } | null;
    if (saved && typeof saved.version === 'number' && Array.isArray(saved.indicators)) {
      this.held = saved.version;
      for (const i of saved.indicators as WireIndicator[]) if (i && typeof i.id === 'string') this.byId.set(i.id, i);
    }
  }

  /** The version held (0: none yet). */
  get version(): number {
    return this.held;
  }

  /** The indicators held, expired ones left out. */
  list(now = Date.now()): WireIndicator[] {
    return [...this.byId.values()].filter((i) => !i.expires || Date.parse(i.expires) > now);
  }

  /** Calls `fn` after every change of the list. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Applies an answer of the indicators route (the whole list or changes), saves it and tells the listeners. */
  apply(r: IndicatorListResult): void {
    if (r.full) this.byId = new Map();
    for (const id of r.removed) this.byId.delete(id);
    for (const i of r.indicators) this.byId.set(i.id, i);
    this.held = r.version;
    this.state.writeJson(this.state.indicatorsFile, { version: this.held, indicators: [...this.byId.values()] });
    for (const fn of this.listeners) fn();
  }
}
