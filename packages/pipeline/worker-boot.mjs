// A tune worker process: Pipeline.tune with parallel > 1 forks this file once per worker, with
// argv [worker module, config file, JSON options]. Installed packages run the compiled module; in
// the repository the sources run directly (tools/setup/source-mode.mjs: tsx, a development
// dependency only, and the @anneal/source condition), since a forked process does not inherit the
// parent's loader hooks.
const [entry] = process.argv.slice(2);
if (entry.endsWith('.ts')) await import('../../tools/setup/source-mode.mjs');
await import(entry);
