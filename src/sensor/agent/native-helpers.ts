/**
 * Where the sensor's native helpers are: `build/native/<name>` under the package root, compiled from
 * native/<name>.c by the package's install script (tools/build-native.mjs).
 */
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

/** The package root (this file is src/sensor/agent/native-helpers.ts). */
const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');

/** The path of a native helper, e.g. `nativeHelper('procmon')`; throws naming how to build it when missing. */
export function nativeHelper(name: string): string {
  const path = join(PACKAGE_ROOT, 'build', 'native', name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`The native helper ${path} is missing; build it with \`node tools/build-native.mjs\` (npm ci runs it)`);
  }
  return path;
}
