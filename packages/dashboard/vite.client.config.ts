import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the dashboard page (src/client) into dist/client: index.html, one script and one
 * stylesheet with vega, vega-lite and vega-embed bundled in, so the installed package serves
 * everything itself (no CDN, no network). `nx build dashboard` runs it after tsc.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/client/', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/client/', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4000,
    target: 'es2022',
  },
});
