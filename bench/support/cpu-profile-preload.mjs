/**
 * Preloaded with `NODE_OPTIONS=--import <this file>` (node refuses --cpu-prof there): profiles the
 * whole process with V8's sampling profiler and writes a .cpuprofile file (Chrome DevTools format)
 * into $PALISADE_CPU_PROF_DIR when the process exits normally (e.g. serve after SIGTERM).
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const dir = process.env.PALISADE_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-thread inspector session answers synchronously, so this completes before exit.
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `serve-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
