/* global process */
// The `palisade` command, loaded by its entry point palisade.cjs (which sizes libuv's thread pool
// first). TypeScript sources run through tsx's loader, so a checkout works right after `npm ci` with
// no build step. `palisade sensor` loads only the sensor (src/cli/sensor-main.ts), not the server.
import { register } from 'tsx/esm/api';
register();
await import(process.argv[2] === 'sensor' ? '../src/cli/sensor-main.ts' : '../src/cli/main.ts');
