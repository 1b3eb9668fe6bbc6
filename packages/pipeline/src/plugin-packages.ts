import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleDescriptors, PluginContractError, pluginPackages, type PluginDescriptor } from '@anneal/plugin';
import { ConfigError } from './errors.js';

/** The package names a config asks for: the one rule, from @anneal/plugin (re-exported for the pipeline's callers). */
export { pluginPackages };

/**
 * Imports a package by name, resolved from `baseDir` first (the user's project), then from
 * Anneal's own install; the in-repo source condition is honoured so workspace plugins load from
 * TypeScript sources under vitest/tsx.
 */
async function importPackage(name: string, baseDir: string): Promise<Record<string, unknown>> {
  const errors: string[] = [];
  for (const base of [join(baseDir, 'package.json'), import.meta.url]) {
    try {
      const resolved = createRequire(base).resolve(name, { conditions: new Set(['@anneal/source', 'import', 'node', 'default']) } as never);
      return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    } catch (e) {
      errors.push((e as Error).message.split('\n')[0]!);
    }
  }
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (e) {
    errors.push((e as Error).message.split('\n')[0]!);
  }
  throw new ConfigError(`plugin package '${name}' could not be loaded (${[...new Set(errors)].join('; ')}); install it next to your config (npm install ${name}) or fix the name`);
}

/**
 * The descriptors of plugin packages (any kinds): each package exports `descriptors` (an array)
 * or a default export. Errors name the package and the entry that breaks the contract.
 */
export async function loadPluginPackages(names: readonly string[], baseDir: string): Promise<PluginDescriptor[]> {
  const out: PluginDescriptor[] = [];
  for (const name of names) {
    const mod = await importPackage(name, baseDir);
    try {
      out.push(...moduleDescriptors(mod, name));
    } catch (e) {
      if (e instanceof PluginContractError) throw new ConfigError(e.message, { cause: e });
      throw e;
    }
  }
  return out;
}
