/**
 * Runs one sensor action handler in this process and prints its result as JSON, so a test can run
 * it inside a network namespace (`ip netns exec NS node --import tsx run-action.ts SPEC`). SPEC is
 * JSON: `{ action, stateDir, serverAddress, resume? }`; with `resume` the handler's `resume` runs
 * instead (what the sensor does when it starts) and `{ resumed }` is printed.
 */
import { createActionHandlers } from '../../../src/sensor/actions/index.ts';
import { ImageHasher } from '../../../src/sensor/collectors/image-hash.ts';
import type { WireAction } from '../../../src/sensor/actions/handler.ts';
import { recordingContext } from './action-context.ts';

const hasher = new ImageHasher();
const spec = JSON.parse(process.argv[2]!) as { action: WireAction; stateDir: string; serverAddress: { host: string; port: number }; resume?: boolean };
const handler = createActionHandlers({ hasher }).get(spec.action.type);
if (!handler) throw new Error(`no handler for ${spec.action.type}`);
const { ctx } = recordingContext({ stateDir: spec.stateDir, uploadDir: spec.stateDir, serverAddress: spec.serverAddress });
const result = spec.resume ? { resumed: await handler.resume?.(ctx) ?? null } : await handler.run(spec.action, ctx);
process.stdout.write(`${JSON.stringify(result)}\n`);
