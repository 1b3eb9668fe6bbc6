import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorValue } from '@anneal/core';
import { pruningCallback, type Trial } from '@anneal/search';
import { CliError } from '../cli-error';
import { createContainer } from '../container';
import { composeRun } from '../fit/compose';
import { validateFitConfig } from '../fit/load-config';
import { pluginPackages, registerSchedulerPlugins } from '../fit/plugins';
import { getPath, setPath } from './config-paths';
import type { Dimension, TuneConfig } from './tune-schema';

/** What one trial ran and reached. */
export interface TrialOutcome {
  value: number;
  pruned: boolean;
  epochs: number;
  seconds: number;
  /** The trial's choices as config paths -> values. */
  choices: Record<string, unknown>;
}

const isScalar = (v: unknown): v is number | string | boolean | null => v === null || ['number', 'string', 'boolean'].includes(typeof v);

/** Asks the trial for one dimension; non-scalar categorical choices (lists...) are chosen by their JSON text. */
function suggest(trial: Trial, path: string, d: Dimension): unknown {
  switch (d.type) {
    case 'float':
      return trial.suggestFloat(path, d.low, d.high, { log: d.log, step: d.step });
    case 'int':
      return trial.suggestInt(path, d.low, d.high, { log: d.log, step: d.step });
    case 'categorical': {
      if (d.choices.every(isScalar)) return trial.suggestCategorical(path, d.choices as (number | string | boolean | null)[]);
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
 * Runs one trial: the fit config with the trial's choices, trained by the Trainer with a pruning
 * callback on `tune.metric`; the objective is the metric at the last epoch.
 */
export async function runTrial(trial: Trial, tune: TuneConfig, base: Record<string, unknown>, dir: string, threads: number | 'auto'): Promise<TrialOutcome> {
  const started = performance.now();
  const { config: raw, choices } = trialConfig(trial, tune, base);
  const config = validateFitConfig({ ...raw, train: { ...(raw.train as object), threads } }, `trial ${trial.number} (base + ${Object.keys(choices).join(', ')})`);
  const trialDir = join(dir, 'trials', String(trial.number));
  mkdirSync(trialDir, { recursive: true });
  const c = createContainer();
  await registerSchedulerPlugins(c, pluginPackages(config));
  const pruning = pruningCallback(trial, { monitor: tune.metric });
  const run = await composeRun(c, config, { checkpointDir: join(trialDir, 'checkpoints'), extraCallbacks: [pruning] });
  try {
    let last: number | undefined;
    let epochs = 0;
    run.trainer.events$.subscribe((e) => {
      if (e.type !== 'epoch:end') return;
      epochs += 1;
      last = monitorValue(e, tune.metric);
    });
    await run.trainer.fit();
    if (!pruning.pruned) {
      const test = await run.session.evaluate(run.data.test.epochBatches(0), { weights: run.weights });
      await trial.setUserAttr('test', { loss: test.loss, accuracy: test.accuracy, count: test.count });
    }
    if (last === undefined) throw new CliError(`metric '${tune.metric}' was not produced by the run; use val.<metric> or train.<metric> of the config's metrics (e.g. val.accuracy, val.loss)`);
    return { value: last, pruned: pruning.pruned, epochs, seconds: (performance.now() - started) / 1000, choices };
  } finally {
    await run.session.release();
  }
}
