// One run of a variant through `anneal fit`'s own runFit: the test score and throughput from its
// summary, and the per-epoch test accuracy and per-step lr from the Trainer's events.
import { mkdirSync, rmSync } from 'node:fs';
import { DivergedError, ofType } from '@anneal/core';
import { classCounts } from '@anneal/data';
import { writeFileAtomic } from '@anneal/onnx';
import { dataLoaders, type DataParts, type FitConfig, type FitIo, loadSource, runFit, runPaths, splitParts } from '@anneal/cli';

/** What one run measured. Accuracies are fractions of the 2,000 test images. */
export interface RunResult {
  id: string;
  seed: number;
  batch: number;
  /** Optimizer updates. */
  steps: number;
  epochs: number;
  batchesPerEpoch: number;
  /** Final test accuracy and loss (the split has no validation part, so per-epoch "val" is the test split too). */
  accuracy: number;
  loss: number;
  /** Test accuracy after each epoch. */
  accuracyPerEpoch: number[];
  /** The lr of the first update and the largest lr of the run, as the Trainer fed them to the graph. */
  lrFirst: number;
  lrMax: number;
  /** Warmup of `optimizer.largeBatch`, in epochs and updates (0 without). */
  warmupEpochs: number;
  warmupSteps: number;
  /** The lr per update, thinned to at most ~200 points: [epoch (fractional), lr]. */
  lrTrace: [number, number][];
  /** Training throughput from the summary (batch steps only, evaluation excluded), and the layout it ran with. */
  examplesPerSecond: number;
  trainSeconds: number;
  workers: number;
  threads: number;
  /** Wall clock of the whole runFit call (session compile, training, evaluation, export). */
  seconds: number;
  /** Set when the loss became non-finite and the Trainer stopped the run (then accuracy is that of chance, NaN here). */
  diverged?: string;
}

const quietIo: FitIo = { out: () => {}, err: () => {}, progress: false };

/** The training/test parts of the split, loaded once and shared by every run (all configs use the same source and split). */
export function sharedParts(config: FitConfig): { parts: DataParts; classes: number } {
  const ds = loadSource(config.data.source, config.model.kind === 'cnn');
  const parts = splitParts(ds, config.data.split);
  return { parts, classes: classCounts(ds).length };
}

/**
 * Trains `config` into `dir` (replaced if it exists: it is this experiment's own output) with
 * runFit, on loaders over the shared split, and collects what the tables and charts need.
 */
export async function runVariant(id: string, config: FitConfig, dir: string, shared: { parts: DataParts; classes: number }): Promise<RunResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(runPaths(dir).config, JSON.stringify(config, null, 2) + '\n');
  const data = dataLoaders(shared.parts, config, 'x', shared.classes);
  const perEpoch: number[] = [];
  const lrs: number[] = [];
  const started = performance.now();
  const base = {
    id,
    seed: config.seed,
    batch: config.data.batchSize,
    epochs: config.train.epochs,
    batchesPerEpoch: data.train.batchesPerEpoch,
    warmupEpochs: config.optimizer.largeBatch?.warmupEpochs ?? 0,
    warmupSteps: Math.round((config.optimizer.largeBatch?.warmupEpochs ?? 0) * data.train.batchesPerEpoch),
    workers: config.train.parallel?.workers ?? 1,
    threads: config.train.threads === 'auto' ? 0 : config.train.threads,
  };
  const trace = () => {
    const every = Math.max(1, Math.ceil(lrs.length / 200));
    return lrs.flatMap((lr, step): [number, number][] => (step % every === 0 ? [[step / data.train.batchesPerEpoch, lr]] : []));
  };
  try {
    const s = await runFit(config, dir, undefined, quietIo, {
      data,
      onComposed: (run) => {
        run.trainer.events$.pipe(ofType('batch:end')).subscribe((e) => (lrs[e.step] = e.lr));
        run.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => perEpoch.push(e.val?.metrics.accuracy ?? NaN));
      },
    });
    return {
      ...base,
      steps: s.steps,
      accuracy: s.test.accuracy ?? NaN,
      loss: s.test.loss,
      accuracyPerEpoch: perEpoch,
      lrFirst: lrs[0] ?? NaN,
      lrMax: Math.max(...lrs),
      lrTrace: trace(),
      examplesPerSecond: s.throughput.examplesPerSecond,
      trainSeconds: s.throughput.trainSeconds,
      seconds: s.seconds,
    };
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    return {
      ...base,
      steps: lrs.length,
      accuracy: NaN,
      loss: NaN,
      accuracyPerEpoch: perEpoch,
      lrFirst: lrs[0] ?? NaN,
      lrMax: Math.max(...lrs),
      lrTrace: trace(),
      examplesPerSecond: 0,
      trainSeconds: 0,
      seconds: (performance.now() - started) / 1000,
      diverged: e.message,
    };
  }
}
