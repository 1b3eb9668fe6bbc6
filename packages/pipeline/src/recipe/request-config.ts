import type { FitRequest } from '@anneal/diagnostics';
import type { FitConfig } from '../config/fit-config.js';

const scale = (sizes: readonly number[] | undefined, k: number) => sizes?.map((s) => Math.max(1, Math.round(s * k)));

/**
 * The fit config of one recipe run: the base with the request's learning rate, weight decay,
 * epochs and norms; the base's lr schedules replaced by none (`constant`) or one cosine decay
 * over the run; hidden widths scaled by `capacity` (built models only); early stopping and
 * best-model checkpoints off, so every run trains its full length.
 */
export function requestConfig(base: FitConfig, request: Omit<FitRequest, 'callbacks' | 'label' | 'monitor'>, options: { batchesPerEpoch: number; threads: FitConfig['train']['threads'] }): FitConfig {
  const steps = request.epochs * options.batchesPerEpoch;
  const schedules = base.schedules.filter((s) => s.target !== 'lr');
  if (request.lrSchedule === 'cosine') schedules.push({ target: 'lr', interval: 'step', schedule: { type: 'cosine', base: request.lr, tMax: steps } });
  const k = request.capacity ?? 1;
  let model = base.model;
  // capacity scales the widths of the built-in architectures; other models keep theirs
  if (k !== 1 && model.type === 'mlp') model = { ...model, hidden: scale((model.hidden as number[] | undefined) ?? [128], k)! };
  if (k !== 1 && model.type === 'cnn') model = { ...model, channels: scale(model.channels as number[] | undefined, k), hidden: scale(model.hidden as number[] | undefined, k) };
  return {
    ...base,
    model,
    optimizer: { ...base.optimizer, lr: request.lr, weightDecay: request.weightDecay },
    schedules,
    train: { ...base.train, epochs: request.epochs, normsEvery: request.normsEvery ?? 0, threads: options.threads },
    callbacks: [],
  };
}
