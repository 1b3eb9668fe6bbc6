import { createNodesFromFiles, type CreateNodes, type TargetConfiguration } from '@nx/devkit';
import { CONFIG_GLOB, configName, type ConfigKind } from './config-file.js';
import { normalizeOptions, type AnnealNxPluginOptions, type NormalizedOptions } from './options.js';
import { projectRootOf } from './project-root.js';
import { configTargets, type ConfigPlan } from './targets.js';

/** Plans every config: its project, and a target-name suffix when its project has several configs of its kind. */
function planConfigs(files: readonly string[], workspaceRoot: string): Map<string, ConfigPlan> {
  const cache = new Map<string, boolean>();
  const plans = files.flatMap((file) => {
    const name = configName(file);
    const projectRoot = name && projectRootOf(file, workspaceRoot, cache);
    return name && projectRoot !== undefined ? [{ file, projectRoot, ...name, suffix: '' }] : [];
  });
  const count = new Map<string, number>();
  const key = (p: Pick<ConfigPlan, 'projectRoot' | 'kind'>) => `${p.kind}:${p.projectRoot}`;
  for (const p of plans) count.set(key(p), (count.get(key(p)) ?? 0) + 1);
  for (const p of plans) if (count.get(key(p))! > 1) p.suffix = `-${p.stem}`;
  return new Map(plans.map((p) => [p.file, p]));
}

/** `train` (`evaluate`, `tune`) running every config's target of that kind, for a project with several configs of one kind. */
function aggregateTargets(plan: ConfigPlan, all: Iterable<ConfigPlan>, options: NormalizedOptions): Record<string, TargetConfiguration> {
  if (!plan.suffix) return {};
  const siblings = [...all].filter((p) => p.projectRoot === plan.projectRoot && p.kind === plan.kind);
  const names: Record<ConfigKind, string[]> = { fit: [options.trainTargetName, options.evaluateTargetName], tune: [options.tuneTargetName] };
  return Object.fromEntries(
    names[plan.kind].map((name) => [name, { executor: 'nx:noop', dependsOn: siblings.map((p) => `${name}${p.suffix}`), metadata: { technologies: ['anneal'], description: `Runs ${siblings.map((p) => `${name}${p.suffix}`).join(', ')}` } }]),
  );
}

/**
 * Nx's entry point for inferred targets: for every `*.fit.yaml|yml|json` a `train` target
 * (`anneal fit <config> --out runs/<stem> --force`) and an `evaluate` target (on that run folder,
 * after `train`); for every `*.tune.yaml|yml|json` a `tune` target (`anneal tune <config> --out
 * runs/<stem>-study --force`). Inputs are the config, the data files and plugin packages it names
 * (and a tune config's base file and its data), and the installed @anneal/cli; the run or study
 * folder is the cached output. A config belongs to the nearest folder with a project.json or
 * package.json. A project with several configs of a kind gets `train-<stem>`... for each, and a
 * `train` that runs them all.
 *
 * @example
 * ```json
 * // nx.json
 * { "plugins": [{ "plugin": "@anneal/nx", "options": { "trainTargetName": "train", "runsDir": "runs" } }] }
 * ```
 */
export const createNodes: CreateNodes<AnnealNxPluginOptions> = [
  CONFIG_GLOB,
  async (files, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    const plans = planConfigs(files, context.workspaceRoot);
    return createNodesFromFiles(
      (file) => {
        const plan = plans.get(file);
        if (!plan) return {};
        const targets = { ...aggregateTargets(plan, plans.values(), options), ...configTargets(plan, options, context.workspaceRoot) };
        return { projects: { [plan.projectRoot]: { targets } } };
      },
      files,
      rawOptions,
      context,
    );
  },
];

/** The same entry point under the name Nx 20-22 look for first. */
export const createNodesV2 = createNodes;
