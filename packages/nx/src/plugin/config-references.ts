import { pluginPackages } from '@anneal/plugin';

/** What a config reads besides itself, as written in it. */
export interface ConfigReferences {
  /** Data and model files (relative paths resolve against the run's working directory, the project root). */
  files: string[];
  /** Data folders (an image folder source's `dir`). */
  dirs: string[];
  /** Plugin packages: the `plugins` list and every `package` of a plugin spec. */
  packages: string[];
  /** A tune config's `base` when it names a file (relative to the tune config's folder). */
  base?: string;
}

const object = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The files, folders and packages a fit config reads: `data.source` `path`, `x`, `y` (csv, npy
 * and plugin sources named the same way) and `dir`, an ONNX model's `model.path`, and its plugin
 * packages.
 *
 * @example
 * fitReferences({ data: { source: { type: 'npy', x: 'data/x.npy', y: 'data/y.npy' } } });
 * // { files: ['data/x.npy', 'data/y.npy'], dirs: [], packages: [] }
 */
export function fitReferences(config: Record<string, unknown>): ConfigReferences {
  const source = object(object(config.data)?.source) ?? {};
  const files = ['path', 'x', 'y'].map((k) => text(source[k])).filter((p): p is string => p !== undefined);
  const model = object(config.model);
  const modelPath = text(model?.path);
  if (modelPath) files.push(modelPath);
  const dir = text(source.dir);
  return { files, dirs: dir ? [dir] : [], packages: pluginPackages(config) };
}

/**
 * What a tune config reads: its `base` file (or what an inline base reads), and the plugin
 * packages of both (its sampler, pruner, storage and plugins; the base's are added by the caller
 * once it has read the base file).
 *
 * @example
 * tuneReferences({ base: 'mnist.fit.yaml', sampler: { type: 'hill-climb', package: '@acme/samplers' } });
 * // { files: [], dirs: [], packages: ['@acme/samplers'], base: 'mnist.fit.yaml' }
 */
export function tuneReferences(config: Record<string, unknown>): ConfigReferences {
  const inline = object(config.base);
  const own = pluginPackages({ ...config, base: undefined });
  if (inline) {
    const r = fitReferences(inline);
    return { ...r, packages: [...new Set([...own, ...r.packages])] };
  }
  return { files: [], dirs: [], packages: own, base: text(config.base) };
}
