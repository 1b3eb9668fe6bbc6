import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `entry` (a URL, typically `new URL('./x.ts', import.meta.url).href`)
 * with `data` as its workerData plus `entry`. Workers do not inherit the parent's TypeScript loader, so
 * the thread starts from the package's boot file (worker-boot.mjs), which sets up source mode first
 * when `entry` is a .ts source, and imports a compiled .js entry directly.
 *
 * @example const worker = startTypeScriptWorker(new URL(`./my-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href, { size: 224 });
 */
export function startTypeScriptWorker(entry: string, data: object): Worker {
  return new Worker(new URL('../../worker-boot.mjs', import.meta.url), { workerData: { ...data, entry } });
}
