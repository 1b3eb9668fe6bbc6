import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bestRun, formatFindings, Recipe, RECIPE_STEPS, recipeReport, type RecipeOptions, type RecipeState, type RecipeStep, type RefinedRun } from '@anneal/diagnostics';
import { writeFileAtomic } from '@anneal/onnx';
import { writeReport } from '@anneal/report';
import { CliError } from '../cli-error';
import { createContainer } from '../container';
import { composeRun } from '../fit/compose';
import type { FitConfig } from '../fit/config-schema';
import { freshRunDir } from '../fit/fit-command';
import { formatIssues, loadBaseConfig, loadConfigFile, validateFitConfig } from '../fit/load-config';
import { pluginPackages, registerSchedulerPlugins } from '../fit/plugins';
import { taskBar } from '../fit/progress-bars';
import { fitProbeTarget, fitRunner } from './recipe-runs';
import { recipeConfigSchema, type RecipeConfig } from './recipe-schema';

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

export interface RecipeCommandOptions {
  out?: string;
  /** Stop after this step. */
  until?: string;
  /** Continue the recipe in this folder. */
  resume?: string;
  progress: boolean;
}

function recipeOptions(r: RecipeConfig, fit: FitConfig, until: RecipeStep | undefined): RecipeOptions {
  const s = r.steps;
  return { lr: fit.optimizer.lr, monitor: r.monitor, direction: r.direction, until, initialLoss: s.initialLoss, overfit: s.overfit, lrProbe: s.lrProbe, rangeTest: s.rangeTest, grid: { ...s.grid, concurrency: r.parallel }, refine: s.refine, repeat: s.repeat };
}

function checkStep(until: string | undefined): RecipeStep | undefined {
  if (until === undefined) return undefined;
  if (!(RECIPE_STEPS as readonly string[]).includes(until)) throw new CliError(`--until ${until}: not a recipe step; use one of ${RECIPE_STEPS.join(', ')}`);
  return until as RecipeStep;
}

/** Reads a saved recipe folder: its resolved config and state. */
function loadSaved(dir: string): { recipe: RecipeConfig; fit: FitConfig; state: RecipeState } {
  const configFile = join(dir, 'config.json');
  const stateFile = join(dir, 'recipe.json');
  if (!existsSync(configFile) || !existsSync(stateFile)) throw new CliError(`${dir} is not a recipe folder (config.json and recipe.json expected); give the folder \`anneal recipe\` wrote`);
  const raw = JSON.parse(readFileSync(configFile, 'utf8')) as unknown;
  const parsed = recipeConfigSchema.safeParse(raw);
  if (!parsed.success) throw new CliError(`${configFile}: invalid recipe config:\n${formatIssues(parsed.error.issues)}`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RecipeState;
  if (state.version !== 1 || !Array.isArray(state.done)) throw new CliError(`${stateFile}: not a recipe state this version can read`);
  return { recipe: parsed.data, fit: validateFitConfig(parsed.data.base, `${configFile} (base)`), state };
}

/**
 * `anneal recipe <config>`: runs the tuning recipe (initial loss, overfit a small sample, lr
 * probe, range test, coarse grid, refine, repeat with the doctor's suggestions) into a folder
 * with recipe.json (the state after every step), report.html / report.md with charts, and one
 * run folder per full training run. `--until <step>` stops after a step; `--resume <dir>` goes on.
 */
export async function recipeCommand(configPath: string | undefined, options: RecipeCommandOptions, io: { out: (s: string) => void; err: (s: string) => void }): Promise<RecipeSummary> {
  const started = performance.now();
  const until = checkStep(options.until);
  let dir: string;
  let recipe: RecipeConfig;
  let fit: FitConfig;
  let state: RecipeState | undefined;
  if (options.resume) {
    dir = options.resume;
    ({ recipe, fit, state } = loadSaved(dir));
  } else {
    if (!configPath) throw new CliError('anneal recipe needs a config file, or --resume <recipe folder>');
    const loaded = loadConfigFile(configPath, recipeConfigSchema);
    const base = loadBaseConfig(loaded.base, configPath);
    fit = validateFitConfig(base, `${configPath} (base)`);
    recipe = { ...loaded, base: fit as unknown as Record<string, unknown> };
    dir = options.out ?? freshRunDir(join('runs', recipe.name));
    if (existsSync(join(dir, 'recipe.json'))) throw new CliError(`${dir} already holds a recipe; continue it with \`anneal recipe --resume ${dir}\`, or choose another --out`);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(recipe, null, 2) + '\n');
  }
  if (!(fit.data.split.val > 0)) throw new CliError(`${configPath ?? dir}: base: data.split.val is 0; the recipe compares runs on validation data, never on the test split: set data.split.val (e.g. 0.1)`);
  const threads = recipe.parallel > 1 ? 1 : fit.train.threads;
  const c = createContainer();
  await registerSchedulerPlugins(c, pluginPackages(fit));
  const first = await composeRun(c, fit, { checkpointDir: join(dir, '.unused') });
  const data = first.data;
  await first.session.release();
  const title = `Tuning recipe: ${recipe.name}`;
  const subtitle = `${fit.model.kind} model, ${fit.optimizer.type} optimizer; ${data.sizes.train} train / ${data.sizes.val} val / ${data.sizes.test} test examples, ${data.train.batchesPerEpoch} batches per epoch; runs ranked by ${recipe.monitor} (${recipe.direction})`;
  const writeAll = async (s: RecipeState) => {
    writeFileAtomic(join(dir, 'recipe.json'), JSON.stringify(s) + '\n');
    await writeReport(dir, recipeReport(s, { title, subtitle, monitor: recipe.monitor, direction: recipe.direction }));
  };
  const r = new Recipe(fitProbeTarget(fit, data, threads), fitRunner(fit, data, dir, threads), recipeOptions(recipe, fit, until));
  let bar: ReturnType<typeof taskBar> | undefined;
  r.events$.subscribe((e) => {
    if (e.type === 'step:start') io.err(`recipe: ${e.step}...`);
    else if (e.type === 'step:skip') io.err(`recipe: ${e.step}: ${e.reason}`);
    else if (e.type === 'progress') {
      bar ??= taskBar(`  ${e.step}`, options.progress);
      bar.update(e.done, e.total);
      if (!options.progress) io.err(`  ${e.label}`);
    } else if (e.type === 'step:end') {
      bar?.stop();
      bar = undefined;
      io.err(`recipe: ${e.step}: ${e.status === 'halt' ? 'STOP: ' : e.status === 'warning' ? 'warning: ' : ''}${e.summary}`);
    }
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

/** The lines printed at the end of `anneal recipe`. */
export function formatRecipeSummary(s: RecipeSummary): string {
  const monitor = s.monitor;
  const lines = [`recipe: ${s.done.length} steps done (${s.done.join(', ')}) in ${s.seconds.toFixed(0)} s`];
  if (s.halted) lines.push(`stopped at ${s.halted.step}: ${s.halted.reason}`);
  if (s.best) {
    const b = s.best;
    lines.push(`best run: ${b.label} (lr ${b.lr}, weight decay ${b.weightDecay}, ${b.epochs} epochs, ${b.lrSchedule} lr): ${monitor} ${b.value.toFixed(4)}${b.testAccuracy !== undefined ? `, test accuracy ${(b.testAccuracy * 100).toFixed(2)}%` : ''}`);
    lines.push(b.findings.length ? `doctor on ${b.label}:\n${formatFindings(b.findings)}` : `doctor on ${b.label}: no findings`);
  }
  lines.push(`report: ${s.report.html} and ${s.report.md}`);
  return lines.join('\n');
}
