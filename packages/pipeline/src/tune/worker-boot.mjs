// A tune worker process: `anneal tune` (Pipeline.tune with parallel > 1) forks this file once per
// worker. Forked processes do not inherit the parent's TypeScript loader: register tsx, then run
// the worker.
import { register } from 'tsx/esm/api';

register();
await import('./tune-worker.ts');
