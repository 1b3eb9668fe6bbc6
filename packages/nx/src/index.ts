/**
 * @anneal/nx: the Nx plugin of Anneal. Register it in nx.json and every `*.fit.yaml` gets cached
 * `train` and `evaluate` targets, every `*.tune.yaml` a `tune` target; the generators
 * `@anneal/nx:plugin` and `@anneal/nx:training` scaffold plugin packages and training projects.
 *
 * @example
 * ```json
 * // nx.json
 * { "plugins": [{ "plugin": "@anneal/nx", "options": { "trainTargetName": "train" } }] }
 * ```
 */
export { createNodes, createNodesV2 } from './plugin/create-nodes.js';
export { createDependencies } from './plugin/create-dependencies.js';
export type { AnnealNxPluginOptions } from './plugin/options.js';
export { AnnealNxError } from './errors.js';
export { pluginGenerator, PLUGIN_KINDS, type PluginGeneratorSchema, type PluginKind } from './generators/plugin/generator.js';
export { trainingGenerator, type TrainingGeneratorSchema } from './generators/training/generator.js';
