import 'reflect-metadata';
import { GradientRegistry } from '@anneal/autograd';
import type { RunIo } from '@anneal/core';
import { safetensorsCheckpoints } from '@anneal/engine';
import { PluginRegistry, type PluginDescriptor } from '@anneal/plugin';
import { container as globalContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { AnnealKinds, AnnealRegistry } from './kinds.js';
import { CHECKPOINT_IO, GRADIENT_REGISTRY, PLUGIN_REGISTRY, PLUGINS, RUN_IO } from './tokens.js';

/** The gradient rules of every `gradient-rule` descriptor, in registration order (a later rule for an op replaces an earlier one). */
function gradientRegistry(registry: AnnealRegistry): GradientRegistry {
  const rules = new GradientRegistry();
  for (const d of registry.list('gradient-rule')) for (const rule of registry.build('gradient-rule', { type: d.id }, `gradient rules '${d.id}'`, {})) rules.add(rule);
  return rules;
}

/** Registers the registry and the gradient rules built from the container's own {@link PLUGINS}. */
function registerRegistries(c: DependencyContainer): void {
  c.register(PLUGIN_REGISTRY, { useFactory: instanceCachingFactory((r) => new PluginRegistry<AnnealKinds>(r.resolveAll(PLUGINS))) });
  c.register(GRADIENT_REGISTRY, { useFactory: instanceCachingFactory((r) => gradientRegistry(r.resolve(PLUGIN_REGISTRY))) });
}

/**
 * The root container of a pipeline: the plugin descriptors (built-ins first), the registry and
 * gradient rules built from them, checkpoint IO and where runs print. The only place besides
 * run, study and trial containers (children of it) that registers anything.
 */
export function createRootContainer(descriptors: readonly PluginDescriptor[], io: RunIo): DependencyContainer {
  const c = globalContainer.createChildContainer();
  for (const d of descriptors) c.register(PLUGINS, { useValue: d });
  registerRegistries(c);
  c.register(CHECKPOINT_IO, { useValue: safetensorsCheckpoints });
  c.register(RUN_IO, { useValue: io });
  return c;
}

/**
 * A child container (a run's, a study's, a trial's). With `extra` descriptors (the plugin
 * packages a config names) it holds the parent's descriptors plus those, and registry and
 * gradient rules of its own; without, it shares the parent's.
 */
export function childContainer(parent: DependencyContainer, extra: readonly PluginDescriptor[] = []): DependencyContainer {
  const c = parent.createChildContainer();
  const inherited = parent.resolveAll(PLUGINS);
  // a package the parent already loaded (a study's, named again by its trials' config) adds nothing
  const fresh = extra.filter((d) => !inherited.includes(d));
  if (!fresh.length) return c;
  for (const d of [...inherited, ...fresh]) c.register(PLUGINS, { useValue: d });
  registerRegistries(c);
  return c;
}
