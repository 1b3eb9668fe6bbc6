import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A worker name unique across processes and machines: `host:pid:random`. Stored on the trials a
 * worker runs, so a stale trial says whose process was lost.
 *
 * @example
 * defaultWorkerId(); // 'gpu-box-3:41233:9f2c1a'
 */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
