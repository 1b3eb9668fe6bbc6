// The browser twin of shard-pool.ts (package.json "imports" #shard-pool, browser condition):
// data-parallel training runs on Node worker threads; a page trains on one session.
import { AnnealRuntimeError } from '../errors.js';
import type { ShardPoolOptions } from './shard-pool.js';

export type { ShardPoolOptions, ShardRunResult } from './shard-pool.js';

export class ShardWorkerError extends AnnealRuntimeError {
  constructor(
    readonly worker: number,
    detail: string,
  ) {
    super('SHARD_WORKER_FAILED', `data-parallel worker ${worker} failed: ${detail}`);
  }
}

export class ShardPool {
  static async create(_options: ShardPoolOptions): Promise<ShardPool> {
    throw new AnnealRuntimeError('NO_WORKER_THREADS', 'data-parallel training (parallel.workers > 1 or accumulate > 1) needs Node worker threads; in a browser, train without `parallel`');
  }
}
