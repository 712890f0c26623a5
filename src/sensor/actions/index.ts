/**
 * The sensor's action handlers, one per machine action type, built with the sensor's options; the
 * dispatcher looks a delivered action's handler up by its type.
 */
import type { ActionHandler, FileHasher, MachineActionType } from './handler.ts';
import { isolateHandler, unisolateHandler, type IsolationOptions } from './isolation.ts';
import { stopAndQuarantineHandler } from './stop-and-quarantine.ts';

export { IndicatorEnforcer } from './indicator-enforcement.ts';
export { reapplyIsolation } from './isolation.ts';

/** Options of the action handlers (each has a default fit for a real host). */
export interface ActionHandlersOptions {
  /** The sensor's state directory. */
  stateDir: string;
  /** The runtime's file hasher (shared with the process collector, so images are hashed once). */
  hasher: FileHasher;
  isolation?: IsolationOptions;
}

/** Every action handler, by the action type it carries out. */
export function createActionHandlers(opts: ActionHandlersOptions): Map<MachineActionType, ActionHandler> {
  const handlers: ActionHandler[] = [
    isolateHandler(opts.isolation),
    unisolateHandler(opts.isolation),
    stopAndQuarantineHandler(opts.hasher),
  ];
  return new Map(handlers.map((h) => [h.type, h]));
}
