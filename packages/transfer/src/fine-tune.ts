import type { BatchNormMode } from '@anneal/autograd';
import { TrainSession, type LossSpec, type TrainSessionOptions } from '@anneal/engine';
import type { ModelProto } from '@anneal/onnx';
import type { OptimizerUpdateConfig, ParamGroup } from '@anneal/optim';
import { attachHead } from './attach.js';
import type { Backbone } from './backbone.js';
import { layerDecayGroups, selectTrainable, type FreezeOptions, type TrainableSelection } from './freeze.js';

/** Options of {@link createFineTuneSession}. */
export interface FineTuneSessionOptions extends Omit<TrainSessionOptions, 'model' | 'trainable' | 'optimizer' | 'batchNorm'> {
  backbone: Backbone;
  /** The new head (see buildHead), possibly already trained on cached features (LP-FT). */
  head: ModelProto;
  freeze?: FreezeOptions;
  /** Layer-wise learning-rate decay per block (e.g. 0.7); absent: one group, or `optimizer.groups`. */
  layerDecay?: number;
  optimizer: Omit<OptimizerUpdateConfig, 'params'>;
  loss: LossSpec;
  /** BatchNormalization while fine-tuning: 'frozen' (default; running statistics, as `bn.eval()`), 'train' or 'as-exported'. */
  batchNorm?: BatchNormMode;
}

/** A compiled fine-tuning step and what it trains. */
export interface FineTuneSession {
  session: TrainSession;
  /** Backbone + head forward model (export it with `session.exportInference(model)`). */
  model: ModelProto;
  selection: TrainableSelection;
  groups: ParamGroup[];
}

/**
 * Attaches the head to the backbone and compiles a train step through both, training what the
 * freeze rules select, with discriminative learning rates when `layerDecay` is set. Ops without a
 * gradient rule above a trained tensor fail here, at compile time, naming op and node
 * (UnsupportedGradientError).
 *
 * @example
 * const ft = await createFineTuneSession({ backbone, head, freeze: { unfreezeTop: 3 }, layerDecay: 0.6,
 *   optimizer: { optimizer: adamw(), lr: 1e-3 }, loss: { kind: 'cross-entropy' }, sample });
 */
export async function createFineTuneSession(options: FineTuneSessionOptions): Promise<FineTuneSession> {
  const { backbone, head, freeze, layerDecay, optimizer, batchNorm, ...rest } = options;
  const model = attachHead(backbone, head);
  const { selection, groups: decayGroups } = fineTunePlan(model, { freeze, layerDecay, weightDecay: optimizer.weightDecay });
  const groups = decayGroups ?? [...(optimizer.groups ?? [])];
  const session = await TrainSession.create({
    ...rest,
    model,
    trainable: selection.trainable,
    optimizer: { ...optimizer, groups: groups.length ? groups : undefined },
    batchNorm: batchNorm ?? 'frozen',
  });
  return { session, model, selection, groups };
}

/**
 * What fine-tuning trains in a backbone + head model: the freeze rules' selection and, with
 * `layerDecay`, one parameter group per trained block (undefined without it).
 *
 * @example const { selection, groups } = fineTunePlan(model, { freeze: { unfreezeTop: 3 }, layerDecay: 0.7 });
 */
export function fineTunePlan(model: ModelProto, options: { freeze?: FreezeOptions; layerDecay?: number; weightDecay?: number }): { selection: TrainableSelection; groups?: ParamGroup[] } {
  const selection = selectTrainable(model, options.freeze);
  const groups = options.layerDecay !== undefined ? layerDecayGroups(selection, options.layerDecay, { weightDecay: options.weightDecay }) : undefined;
  return { selection, groups };
}
