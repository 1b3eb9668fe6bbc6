import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import type { SchedulerDescriptor } from '@anneal/schedulers';
import { CliError } from '../cli-error';
import { SCHEDULERS } from '../container';
import type { FitConfig } from './config-schema';

/** Package names a config asks for: `plugins` plus every `package` of a schedule spec (nested ones too). */
export function pluginPackages(config: Pick<FitConfig, 'plugins' | 'schedules'>): string[] {
  const found = new Set(config.plugins);
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.type === 'string' && typeof o.package === 'string') found.add(o.package);
      Object.values(o).forEach(visit);
    }
  };
  visit(config.schedules);
  return [...found];
}

function isDescriptor(d: unknown): d is SchedulerDescriptor {
  const o = d as Partial<SchedulerDescriptor> | null;
  return !!o && typeof o.id === 'string' && typeof o.description === 'string' && typeof o.create === 'function' && !!o.options && typeof (o.options as { safeParse?: unknown }).safeParse === 'function';
}

/** Imports a package by name, resolved from the working directory first (the user's project), then from Anneal's own install. */
async function importPackage(name: string): Promise<Record<string, unknown>> {
  const errors: string[] = [];
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
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
  throw new CliError(`plugin package '${name}' could not be loaded (${errors.at(-1)}); install it next to your config (npm install ${name}) or fix the name`);
}

/**
 * Loads scheduler plugins named by a config and registers their descriptors in the container
 * (multi-injection under SCHEDULERS). A plugin package exports `descriptors` (an array) or a
 * default export of one; it needs nothing from Anneal but the public @anneal/schedulers types.
 */
export async function registerSchedulerPlugins(container: DependencyContainer, packages: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of packages) {
    const mod = await importPackage(name);
    const list = (mod.descriptors ?? mod.default) as unknown;
    if (!Array.isArray(list) || list.length === 0) throw new CliError(`plugin package '${name}' exports no scheduler descriptors; export \`descriptors\` (an array of { id, description, options, create })`);
    list.forEach((d, i) => {
      if (!isDescriptor(d)) throw new CliError(`plugin package '${name}': descriptors[${i}] is not a scheduler descriptor (needs id, description, a zod options schema and create)`);
      container.register(SCHEDULERS, { useValue: d });
      ids.push(d.id);
    });
  }
  return ids;
}
