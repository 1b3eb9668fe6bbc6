// The entry of a data-parallel worker thread (ShardPool): loads the worker module named in
// workerData. Installed packages run the compiled dist/ module; in the repository the sources
// run directly, and worker threads do not inherit the parent's TypeScript loader, so tsx is
// registered first (tsx is a development dependency only).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entry);
