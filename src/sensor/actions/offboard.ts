/**
 * Offboard: the sensor reports Succeeded and then stops for good: the runtime, seeing `offboard` in
 * the result, deletes its credential from the state directory and exits (the server revokes the
 * credential when it records the Succeeded). Isolation and code execution restriction are lifted
 * first, so an offboarded device is not left cut off by a sensor that no longer answers for it.
 */
import type { ActionContext, ActionHandler, ActionResult, WireAction } from './handler.ts';

/** The Offboard handler; `lift` are the handlers whose effects end with the sensor (Unisolate, UnrestrictCodeExecution). */
export function offboardHandler(lift: readonly ActionHandler[]): ActionHandler {
  return {
    type: 'Offboard',
    async run(action: WireAction, ctx: ActionContext): Promise<ActionResult> {
      const notes: string[] = [];
      for (const h of lift) {
        // offboarding goes on whatever lifting says: a sensor that stays is worse than a lift that failed
        try {
          const r = await h.run(action, ctx);
          if (r.message) notes.push(r.message);
        } catch (e) {
          notes.push(`${h.type} failed: ${(e as Error).message}`);
        }
      }
      return { status: 'Succeeded', message: ['The sensor is offboarded and stops', ...notes].join('; '), offboard: true };
    },
  };
}
