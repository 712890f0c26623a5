#!/usr/bin/env node
/* global process, console */
// The root package's `install` script (run by `npm ci`): compiles the sensor's native helpers in
// native/*.c with the system's C compiler into build/native/<name> (git-ignored). The sensor finds
// them there (src/sensor/agent/native-helpers.ts). On a platform other than Linux there is nothing to
// build (the helpers use Linux interfaces) and it exits quietly; on Linux a failed compile fails the
// install, since the sensor's process collector needs the helper.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
if (process.platform !== 'linux') {
  console.log('build-native: not Linux, no native helpers built');
  process.exit(0);
}
const out = join(root, 'build', 'native');
mkdirSync(out, { recursive: true });
const cc = process.env.CC || 'cc';
for (const file of readdirSync(join(root, 'native')).filter((f) => f.endsWith('.c')).sort()) {
  const target = join(out, basename(file, '.c'));
  const args = ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-o', target, join(root, 'native', file)];
  try {
    execFileSync(cc, args, { stdio: 'inherit' });
  } catch (e) {
    console.error(`build-native: ${cc} ${args.join(' ')} failed: ${e.message}`);
    process.exit(1);
  }
  console.log(`build-native: built ${target}`);
}
