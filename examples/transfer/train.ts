// Training and scoring with the real Trainer (@anneal/core) over a compiled TrainSession.
import { Trainer } from '@anneal/core';
import { DataLoader, datasetSize, type ArrayDataset, type BatchFeeds } from '@anneal/data';
import { engineBackend, type TrainSession } from '@anneal/engine';
import { cosine } from '@anneal/schedulers';

/** How long and how one method trains. */
export interface Budget {
  epochs: number;
  batchSize: number;
  /** Optimizer steps the budget amounts to (epochs x batches per epoch). */
  steps: number;
}

/**
 * The step budget every method gets for a training set of `size` examples: batch min(32, size),
 * at least 15 epochs and at least 150 optimizer steps.
 */
export function budgetFor(size: number, options: { minSteps?: number; minEpochs?: number; batchSize?: number } = {}): Budget {
  const batchSize = Math.min(options.batchSize ?? 32, size);
  const perEpoch = Math.ceil(size / batchSize);
  const epochs = Math.max(options.minEpochs ?? 15, Math.ceil((options.minSteps ?? 150) / perEpoch));
  return { epochs, batchSize, steps: epochs * perEpoch };
}

/** A loader over a dataset with the feed name of the model input; shuffled when `seed` is given. */
export function loader(ds: ArrayDataset, inputName: string, batchSize: number, seed?: number): DataLoader {
  return new DataLoader(ds, { batchSize: Math.min(batchSize, datasetSize(ds)), shuffle: seed !== undefined, seed: seed ?? 0, inputName });
}

/** The first batch of a loader: the sample batch TrainSession.create probes shapes with. */
export function sampleBatch(l: DataLoader): BatchFeeds {
  return l.epochBatches(0).next().value!;
}

/** What one training run took. */
export interface FitOutcome {
  steps: number;
  seconds: number;
  /** Mean training loss of the last epoch. */
  finalLoss: number;
  /** Validation accuracy after each epoch, when a validation set was given. */
  valAccuracy: number[];
}

/**
 * Trains `session` on `train` for `budget` with the Trainer: seeded shuffling, a cosine decay of
 * the learning rate from `lr` to 0 over the budget, optional validation at epoch ends.
 */
export async function fit(session: TrainSession, train: ArrayDataset, options: { inputName: string; budget: Budget; lr: number; seed: number; val?: ArrayDataset; onEpoch?: (epoch: number, valAccuracy?: number) => void }): Promise<FitOutcome> {
  const { budget } = options;
  const trainer = new Trainer({
    backend: engineBackend(session),
    train: loader(train, options.inputName, budget.batchSize, options.seed),
    val: options.val ? loader(options.val, options.inputName, 500) : undefined,
    epochs: budget.epochs,
    trainMetrics: false,
    schedules: [{ target: 'lr', schedule: cosine({ base: options.lr, tMax: budget.steps }) }],
    callbacks: options.onEpoch ? [{ key: 'progress', onEpochEnd: (e) => options.onEpoch!(e.epoch, e.val?.metrics.accuracy) }] : [],
  });
  const result = await trainer.fit();
  const last = result.history.at(-1);
  return {
    steps: result.steps,
    seconds: result.durationMs / 1000,
    finalLoss: last?.train.loss.mean ?? NaN,
    valAccuracy: result.history.map((h) => h.val?.metrics.accuracy ?? NaN),
  };
}

/** Accuracy of the session's current weights on a dataset (eval graph: running BatchNorm statistics). */
export async function accuracyOn(session: TrainSession, ds: ArrayDataset, inputName: string): Promise<number> {
  const r = await session.evaluate(loader(ds, inputName, 500).epochBatches(0));
  return r.accuracy ?? NaN;
}
