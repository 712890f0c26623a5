// The `palisade` command, loaded by its entry point palisade.cjs (which sizes libuv's thread pool
// first). TypeScript sources run through tsx's loader, so a checkout works right after `npm ci` with
// no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
