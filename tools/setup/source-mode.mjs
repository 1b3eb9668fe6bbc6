// Source mode, for the repository only: run the TypeScript sources of every workspace package.
// tsx compiles them, and a resolve hook adds the `@anneal/source` export condition, so a package
// imported by name resolves to its src/ (as in vitest and the typecheck) instead of a dist/ build
// that may be stale or not built yet. Forked processes and worker threads do not inherit loader
// hooks: the CLI bin and the worker boot files import this module before anything else.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  return next(specifier, context.conditions.includes('@anneal/source') ? context : { ...context, conditions: ['@anneal/source', ...context.conditions] });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
(await import('tsx/esm/api')).register();
