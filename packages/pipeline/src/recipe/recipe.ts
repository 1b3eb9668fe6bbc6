import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bestRun, Recipe, RECIPE_STEPS, recipeReport, type RecipeEvent, type RecipeOptions, type RecipeState, type RecipeStep, type RefinedRun } from '@anneal/diagnostics';
import { filter } from 'rxjs';
import { removeAtomicTemps, writeFileAtomic } from '@anneal/onnx';
import { writeReport } from '@anneal/report';
import type { FitConfig } from '../config/fit-config.js';
import { formatIssues, loadBaseConfig, loadConfigFile, readJsonFile, validateFitConfig } from '../config/load-config.js';
import { recipeConfigSchema, type RecipeConfig } from '../config/recipe-config.js';
import { ConfigError } from '../errors.js';
import type { Pipeline } from '../pipeline.js';
import { claimRunDir, freshRunDir } from '../run/run-paths.js';
import { RUN_DATA } from '../tokens.js';
import { taskBar } from '../task-bar.js';
import { createRunContainer } from '../run/compose.js';
import { fitProbeTarget, fitRunner } from './recipe-runs.js';

/** What `anneal recipe` prints and returns. */
export interface RecipeSummary {
  dir: string;
  monitor: string;
  done: RecipeStep[];
  halted?: { step: RecipeStep; reason: string };
  best?: { label: string; lr: number; weightDecay: number; epochs: number; lrSchedule: string; value: number; testAccuracy?: number; findings: RefinedRun['findings'] };
  report: { html: string; md: string };
  seconds: number;
}

export interface RecipeOptionsInput {
  out?: string;
  /** Stop after this step. */
  until?: string;
  /** Continue the recipe in this folder. */
  resume?: string;
}

function recipeOptions(r: RecipeConfig, fit: FitConfig, until: RecipeStep | undefined): RecipeOptions {
  const s = r.steps;
  return { lr: fit.optimizer.lr, monitor: r.monitor, direction: r.direction, until, initialLoss: s.initialLoss, overfit: s.overfit, lrProbe: s.lrProbe, rangeTest: s.rangeTest, grid: { ...s.grid, concurrency: r.parallel }, refine: s.refine, repeat: s.repeat };
}

function checkStep(until: string | undefined): RecipeStep | undefined {
  if (until === undefined) return undefined;
  if (!(RECIPE_STEPS as readonly string[]).includes(until)) throw new ConfigError(`--until ${until}: not a recipe step; use one of ${RECIPE_STEPS.join(', ')}`);
  return until as RecipeStep;
}

/** Reads a saved recipe folder: its resolved config and state. */
function loadSaved(dir: string): { recipe: RecipeConfig; fit: FitConfig; state: RecipeState } {
  const configFile = join(dir, 'config.json');
  const stateFile = join(dir, 'recipe.json');
  if (!existsSync(configFile) || !existsSync(stateFile)) throw new ConfigError(`${dir} is not a recipe folder (config.json and recipe.json expected); give the folder \`anneal recipe\` wrote`);
  const raw = readJsonFile(configFile);
  const parsed = recipeConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${configFile}: invalid recipe config:\n${formatIssues(parsed.error.issues)}`);
  const state = readJsonFile(stateFile) as RecipeState;
  if (state.version !== 1 || !Array.isArray(state.done)) throw new ConfigError(`${stateFile}: not a recipe state this version can read`);
  return { recipe: parsed.data, fit: validateFitConfig(parsed.data.base, `${configFile} (base)`), state };
}

/** The recipe ranks runs on validation data: a base without a validation split is refused (before any folder is made). */
function needsValidation(fit: FitConfig, where: string): void {
  if (!(fit.data.split.val > 0)) throw new ConfigError(`${where}: base: data.split.val is 0; the recipe compares runs on validation data, never on the test split: set data.split.val (e.g. 0.1)`);
}

/**
 * `anneal recipe <config>`: runs the tuning recipe (initial loss, overfit a small sample, lr
 * probe, range test, coarse grid, refine, repeat with the doctor's suggestions) into a folder
 * with recipe.json (the state after every step), report.html / report.md with charts, and one
 * run folder per full training run. `--until <step>` stops after a step; `--resume <dir>` goes on.
 */
export async function runRecipe(pipeline: Pipeline, configPath: string | undefined, options: RecipeOptionsInput = {}): Promise<RecipeSummary> {
  const started = performance.now();
  const io = pipeline.io;
  const until = checkStep(options.until);
  let dir: string;
  let recipe: RecipeConfig;
  let fit: FitConfig;
  let state: RecipeState | undefined;
  if (options.resume) {
    dir = options.resume;
    ({ recipe, fit, state } = loadSaved(dir));
    removeAtomicTemps(dir); // what kills left of atomic writes
  } else {
    if (!configPath) throw new ConfigError('anneal recipe needs a config file, or --resume <recipe folder>');
    const loaded = loadConfigFile(configPath, recipeConfigSchema);
    const base = loadBaseConfig(loaded.base, configPath);
    fit = validateFitConfig(base, `${configPath} (base)`);
    recipe = { ...loaded, base: fit as unknown as Record<string, unknown> };
    needsValidation(fit, configPath);
    const out = options.out ?? freshRunDir(join(pipeline.runsDir, recipe.name));
    dir = out;
    const taken = () =>
      existsSync(join(out, 'recipe.json'))
        ? `${out} already holds a recipe; continue it with \`anneal recipe --resume ${out}\`, or choose another --out`
        : `${out} already holds a run, or a recipe that is starting (config.json); choose another --out`;
    if (existsSync(join(dir, 'recipe.json'))) throw new ConfigError(taken());
    // config.json created exclusively: two recipes given the same --out never share it
    claimRunDir(dir, 'config.json', JSON.stringify(recipe, null, 2) + '\n', taken);
  }
  needsValidation(fit, configPath ?? dir);
  const threads = recipe.parallel > 1 ? 1 : fit.train.threads;
  // the split every run of the recipe shares, loaded once
  const data = await (await createRunContainer(pipeline.container, fit, { baseDir: pipeline.baseDir })).resolve(RUN_DATA);
  const title = `Tuning recipe: ${recipe.name}`;
  const subtitle = `${fit.model.kind} model, ${fit.optimizer.type} optimizer; ${data.sizes.train} train / ${data.sizes.val} val / ${data.sizes.test} test examples, ${data.train.batchesPerEpoch} batches per epoch; runs ranked by ${recipe.monitor} (${recipe.direction})`;
  const writeAll = async (s: RecipeState) => {
    writeFileAtomic(join(dir, 'recipe.json'), JSON.stringify(s) + '\n');
    await writeReport(dir, recipeReport(s, { title, subtitle, monitor: recipe.monitor, direction: recipe.direction }));
  };
  const r = new Recipe(fitProbeTarget(pipeline, fit, data, threads), fitRunner(pipeline, fit, data, dir, threads), recipeOptions(recipe, fit, until));
  let bar: ReturnType<typeof taskBar> | undefined;
  const on = <K extends RecipeEvent['type']>(type: K, handle: (e: Extract<RecipeEvent, { type: K }>) => void) => r.events$.pipe(filter((e): e is Extract<RecipeEvent, { type: K }> => e.type === type)).subscribe(handle);
  on('step:start', (e) => io.err(`recipe: ${e.step}...`));
  on('step:skip', (e) => io.err(`recipe: ${e.step}: ${e.reason}`));
  on('progress', (e) => {
    bar ??= taskBar(io, `  ${e.step}`);
    bar.update(e.done, e.total);
    if (!io.bar) io.err(`  ${e.label}`);
  });
  on('step:end', (e) => {
    bar?.stop();
    bar = undefined;
    io.err(`recipe: ${e.step}: ${e.status === 'halt' ? 'STOP: ' : e.status === 'warning' ? 'warning: ' : ''}${e.summary}`);
  });
  const final = await r.run(state, writeAll);
  await writeAll(final);
  const best = bestRun(final, recipe.direction);
  const summary: RecipeSummary = {
    dir,
    monitor: recipe.monitor,
    done: final.done,
    halted: final.halted,
    best: best && { label: best.label, lr: best.lr, weightDecay: best.weightDecay, epochs: best.epochs, lrSchedule: best.lrSchedule, value: best.value, testAccuracy: best.test?.accuracy, findings: best.findings },
    report: { html: join(dir, 'report.html'), md: join(dir, 'report.md') },
    seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
