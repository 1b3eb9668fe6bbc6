import type { Batch } from '@anneal/core';
import { TrainSession, type TrainSessionOptions } from '@anneal/engine';
import type { LossInfo, ProbeTarget } from './target.js';

/** Options of {@link sessionTarget}: a TrainSession's options without the optimizer's lr and weight decay, plus the data. */
export interface SessionTargetOptions extends Omit<TrainSessionOptions, 'optimizer' | 'sample'> {
  /** The optimizer and its settings; lr and weight decay come from each probe. */
  optimizer: Omit<TrainSessionOptions['optimizer'], 'lr' | 'weightDecay'>;
  /** Training batches per epoch (a DataLoader from @anneal/data has `epochBatches`). */
  train: { epochBatches(epoch: number): Iterable<Batch> };
  /** What the initial-loss check expects (cross-entropy over `classes`, BCE, MSE). */
  lossInfo: LossInfo;
}

/**
 * A {@link ProbeTarget} over @anneal/engine: every probe gets a fresh `TrainSession` compiled from
 * the same model, so every probe starts from the same initial weights.
 *
 * @example
 * const target = sessionTarget({ model: buildMlp({ sizes: [784, 64, 10] }), loss: { kind: 'cross-entropy' },
 *   optimizer: { optimizer: adam() }, train: loader, lossInfo: { kind: 'cross-entropy', classes: 10 } });
 * await checkInitialLoss(target);
 */
export function sessionTarget(options: SessionTargetOptions): ProbeTarget {
  const { train, lossInfo, optimizer, ...session } = options;
  return {
    loss: lossInfo,
    trainBatches: (epoch) => train.epochBatches(epoch),
    async session({ weightDecay }) {
      const sample = train.epochBatches(0)[Symbol.iterator]().next().value as Batch | undefined;
      if (!sample) throw new Error('sessionTarget: the training data yields no batch');
      return TrainSession.create({ ...session, sample: { ...sample }, optimizer: { ...optimizer, lr: 1e-3, weightDecay } });
    },
  };
}
