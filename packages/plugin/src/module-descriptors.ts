import { isPluginDescriptor, type PluginDescriptor } from './descriptor.js';
import { PluginContractError } from './errors.js';

/**
 * The descriptors a plugin module exports: `descriptors` (an array), or a default export (an
 * array or one descriptor). Every entry must be a descriptor of some kind; `name` (the package)
 * goes into the errors.
 *
 * @example
 * ```ts
 * const list = moduleDescriptors(await import('my-anneal-plugins'), 'my-anneal-plugins');
 * ```
 */
export function moduleDescriptors(module: Readonly<Record<string, unknown>>, name: string): PluginDescriptor[] {
  const exported = module.descriptors ?? module.default;
  const list = Array.isArray(exported) ? exported : exported !== undefined ? [exported] : [];
  if (list.length === 0) throw new PluginContractError(`plugin package '${name}'`, 'exports no descriptors; export `descriptors`, an array of { kind, id, description, options, create }');
  list.forEach((d, i) => {
    if (!isPluginDescriptor(d)) {
      const missing = ['kind', 'id', 'description', 'options', 'create'].filter((k) => (d as Record<string, unknown> | null)?.[k] === undefined);
      throw new PluginContractError(`plugin package '${name}': descriptors[${i}]`, `is not a plugin descriptor${missing.length ? ` (missing ${missing.join(', ')})` : ''}; build it with the define* helper of its kind (defineScheduler, defineOptimizer, defineCallback, ...)`);
    }
  });
  return list as PluginDescriptor[];
}
