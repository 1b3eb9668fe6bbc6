// One run of a variant through @anneal/pipeline (what `anneal fit` runs): the test score and
// throughput from its summary, and the per-epoch test accuracy and per-step lr from the Trainer's events.
import { mkdirSync, rmSync } from 'node:fs';
import { DivergedError, ofType } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';
import { dataLoaders, type FitConfig, loadRunParts, type Pipeline, runPaths, type RunParts, trainRun } from '@anneal/pipeline';

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
  /** Wall clock of the whole run (session compile, training, evaluation, export). */
  seconds: number;
  /** Set when the loss became non-finite and the Trainer stopped the run (then accuracy is that of chance, NaN here). */
  diverged?: string;
}

/**
 * The training/test parts of the split, loaded once through the config's data-source plugin and
 * shared by every run (all configs use the same source and split).
 */
export function sharedParts(pipeline: Pipeline, config: FitConfig): Promise<RunParts> {
  return loadRunParts(pipeline.registry, config, { baseDir: pipeline.baseDir, image: config.model.type === 'cnn' });
}

/**
 * Trains `config` into `dir` (replaced if it exists: it is this experiment's own output) as
 * `pipeline.train` does, on loaders over the shared split, and collects what the tables and charts need.
 * The run prints through the pipeline's io.
 */
export async function runVariant(pipeline: Pipeline, id: string, config: FitConfig, dir: string, shared: RunParts): Promise<RunResult> {
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
    // pipeline.train(config, options) is trainRun(await pipeline.compose(config, options)); composing first gives the Trainer's events
    const run = await pipeline.compose(config, { dir, provide: { data } });
    run.trainer.events$.pipe(ofType('batch:end')).subscribe((e) => (lrs[e.step] = e.lr));
    run.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => perEpoch.push(e.val?.metrics.accuracy ?? NaN));
    const s = await trainRun(run);
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
