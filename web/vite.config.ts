/**
 * Builds the web console (`npm run build`): React through @vitejs/plugin-react, served by
 * `palisade serve` under `/console/` from web/dist (src/api/routes/console/routes.ts). Workers
 * (the hunting editor's) must be emitted as files: the console's Content-Security-Policy allows
 * workers from its own origin only, never from blob: URLs.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
  },
  worker: { format: 'es' },
});
