import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorValue, ofType, silentIo, type EventOf, type RunIo } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';
import { pruningCallback, type Distribution, type ParamValue, type Trial } from '@anneal/search';
import type { DependencyContainer } from 'tsyringe';
import { getPath, setPath } from '../config/config-paths.js';
import { validateFitConfig } from '../config/load-config.js';
import { isEpochMetric, type Dimension, type TuneConfig } from '../config/tune-config.js';
import { childContainer } from '../container.js';
import { composeRun, createRunContainer } from '../run/compose.js';
import { freshRunDir, runPaths } from '../run/run-paths.js';
import { trainRun } from '../run/train-run.js';
import { TRIAL } from '../tokens.js';
import { modelBytes, objectiveValues, parameterCount, stepTimeClock } from './objectives.js';

/** What one trial ran and reached. */
export interface TrialOutcome {
  /** The first objective's value (the only one of a single-objective study). */
  value: number;
  /** One value per objective of the tune config. */
  values: number[];
  pruned: boolean;
  epochs: number;
  seconds: number;
  /** The trial's choices as config paths -> values. */
  choices: Record<string, unknown>;
  /** The trial's run folder (config.json, metrics.jsonl, model.onnx, summary.json). */
  dir: string;
  test: { loss: number; accuracy?: number; count: number };
}

const isScalar = (v: unknown): v is ParamValue => v === null || ['number', 'string', 'boolean'].includes(typeof v);

/** A dimension as the distribution the sampler sees (non-scalar categorical choices by their JSON text). */
export function distributionOf(d: Dimension): Distribution {
  switch (d.type) {
    case 'float':
      return { kind: 'float', low: d.low, high: d.high, log: d.log, step: d.step };
    case 'int':
      return { kind: 'int', low: d.low, high: d.high, log: d.log, step: d.step };
    case 'categorical':
      return { kind: 'categorical', choices: d.choices.every(isScalar) ? (d.choices as ParamValue[]) : d.choices.map((c) => JSON.stringify(c)) };
  }
}

/** The declared search space of a tune config (its conditional dimensions excluded), for samplers that want it up front (grid). */
export function declaredSpace(tune: TuneConfig): Record<string, Distribution> {
  return Object.fromEntries(Object.entries(tune.space).map(([path, d]) => [path, distributionOf(d)]));
}

/** Asks the trial for one dimension; non-scalar categorical choices (lists...) are chosen by their JSON text. */
function suggest(trial: Trial, path: string, d: Dimension): unknown {
  switch (d.type) {
    case 'float':
      return trial.suggestFloat(path, d.low, d.high, { log: d.log, step: d.step });
    case 'int':
      return trial.suggestInt(path, d.low, d.high, { log: d.log, step: d.step });
    case 'categorical': {
      if (d.choices.every(isScalar)) return trial.suggestCategorical(path, d.choices as ParamValue[]);
      const labels = d.choices.map((c) => JSON.stringify(c));
      return d.choices[labels.indexOf(trial.suggestCategorical(path, labels))];
    }
  }
}

/** The trial's fit config: the base with every (applicable) space path set to the trial's choice. */
export function trialConfig(trial: Trial, tune: TuneConfig, base: Record<string, unknown>): { config: Record<string, unknown>; choices: Record<string, unknown> } {
  let config = base;
  const choices: Record<string, unknown> = {};
  const apply = (space: Record<string, Dimension>) => {
    for (const [path, d] of Object.entries(space)) {
      const value = suggest(trial, path, d);
      choices[path] = value;
      config = setPath(config, path, value);
    }
  };
  apply(tune.space);
  for (const c of tune.conditional) if (getPath(config, c.when.path) === c.when.equals) apply(c.space);
  return { config, choices };
}

/**
 * Runs one trial in its own container (a child of the study's, holding the trial): the base
 * config with the trial's choices, trained into `<dir>/trials/<number>` as a normal run folder
 * (config.json re-runnable with `anneal fit`, metrics.jsonl, model.onnx, summary.json). Each
 * objective is an epoch metric at the last epoch, or measured: `params` (trainable parameters),
 * `step-ms` (median step time), `model-bytes` (model.onnx size). A single epoch-metric objective
 * gets a pruning callback on it.
 */
export async function runTrial(study: DependencyContainer, trial: Trial, tune: TuneConfig, base: Record<string, unknown>, dir: string, options: { threads: number | 'auto'; baseDir: string; bar?: RunIo['bar'] }): Promise<TrialOutcome> {
  const started = performance.now();
  const { config: raw, choices } = trialConfig(trial, tune, base);
  const config = validateFitConfig({ ...raw, train: { ...(raw.train as object), threads: options.threads } }, `trial ${trial.number} (base + ${Object.keys(choices).join(', ')})`);
  const trialContainer = childContainer(study);
  trialContainer.register(TRIAL, { useValue: trial });
  const prunable = tune.objectives.length === 1 && isEpochMetric(tune.metric);
  const pruning = prunable ? pruningCallback(trialContainer.resolve(TRIAL), { monitor: tune.metric }) : undefined;
  const trialDir = freshRunDir(join(dir, 'trials', String(trial.number)));
  writeFileAtomic(runPaths(trialDir).config, JSON.stringify({ ...config, name: `${tune.name}-trial-${trial.number}` }, null, 2) + '\n');
  const run = await composeRun(await createRunContainer(trialContainer, config, { dir: trialDir, callbacks: pruning ? [pruning] : [], io: options.bar ? { ...silentIo, bar: options.bar } : silentIo, baseDir: options.baseDir, label: `trial ${trial.number}` }));
  let last: EventOf<'epoch:end'> | undefined;
  let epochs = 0;
  run.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => {
    epochs += 1;
    last = e;
  });
  const measured = tune.objectives.some((o) => !isEpochMetric(o.metric));
  const params = measured ? parameterCount(await run.session.parameters()) : 0;
  const clock = stepTimeClock(run.trainer.events$);
  const summary = await trainRun(run);
  clock.subscription.unsubscribe();
  const values = objectiveValues(tune.objectives, (metric) => (last ? monitorValue(last, metric) : undefined), { params, stepMs: clock.median(), modelBytes: existsSync(runPaths(trialDir).model) ? modelBytes(runPaths(trialDir).model) : undefined });
  const pruned = pruning?.pruned ?? false;
  if (!pruned) await trial.setUserAttr('test', summary.test);
  await trial.setUserAttr('dir', trialDir);
  if (measured) await trial.setUserAttr('objectives', Object.fromEntries(tune.objectives.map((o, i) => [o.metric, values[i]!])));
  return { value: values[0]!, values, pruned, epochs, seconds: (performance.now() - started) / 1000, choices, dir: trialDir, test: summary.test };
}
