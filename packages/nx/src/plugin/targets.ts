import { dirname, join, relative } from 'node:path';
import { pluginPackages } from '@anneal/plugin';
import { normalizePath, type TargetConfiguration } from '@nx/devkit';
import type { ConfigKind } from './config-file.js';
import { readConfig } from './config-file.js';
import { fitReferences, tuneReferences, type ConfigReferences } from './config-references.js';
import { packageInputs, pathInput } from './inputs.js';
import type { NormalizedOptions } from './options.js';

/** One config file and the project it belongs to. */
export interface ConfigPlan {
  /** The config, workspace-relative. */
  file: string;
  projectRoot: string;
  kind: ConfigKind;
  /** The file name without `.fit.yaml` (names the run folder). */
  stem: string;
  /** Appended to target names: `''` when the config is its project's only one of its kind, else `-<stem>`. */
  suffix: string;
}

type Input = NonNullable<TargetConfiguration['inputs']>[number];

/** Quotes a command argument for a POSIX shell when it needs it. */
const arg = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** What a config's targets hash: the config, the files and packages it reads, the CLI; and what could not be hashed. */
function configInputs(plan: ConfigPlan, workspaceRoot: string): { inputs: Input[]; unhashed: string[]; content?: Record<string, unknown> } {
  const { projectRoot } = plan;
  const inputs: Input[] = [pathInput(relative(join(workspaceRoot, projectRoot), join(workspaceRoot, plan.file)), projectRoot, workspaceRoot)!];
  const unhashed: string[] = [];
  const read = readConfig(join(workspaceRoot, plan.file));
  if (!read.ok) return { inputs: [...inputs, ...packageInputs(['@anneal/cli'], workspaceRoot)], unhashed: [read.problem] };
  const refs: ConfigReferences = plan.kind === 'fit' ? fitReferences(read.content) : tuneReferences(read.content);
  const packages = [...refs.packages];
  const add = (path: string, folder: boolean) => {
    const input = pathInput(path, projectRoot, workspaceRoot, folder);
    if (input) inputs.push(input);
    else unhashed.push(`${path} (outside the workspace)`);
  };
  if (refs.base) {
    // the base file is relative to the tune config; what it reads, to the working directory
    const base = normalizePath(relative(join(workspaceRoot, projectRoot), join(workspaceRoot, dirname(plan.file), refs.base)));
    add(base, false);
    const baseRead = readConfig(join(workspaceRoot, projectRoot, base));
    if (baseRead.ok) {
      const baseRefs = fitReferences(baseRead.content);
      refs.files.push(...baseRefs.files);
      refs.dirs.push(...baseRefs.dirs);
      packages.push(...pluginPackages(baseRead.content));
    } else unhashed.push(baseRead.problem);
  }
  refs.files.forEach((f) => add(f, false));
  refs.dirs.forEach((d) => add(d, true));
  inputs.push(...packageInputs([...packages, '@anneal/cli'], workspaceRoot));
  const strings = [...new Set(inputs.filter((i): i is string => typeof i === 'string'))];
  return { inputs: [...strings, ...inputs.filter((i) => typeof i !== 'string')], unhashed, content: read.content };
}

/** The description shown by `nx show project`, with what could not be hashed. */
const description = (what: string, unhashed: readonly string[]) => (unhashed.length ? `${what}. Not hashed: ${unhashed.join('; ')}` : what);

/** The run folder of a fit config, or the study folder of a tune config, relative to the project root. */
export function outputDir(plan: Pick<ConfigPlan, 'kind' | 'stem'>, options: NormalizedOptions): string {
  return normalizePath(join(options.runsDir, plan.kind === 'fit' ? plan.stem : `${plan.stem}${options.studySuffix}`));
}

/**
 * The targets of one config: `train` and `evaluate` for a fit config, `tune` for a tune config
 * (names from the options, plus the plan's suffix). Each runs `anneal` in the project root,
 * hashes the config, the data files and packages it reads and the installed CLI, and caches
 * the run (or study) folder.
 *
 * @example
 * configTargets({ file: 'trainings/mnist/mnist.fit.yaml', projectRoot: 'trainings/mnist', kind: 'fit', stem: 'mnist', suffix: '' }, normalizeOptions({}), '/ws');
 * // { train: { command: 'anneal fit mnist.fit.yaml --out runs/mnist --force --no-progress', ... }, evaluate: { ... } }
 */
export function configTargets(plan: ConfigPlan, options: NormalizedOptions, workspaceRoot: string): Record<string, TargetConfiguration> {
  const { inputs, unhashed, content } = configInputs(plan, workspaceRoot);
  const config = normalizePath(relative(join(workspaceRoot, plan.projectRoot), join(workspaceRoot, plan.file)));
  const out = outputDir(plan, options);
  const cwd = plan.projectRoot;
  const technologies = ['anneal'];
  if (plan.kind === 'fit') {
    const train = `${options.trainTargetName}${plan.suffix}`;
    return {
      [train]: {
        command: `${options.command} fit ${arg(config)} --out ${arg(out)} --force --no-progress`,
        options: { cwd },
        cache: true,
        inputs,
        outputs: [`{projectRoot}/${out}`],
        dependsOn: ['^build'],
        metadata: { technologies, description: description(`Trains ${config} into ${out} (anneal fit)`, unhashed) },
      },
      [`${options.evaluateTargetName}${plan.suffix}`]: {
        command: `${options.command} evaluate ${arg(out)}`,
        options: { cwd },
        cache: true,
        inputs: [...inputs, { dependentTasksOutputFiles: '**/*' }],
        outputs: [],
        dependsOn: [train],
        metadata: { technologies, description: description(`Scores the model of ${out} on its test split (anneal evaluate)`, unhashed) },
      },
    };
  }
  // a study in Redis or in a journal outside the study folder is not an output Nx can restore
  const storage = content?.storage;
  const ownStorage = storage === undefined || (typeof storage === 'object' && storage !== null && (storage as { type?: unknown }).type === 'journal' && (storage as { path?: unknown }).path === undefined);
  return {
    [`${options.tuneTargetName}${plan.suffix}`]: {
      command: `${options.command} tune ${arg(config)} --out ${arg(out)} --force`,
      options: { cwd },
      cache: ownStorage,
      inputs,
      outputs: [`{projectRoot}/${out}`],
      dependsOn: ['^build'],
      metadata: { technologies, description: description(`Runs the study of ${config} into ${out} (anneal tune)${ownStorage ? '' : '; not cached: its storage is outside the study folder'}`, unhashed) },
    },
  };
}
