#!/usr/bin/env node
/* global process, console */
// `npm run build`, also run by the root package's `install` script (so `npm ci` builds it): builds
// the web console (web/, web/vite.config.ts) into web/dist with Vite, which `palisade serve`
// serves at /console/; `npm pack` runs it too (prepack), so the package carries web/dist. An
// install without development dependencies has no Vite: from the package it keeps the console the
// package carries; from a checkout (`npm ci --omit=dev`) it says so and leaves the console unbuilt,
// and the server then answers /console/ with 503 and how to build it. With Vite present, a failed
// build fails the install.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));
let vitePath;
try {
  vitePath = require.resolve('vite');
} catch {
  console.log(existsSync(join(root, 'web', 'dist', 'index.html'))
    ? 'build-console: Vite is not installed; the web console built into the package (web/dist) is used'
    : 'build-console: Vite is not installed (an install without dev dependencies); the web console is not built');
  process.exit(0);
}
const { build } = await import(vitePath);
try {
  await build({ configFile: join(root, 'web', 'vite.config.ts') });
  console.log('build-console: built web/dist');
} catch (e) {
  console.error(`build-console: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
