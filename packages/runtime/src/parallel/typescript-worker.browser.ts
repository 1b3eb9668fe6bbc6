// The browser twin of typescript-worker.ts (package.json "imports" #typescript-worker, browser
// condition): worker threads are a Node feature; a page has no node:worker_threads.
import type { Worker } from 'node:worker_threads';
import { AnnealRuntimeError } from '../errors.js';

export function startTypeScriptWorker(_entry: string, _data: object): Worker {
  throw new AnnealRuntimeError('NO_WORKER_THREADS', 'startTypeScriptWorker needs Node worker threads; it does not run in a browser');
}
