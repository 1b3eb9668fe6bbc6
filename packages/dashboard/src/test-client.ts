// Test helper (not shipped): makes sure dist/client (the page vite builds) is newer than its
// sources, building it when not, so the browser spec runs the page as `nx build dashboard` makes it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../', import.meta.url));

function newest(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** Builds the page with vite when dist/client is missing or older than src/client or the vite config. */
export async function ensureClientBuilt(): Promise<void> {
  const index = join(pkg, 'dist', 'client', 'index.html');
  const config = join(pkg, 'vite.client.config.ts');
  const sources = Math.max(newest(join(pkg, 'src', 'client')), statSync(config).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: config, logLevel: 'error' });
}
