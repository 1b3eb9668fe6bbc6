// The entry of a data-parallel worker thread (ShardPool): loads the worker module named in
// workerData. Installed packages run the compiled dist/ module; in the repository the sources
// run directly, and worker threads do not inherit the parent's loader hooks, so source mode
// (tools/setup/source-mode.mjs: tsx, a development dependency only, and the @anneal/source
// condition) is set up first.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) await import('../../tools/setup/source-mode.mjs');
await import(workerData.entry);
