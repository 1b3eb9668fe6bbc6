import { addDependenciesToPackageJson, addProjectConfiguration, formatFiles, getProjects, installPackagesTask, joinPathFragments, normalizePath, readJson, readNxJson, updateNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { AnnealNxError } from '../../errors.js';
import { versions } from '../../versions.js';
import { fitConfig, tuneConfig } from './configs.js';
import type { TrainingGeneratorSchema } from './schema.js';

export type { TrainingGeneratorSchema } from './schema.js';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PLUGIN = '@anneal/nx';

/** Adds `@anneal/nx` to nx.json's plugins unless it is there (as a name or `{ plugin }`). */
function registerPlugin(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN)) return;
  updateNxJson(tree, { ...nxJson, plugins: [...plugins, PLUGIN] });
}

/** Adds @anneal/cli (the `anneal` command the targets run) to the root package.json when no dependency list has it. */
function addCli(tree: Tree): GeneratorCallback | undefined {
  if (!tree.exists('package.json')) return undefined;
  const manifest = readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(tree, 'package.json');
  if (manifest.dependencies?.['@anneal/cli'] || manifest.devDependencies?.['@anneal/cli']) return undefined;
  addDependenciesToPackageJson(tree, {}, { '@anneal/cli': versions.anneal });
  return () => installPackagesTask(tree);
}

/**
 * `nx g @anneal/nx:training`: a training project. It writes `<name>.fit.yaml` (an MLP on MNIST
 * digits by default, or Iris), `<name>.tune.yaml` (TPE over its learning rate and width), a
 * .gitignore for the run folders and a project.json; registers `@anneal/nx` in nx.json when it
 * is not, and adds @anneal/cli to the root package.json when no dependency list has it (then
 * installs). The plugin infers the project's `train`, `evaluate` and `tune` targets.
 *
 * @example
 * ```sh
 * npx nx g @anneal/nx:training digits --directory trainings/digits --epochs 3
 * npx nx run digits:train      # runs/digits, cached
 * ```
 */
export async function trainingGenerator(tree: Tree, schema: TrainingGeneratorSchema): Promise<GeneratorCallback | void> {
  if (!KEBAB.test(schema.name ?? '')) throw new AnnealNxError('OPTION', `--name '${String(schema.name)}' is not kebab-case (like 'digits'); it names the project and its config files`);
  const dataset = schema.dataset ?? 'mnist';
  if (dataset !== 'mnist' && dataset !== 'iris') throw new AnnealNxError('OPTION', `--dataset '${String(dataset)}' is not one of mnist, iris`);
  const root = normalizePath(schema.directory ?? schema.name).replace(/^\.\/|\/$/g, '');
  if (tree.exists(root) && tree.children(root).length) throw new AnnealNxError('EXISTS', `${root} already exists and is not empty; choose another --directory or remove it`);
  if (getProjects(tree).has(schema.name)) throw new AnnealNxError('EXISTS', `the workspace already has a project named '${schema.name}'; choose another --name`);
  const o = { name: schema.name, dataset, epochs: schema.epochs ?? (dataset === 'mnist' ? 5 : 30), perDigit: schema.perDigit ?? 100, threads: schema.threads, trials: schema.trials ?? 10 };
  tree.write(joinPathFragments(root, `${o.name}.fit.yaml`), fitConfig(o));
  tree.write(joinPathFragments(root, `${o.name}.tune.yaml`), tuneConfig(o));
  tree.write(joinPathFragments(root, '.gitignore'), '# run and study folders (the Nx cache restores them)\nruns/\n');
  addProjectConfiguration(tree, o.name, { root, projectType: 'application', tags: ['anneal-training'], targets: {} });
  registerPlugin(tree);
  const install = addCli(tree);
  if (!schema.skipFormat) await formatFiles(tree);
  return install;
}

export default trainingGenerator;
