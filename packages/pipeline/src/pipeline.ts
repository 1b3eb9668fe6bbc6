import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { silentIo, type RunIo } from '@anneal/core';
import { removeAtomicTemps, writeFileAtomic } from '@anneal/onnx';
import type { PluginDescriptor } from '@anneal/plugin';
import type { DependencyContainer } from 'tsyringe';
import { builtinPlugins } from './builtins.js';
import type { FitConfig, FitConfigInput } from './config/fit-config.js';
import { loadFitConfig, readJsonFile, validateFitConfig } from './config/load-config.js';
import { createRootContainer } from './container.js';
import { ConfigError } from './errors.js';
import type { AnnealRegistry } from './kinds.js';
import { loadPluginPackages } from './plugin-packages.js';
import { composeRun, createRunContainer, type ComposedRun } from './run/compose.js';
import { checkSpecs } from './run/check-config.js';
import type { RunOptions } from './run/run-options.js';
import { claimRunDir, freshRunDir, runPaths } from './run/run-paths.js';
import { trainRun, type FitSummary } from './run/train-run.js';
import { PLUGIN_REGISTRY } from './tokens.js';
import { doctor, type DoctorSummary } from './doctor.js';
import { ensembleExport, ensembleSnapshot, ensembleTrain, type EnsembleSummary } from './ensemble/ensembles.js';
import type { CombineRule } from '@anneal/ensembles';
import { features, type FeaturesOptions, type FeaturesResult } from './finetune/features.js';
import { evaluateFinetune, finetune, resumeFinetune, type FinetuneSummary } from './finetune/finetune.js';
import { inspect, type InspectOptions } from './finetune/inspect.js';
import type { ModelReport } from '@anneal/transfer';
import { grad, type GradOptions } from './grad.js';
import { runRecipe, type RecipeOptionsInput, type RecipeSummary } from './recipe/recipe.js';
import { evaluate, type EvaluateResult } from './run/evaluate.js';
import { predict, type PredictOptions, type PredictResult } from './run/predict.js';
import { schedulePlot } from './schedule-plot.js';
import { tune, type TuneOptions, type TuneSummary } from './tune/tune.js';
import { pbt, type PbtOptions, type PbtSummary } from './pbt/pbt.js';

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  /** Plugin descriptors, or names of packages exporting them, registered beside the built-ins for every run and study. */
  plugins?: readonly (PluginDescriptor | string)[];
  /** Where runs print (default: nothing). The CLI passes its terminal, with progress bars. */
  io?: RunIo;
  /** Folder relative paths in configs and package names resolve against (default: the working directory). */
  baseDir?: string;
}

/** Options of {@link Pipeline.fit}. */
export interface FitOptions extends Omit<RunOptions, 'dir' | 'resume'> {
  /** The run folder; default `runs/<name>` (or `-1`, `-2`... when taken). `false`: train in memory, write nothing. */
  dir?: string | false;
  /** Root of default run folders (default `runs`). */
  runsDir?: string;
  /**
   * With `dir`: a run already there (a folder with config.json or summary.json) is deleted, after
   * the config passed its checks, and trained anew (`anneal fit --force`; what build tools that
   * re-run a target on a cache miss need). A folder without those files is never deleted.
   */
  replace?: boolean;
}

/** A config given as an object or as the path of a JSON/YAML file. */
export type ConfigSource<T> = T | string;

/**
 * The composition root of Anneal. Runs, trials and studies are composed here from plugins in a
 * tsyringe container (a child container per run, study and trial); the `anneal` CLI is a thin
 * front end over these methods, so code that calls them gets exactly what the CLI does.
 *
 * @example
 * ```ts
 * const pipeline = await createPipeline({ plugins: [myScheduler], io: { out: console.log, err: console.error } });
 * const summary = await pipeline.fit({ data: { source: { type: 'mnist' } }, model: { type: 'mlp' }, optimizer: { lr: 1e-3 }, train: { epochs: 2 } });
 * ```
 */
export class Pipeline {
  /** @internal use {@link createPipeline}. */
  constructor(
    /** The root container: plugins, registry, gradient rules, checkpoint IO, io. */
    readonly container: DependencyContainer,
    readonly io: RunIo,
    readonly baseDir: string,
    /** Plugin packages given by name (tune workers in other processes load them too). */
    readonly pluginPackageNames: readonly string[] = [],
    /** How many descriptors were given in code (they cannot reach worker processes). */
    readonly inCodePlugins = 0,
  ) {}

  /** Where run folders go by default: `runs` under the base folder (relative to the working directory when inside it). */
  get runsDir(): string {
    const dir = join(this.baseDir, 'runs');
    const rel = relative(process.cwd(), dir);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
  }

  /** The registry of the pipeline's plugins (built-ins and those given to createPipeline). */
  get registry(): AnnealRegistry {
    return this.container.resolve(PLUGIN_REGISTRY);
  }

  /** A fit config validated (defaults filled in); a string is read as a JSON or YAML file. */
  fitConfig(source: ConfigSource<FitConfigInput>): FitConfig {
    return typeof source === 'string' ? loadFitConfig(source) : validateFitConfig(source, '(fit config)');
  }

  /**
   * Checks a config as far as possible without training: its schema, the plugin packages it
   * names, and every plugin spec's options. Errors list what is wrong with config paths.
   */
  async check(config: FitConfig): Promise<void> {
    const c = await createRunContainer(this.container, config, { baseDir: this.baseDir });
    checkSpecs(c.resolve(PLUGIN_REGISTRY), config);
  }

  /**
   * Composes a run without training it: data, model, compiled train step, schedules, callbacks,
   * loggers and the Trainer, in the run's own child container. For code that drives the Trainer
   * (or reads its events) itself; {@link fit} is compose + train + export.
   */
  async compose(source: ConfigSource<FitConfigInput>, options: RunOptions = {}): Promise<ComposedRun> {
    const config = this.fitConfig(source);
    return composeRun(await createRunContainer(this.container, config, { io: this.io, baseDir: this.baseDir, ...options }));
  }

  /**
   * Trains a fit config into a run folder (config.json, metrics.jsonl, checkpoints, model.onnx,
   * charts, summary.json) and returns the summary. The config is checked before the folder is
   * created, so a config error leaves nothing behind.
   */
  async fit(source: ConfigSource<FitConfigInput>, options: FitOptions = {}): Promise<FitSummary> {
    const config = this.fitConfig(source);
    await this.check(config);
    const text = JSON.stringify(config, null, 2) + '\n';
    let dir: string | undefined;
    let created = false;
    if (options.dir === false) dir = undefined;
    else if (options.dir) {
      const given = options.dir;
      const paths = runPaths(given);
      const taken = () => `${given} already holds a run; continue it with \`anneal resume ${given}\`, replace it with \`anneal fit --force\`, or choose another folder`;
      if (options.replace && (existsSync(paths.config) || existsSync(paths.summary))) rmSync(given, { recursive: true, force: true });
      if (existsSync(paths.last)) throw new ConfigError(taken());
      created = !existsSync(given);
      // config.json created exclusively: of two processes given the same folder, one runs, the other is told it is taken
      claimRunDir(given, 'config.json', text, taken);
      dir = given;
    } else {
      dir = freshRunDir(join(options.runsDir ?? this.runsDir, config.name));
      created = true;
      writeFileAtomic(runPaths(dir).config, text);
    }
    try {
      return await this.train(config, { ...options, dir });
    } catch (e) {
      // a run that failed before it trained anything (data, model or graph errors) leaves no folder behind (in a folder that existed, no claim)
      if (dir && !existsSync(runPaths(dir).metrics) && !existsSync(runPaths(dir).last)) rmSync(created ? dir : runPaths(dir).config, { recursive: true, force: true });
      throw e;
    }
  }

  /** Continues a run folder from its last checkpoint with its saved config; the result equals an uninterrupted run. */
  async resume(dir: string, options: Omit<RunOptions, 'dir' | 'resume' | 'threads'> = {}): Promise<FitSummary> {
    const paths = runPaths(dir);
    if (!existsSync(paths.config)) throw new ConfigError(`${dir} is not a run folder (no config.json); give the folder \`anneal fit\` wrote`);
    const raw = readJsonFile(paths.config) as Record<string, unknown>;
    if (raw.backbone) throw new ConfigError(`${dir} is an \`anneal finetune\` run; resume it with Pipeline.resumeFinetune (as \`anneal resume\` does)`);
    const config = validateFitConfig(raw, paths.config);
    if (!existsSync(paths.last)) throw new ConfigError(`${dir} has no checkpoint yet (${paths.last}); the run was stopped before its first checkpoint: start it again with \`anneal fit\``);
    return this.train(config, { ...options, dir, resume: true });
  }

  /**
   * Composes and trains a validated config with explicit run options (the building block of fit,
   * resume, tune, finetune, recipe and ensembles). A resumed run reuses the thread counts its
   * folder's runtime.json recorded, so its floating-point results are identical; the temporary
   * files of atomic writes a kill left in its folder are removed first.
   */
  async train(config: FitConfig, options: RunOptions): Promise<FitSummary> {
    // temporary files of atomic writes a kill interrupted: nothing reads them, nothing else would remove them
    if (options.resume && options.dir) removeAtomicTemps(options.dir);
    const runtime = options.dir ? runPaths(options.dir).runtime : undefined;
    const threads = options.threads ?? (options.resume && runtime && existsSync(runtime) ? (readJsonFile(runtime) as { intraOp: number; loop?: number }) : undefined);
    return trainRun(await this.compose(config, { ...options, threads }));
  }

  /** A hyperparameter study over a fit config (see tune/tune.ts); `undefined` for a worker. */
  tune(source: ConfigSource<Record<string, unknown>>, options: TuneOptions = {}): Promise<TuneSummary | undefined> {
    return tune(this, source, options);
  }

  /** Population-based training over a fit config, each member a run of this pipeline (see pbt/pbt.ts); re-running resumes; `undefined` for a worker. */
  pbt(source: ConfigSource<Record<string, unknown>>, options?: PbtOptions & { worker?: false }): Promise<PbtSummary>;
  pbt(source: ConfigSource<Record<string, unknown>>, options: PbtOptions): Promise<PbtSummary | undefined>;
  pbt(source: ConfigSource<Record<string, unknown>>, options: PbtOptions = {}): Promise<PbtSummary | undefined> {
    return pbt(this, source, options);
  }

  /** Transfer learning from a pre-trained ONNX backbone: head on cached features, fine-tuning, or LP-FT. */
  finetune(source: ConfigSource<Record<string, unknown>>, options: { out?: string; device?: { device: 'cpu' | 'cuda' | 'wasm'; deviceId: number } } = {}): Promise<FinetuneSummary> {
    return finetune(this, source, options);
  }

  /** Continues a finetune run folder (finished phases kept). */
  resumeFinetune(dir: string): Promise<FinetuneSummary> {
    return resumeFinetune(this, dir);
  }

  /** Scores a finetune run's model.onnx on a split of the run's own data, preprocessed as in training. */
  evaluateFinetune(dir: string, split: 'test' | 'val' | 'train' = 'test', k = 5): Promise<EvaluateResult> {
    return evaluateFinetune(this, dir, split, k);
  }

  /** The tuning recipe on a fit config (or `options.resume` of a saved recipe folder). */
  recipe(configPath: string | undefined, options: RecipeOptionsInput = {}): Promise<RecipeSummary> {
    return runRecipe(this, configPath, options);
  }

  /** A saved model (a run folder's model.onnx, or a file with `config`) scored on a split of the config's data. */
  evaluate(target: string, options: { config?: string; split?: 'test' | 'val' | 'train'; topK?: number } = {}): Promise<EvaluateResult> {
    return evaluate(this, target, options);
  }

  /** The top-k classes (with names) of a saved model or run folder for images, folders of images and .npy rows; see {@link predict}. */
  predict(model: string, options: PredictOptions): Promise<PredictResult> {
    return predict(model, options);
  }

  /** K members of a fit config from different seeds, scored and exported as one ensemble model. */
  ensembleTrain(source: ConfigSource<FitConfigInput>, options: { members: number; parallel?: number; out?: string; combine?: CombineRule }): Promise<EnsembleSummary> {
    return ensembleTrain(this, source, options);
  }

  /** One run with M cosine warm restarts, a snapshot per cycle, the last snapshots ensembled. */
  ensembleSnapshot(source: ConfigSource<FitConfigInput>, options: { cycles: number; keep?: number; out?: string; combine?: CombineRule }): Promise<EnsembleSummary> {
    return ensembleSnapshot(this, source, options);
  }

  /** Rebuilds and rescores ensemble.onnx of an ensemble folder. */
  ensembleExport(dir: string, options: { combine?: CombineRule } = {}): Promise<EnsembleSummary> {
    return ensembleExport(this, dir, options);
  }

  /** Diagnoses a run folder's learning curves (and writes its doctor report unless `report` is false). */
  doctor(dir: string, options: { report?: boolean } = {}): Promise<DoctorSummary> {
    return doctor(dir, options);
  }

  /** The values of a config's schedules over its steps, as SVG and PNG. */
  schedulePlot(file: string, options: { steps?: number; out: string; stepsPerEpoch?: number }): Promise<{ svg: string; png: string; steps: number }> {
    return schedulePlot(this, file, options);
  }

  /** Features of a dataset through a frozen backbone, cached on disk. */
  features(backbone: string, data: string, options: FeaturesOptions): Promise<FeaturesResult> {
    return features(this, backbone, data, options);
  }

  /** What a backbone offers for transfer learning (ops covered by the pipeline's gradient rules, feature tensors...). */
  inspect(model: string, options: InspectOptions = {}): Promise<ModelReport> {
    return inspect(this, model, options);
  }

  /** Mean loss of a batch and its gradients w.r.t. every trainable initializer, as JSON or safetensors. */
  grad(options: GradOptions): Promise<{ loss: number; count: number }> {
    return grad(this, options);
  }
}

/**
 * A pipeline with the built-in plugins of every kind plus `options.plugins` (descriptors, or
 * package names imported now).
 *
 * @example
 * ```ts
 * const pipeline = await createPipeline({ plugins: ['@anneal/scheduler-plugin-example'] });
 * ```
 */
export async function createPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const baseDir = options.baseDir ?? process.cwd();
  const names = (options.plugins ?? []).filter((p): p is string => typeof p === 'string');
  const given = (options.plugins ?? []).filter((p): p is PluginDescriptor => typeof p !== 'string');
  const loaded = await loadPluginPackages(names, baseDir);
  const io = options.io ?? silentIo;
  return new Pipeline(createRootContainer([...builtinPlugins, ...given, ...loaded], io), io, baseDir, names, given.length);
}

