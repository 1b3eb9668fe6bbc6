// EMA and SWA runs through @anneal/pipeline (what `anneal fit` runs), and the SWA average scored
// with four sets of BatchNorm statistics.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentIo, type Callback, type RunIo } from '@anneal/core';
import { ensembleMetrics } from '@anneal/ensembles';
import { loadModel, saveModel, valueToTensor, writeFileAtomic, type TensorValue } from '@anneal/onnx';
import { configData, type FitConfig, modelLogits, type Pipeline, runPaths, trainRun } from '@anneal/pipeline';

/** Test accuracy (fraction) and mean NLL (nats). */
export interface Score {
  accuracy: number;
  nll: number;
}

/** One EMA run: the averaged weights (what validation, test and model.onnx use) against the last raw weights. */
export interface EmaResult {
  seed: number;
  decay: number;
  steps: number;
  ema: Score;
  raw: Score;
  seconds: number;
}

/** The runs print nothing (the experiment logs one line per run itself). */
export const quietIo: RunIo = silentIo;

function writeRunConfig(dir: string, config: FitConfig): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(runPaths(dir).config, JSON.stringify(config, null, 2) + '\n');
}

/** Trains `config` (which sets `optimizer.ema`) with `pipeline.train` (as `anneal fit` does) and reads both scores from its summary. */
export async function emaRun(pipeline: Pipeline, config: FitConfig, dir: string): Promise<EmaResult> {
  if (!config.optimizer.ema) throw new Error(`${dir}: the EMA config has no optimizer.ema; set optimizer.ema: { decay, warmup }`);
  writeRunConfig(dir, config);
  const s = await pipeline.train(config, { dir });
  if (!s.testLastWeights) throw new Error(`${dir}: the run reported no last-weights score; is optimizer.ema set?`);
  return {
    seed: config.seed,
    decay: config.optimizer.ema.decay,
    steps: s.steps,
    ema: { accuracy: s.test.accuracy ?? NaN, nll: s.test.loss },
    raw: { accuracy: s.testLastWeights.accuracy ?? NaN, nll: s.testLastWeights.loss },
    seconds: s.seconds,
  };
}

/** One SWA run: the last weights, and the weight average with each set of BatchNorm statistics. */
export interface SwaResult {
  seed: number;
  epochsAveraged: number;
  last: Score;
  /** The average of the weights with the BatchNorm statistics of the last weights (what a plain copy of the average would carry). */
  lastStats: Score;
  /** With the initial statistics (mean 0, variance 1): torch's AveragedModel, whose buffers stay as copied at construction, before update_bn. */
  initialStats: Score;
  /** With the running statistics averaged like the weights (what Anneal's SWA callback keeps; the summary's "before the refresh"). */
  averagedStats: Score;
  /** With statistics recomputed over the training data (refreshBatchNorm; `anneal fit`'s result). */
  refreshed: Score;
  seconds: number;
}

/** `model` with the named initializers replaced. */
function withInitializers(path: string, values: Record<string, TensorValue>, out: string): string {
  const model = loadModel(path);
  const init = model.graph.initializer;
  for (const [name, value] of Object.entries(values)) {
    const i = init.findIndex((t) => t.name === name);
    if (i < 0) throw new Error(`${path}: no initializer '${name}' to replace; the SWA model's BatchNorm statistics are named differently`);
    init[i] = valueToTensor(name, value);
  }
  saveModel(out, model);
  return out;
}

async function score(pipeline: Pipeline, path: string, config: FitConfig): Promise<Score> {
  const { logits, labels, classes } = await modelLogits(path, (await configData(pipeline, config)).test.epochBatches(0));
  const m = ensembleMetrics([logits], labels, classes);
  return { accuracy: m.members[0]!.accuracy, nll: m.members[0]!.nll };
}

/** Whether the config's callbacks (an object keyed by id, or a list of `{ type, ... }`) include SWA. */
function hasSwa(config: FitConfig): boolean {
  const c = config.callbacks;
  return Array.isArray(c) ? c.some((spec) => spec.type === 'swa') : 'swa' in c;
}

/**
 * Trains `config` (which sets `callbacks.swa` and has BatchNorm) as `pipeline.train` does (composed,
 * then trained, so the SWA callback's average can be read afterwards). Its model.onnx is the
 * average with refreshed statistics; copies of it with the other statistics are written beside it
 * (`swa-<stats>.onnx`) and scored on the test split.
 */
export async function swaRun(pipeline: Pipeline, config: FitConfig, dir: string): Promise<SwaResult> {
  if (!hasSwa(config)) throw new Error(`${dir}: the SWA config has no callbacks.swa; set callbacks.swa.startEpoch`);
  writeRunConfig(dir, config);
  let initial: Record<string, TensorValue> = {};
  let lastStats: Record<string, TensorValue> = {};
  const capture: Callback = {
    key: 'bn-statistics',
    async onRunStart() {
      initial = await run.session.runningStatistics();
    },
    async onRunEnd() {
      lastStats = await run.session.runningStatistics();
    },
  };
  // pipeline.train(config, options) is trainRun(await pipeline.compose(config, options)); composing first keeps the run's SWA callback
  const run = await pipeline.compose(config, { dir, callbacks: [capture] });
  const s = await trainRun(run);
  if (!s.swa?.withoutRefresh) throw new Error(`${dir}: the run reported no SWA scores before the BatchNorm refresh; does the model have BatchNorm?`);
  if (!run.swa) throw new Error(`${dir}: the composed run has no SWA callback; set callbacks.swa.startEpoch`);
  const names = Object.keys(lastStats);
  const average = run.swa.average();
  const averagedStats = Object.fromEntries(names.map((n) => [n, average[n]!]));
  const model = runPaths(dir).model;
  return {
    seed: config.seed,
    epochsAveraged: s.swa.epochs,
    last: { accuracy: s.swa.lastWeights.accuracy ?? NaN, nll: s.swa.lastWeights.loss },
    lastStats: await score(pipeline, withInitializers(model, lastStats, join(dir, 'swa-last-stats.onnx')), config),
    initialStats: await score(pipeline, withInitializers(model, initial, join(dir, 'swa-initial-stats.onnx')), config),
    averagedStats: await score(pipeline, withInitializers(model, averagedStats, join(dir, 'swa-averaged-stats.onnx')), config),
    refreshed: await score(pipeline, model, config),
    seconds: s.seconds,
  };
}
