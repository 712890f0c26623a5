/**
 * Builds the web console (`npm run build`): React through @vitejs/plugin-react, served by
 * `palisade serve` under `/console/` from web/dist (src/api/routes/console/routes.ts). Workers
 * (the hunting editor's) must be emitted as files: the console's Content-Security-Policy allows
 * workers from its own origin only, never from blob: URLs.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Warnings about the Kusto language service's own scripts (Bridge.NET output in @kusto/language-service):
 * they test for Node's `fs` (never reached in a browser) and use `eval` in Newtonsoft.Json's port.
 * Known and harmless; any other warning is shown.
 */
function kustoScriptsWarning(log: { message?: string; id?: string; code?: string }): boolean {
  const where = `${log.id ?? ''} ${log.message ?? ''}`;
  return where.includes('@kusto/language-service') && (log.code === 'EVAL' || /Module "fs" has been externalized/.test(log.message ?? ''));
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    rolldownOptions: {
      onLog(level, log, handler) {
        if (kustoScriptsWarning(log)) return;
        handler(level, log);
      },
    },
  },
  worker: { format: 'es' },
});
