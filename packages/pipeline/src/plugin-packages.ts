import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleDescriptors, PluginContractError, type PluginDescriptor } from '@anneal/plugin';
import { ConfigError } from './errors.js';

/**
 * Package names a config asks for: its `plugins` list plus every `package` of a plugin spec
 * anywhere in it (schedules nested in wrappers, callbacks, the sampler of a tune config...).
 *
 * @example
 * pluginPackages({ plugins: ['a'], schedules: [{ schedule: { type: 'x', package: 'b' } }] }); // ['a', 'b']
 */
export function pluginPackages(config: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.package === 'string') found.add(o.package);
      for (const [key, value] of Object.entries(o)) {
        if (key === 'plugins' && Array.isArray(value)) value.forEach((p) => typeof p === 'string' && found.add(p));
        else visit(value);
      }
    }
  };
  visit(config);
  return [...found];
}

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
