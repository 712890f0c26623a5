/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Each prints its figures and the ratio
 * against a baseline measured in the same run.
 */
const name = process.argv[2];
const benches: Record<string, () => Promise<{ main: (args: string[]) => Promise<void> }>> = {
  api: () => import('./api.ts'),
  ingest: () => import('./ingest.ts'),
  hunting: () => import('./hunting.ts'),
  detect: () => import('./detect.ts'),
  actions: () => import('./actions.ts'),
  sensor: () => import('./sensor.ts'),
  console: () => import('./console.ts'),
};
if (!name || !benches[name]) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exit(2);
}
const mod = await benches[name]();
await mod.main(process.argv.slice(3));
