import type { PluginSpec } from '@anneal/plugin';
import { UPDATE_KEYS, type FitConfig } from '../config/fit-config.js';

/** A plugin spec with the config path it came from. */
export interface LocatedSpec {
  spec: PluginSpec;
  path: string;
}

/** `earlyStopping` -> `early-stopping`: keys of the object form of `callbacks` name ids in camelCase or kebab-case. */
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The callback specs of a config, from either form: a list of specs, or an object keyed by id. */
export function callbackSpecs(callbacks: FitConfig['callbacks']): LocatedSpec[] {
  if (Array.isArray(callbacks)) return callbacks.map((spec, i) => ({ spec: spec as PluginSpec, path: `callbacks[${i}]` }));
  return Object.entries(callbacks).map(([key, options]) => ({ spec: { type: kebab(key), ...(options as object) }, path: `callbacks.${key}` }));
}

/** The metric specs of a config: `accuracy` and `top<k>` are shorthands for `{ type: 'accuracy' }` and `{ type: 'top-k', k }`. */
export function metricSpecs(metrics: FitConfig['metrics']): LocatedSpec[] {
  return metrics.map((m, i) => {
    const path = `metrics[${i}]`;
    if (typeof m !== 'string') return { spec: m as PluginSpec, path };
    return { spec: m === 'accuracy' ? { type: 'accuracy' } : { type: 'top-k', k: Number(m.slice(3)) }, path };
  });
}

/** The optimizer plugin's spec: `optimizer:` without the update's own keys (lr, weightDecay, clip, ema, largeBatch, groups). */
export function optimizerSpec(optimizer: FitConfig['optimizer']): PluginSpec {
  const spec: Record<string, unknown> = { ...optimizer };
  for (const k of UPDATE_KEYS) delete spec[k];
  return spec as PluginSpec;
}
