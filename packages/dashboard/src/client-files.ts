import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the built page (index.html and assets/): this package's `dist/client`, which
 * `nx build dashboard` writes with vite. `../dist/client/` resolves to it both from the compiled
 * modules (dist/*.js) and from the sources (src/*.ts, in the repository). Undefined when the page
 * was never built.
 */
export function findClientDir(): string | undefined {
  const dir = fileURLToPath(new URL('../dist/client/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
