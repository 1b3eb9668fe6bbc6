// A tune worker process: Pipeline.tune with parallel > 1 forks this file once per worker, with
// argv [worker module, config file, JSON options]. Installed packages run the compiled module; in
// the repository the sources run directly through tsx (a development dependency only), since a
// forked process does not inherit the parent's TypeScript loader.
const [entry] = process.argv.slice(2);
if (entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(entry);
