import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `entry` (a URL, typically `new URL('./x.ts', import.meta.url).href`)
 * with `data` as its workerData plus `entry`. Workers do not inherit the parent's TypeScript loader, so
 * the thread starts from a small boot file that registers tsx first.
 *
 * @example const worker = startTypeScriptWorker(new URL('./my-worker.ts', import.meta.url).href, { size: 224 });
 */
export function startTypeScriptWorker(entry: string, data: object): Worker {
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { ...data, entry } });
}
