/**
 * The sensor's action handlers, one per machine action type, built with the sensor's options; the
 * dispatcher looks a delivered action's handler up by its type; handlers with a `resume` put their
 * lasting effects back when the sensor starts. Indicator enforcement (not an action: it follows the
 * indicator list) is exported for the runtime too.
 */
import { nativeHelper } from '../agent/native-helpers.ts';
import { avScanHandler, defaultQuickFolders, type AvScanOptions } from './av-scan.ts';
import { codeExecutionHandlers } from './code-execution.ts';
import type { ActionHandler, FileHasher, MachineActionType } from './handler.ts';
import { investigationPackageHandler, type InvestigationPackageOptions } from './investigation-package.ts';
import { isolationHandlers, type IsolationOptions } from './isolation.ts';
import { liveResponseHandler, type LiveResponseOptions } from './live-response.ts';
import { offboardHandler } from './offboard.ts';
import { stopAndQuarantineHandler } from './stop-and-quarantine.ts';

export { IndicatorEnforcer } from './indicator-enforcement.ts';

/** Options of the action handlers (each has a default fit for a real host). */
export interface ActionHandlersOptions {
  /** The runtime's file hasher (shared with the process collector, so images are hashed once). */
  hasher: FileHasher;
  isolation?: IsolationOptions;
  /** The execution guard helper. Default: build/native/execguard under the package root (built by `npm ci`). */
  execguard?: string;
  /** The file systems RestrictCodeExecution guards. Default: every local one. */
  restrictPaths?: string[];
  liveResponse?: LiveResponseOptions;
  investigationPackage?: InvestigationPackageOptions;
  avScan?: Omit<AvScanOptions, 'hasher'>;
}

/** Every action handler, by the action type it carries out. */
export function createActionHandlers(opts: ActionHandlersOptions): Map<MachineActionType, ActionHandler> {
  const [isolate, unisolate] = isolationHandlers(opts.isolation);
  const [restrict, unrestrict] = codeExecutionHandlers({ execguard: opts.execguard ? () => opts.execguard! : () => nativeHelper('execguard'), paths: opts.restrictPaths, hasher: opts.hasher });
  const handlers: ActionHandler[] = [
    isolate,
    unisolate,
    restrict,
    unrestrict,
    stopAndQuarantineHandler(opts.hasher, async () => opts.avScan?.quickFolders ?? await defaultQuickFolders()),
    avScanHandler({ ...opts.avScan, hasher: opts.hasher }),
    investigationPackageHandler(opts.investigationPackage),
    liveResponseHandler(opts.liveResponse),
    offboardHandler([unisolate, unrestrict]),
  ];
  return new Map(handlers.map((h) => [h.type, h]));
}
