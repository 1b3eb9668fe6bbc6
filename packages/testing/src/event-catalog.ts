import type { AnnealEvent, AnnealEventType, LossSummary, PassMetrics } from '@anneal/core';

const loss = (mean: number, count: number): LossSummary => ({ mean, variance: mean / 10, std: Math.sqrt(Math.abs(mean / 10)), min: mean / 2, max: mean * 2, count });
const pass = (mean: number, accuracy: number, count = 3): PassMetrics => ({ loss: loss(mean, count), metrics: { accuracy } });

/**
 * A plausible event stream that uses every event type and its odd corners: a warning at run
 * start, `batch:start`, steps with and without per-tensor norms, a non-finite loss (error,
 * warning, skipped batch with NaN loss and lr), an epoch with NaN metrics and no validation,
 * checkpoints, an early stop, the run's end, then a resumed run that starts mid-epoch.
 * Checkpoint paths are under `dir`. Payloads are plain (freeze them before use, as the Trainer does).
 *
 * @example
 * ```ts
 * for (const e of conformanceEvents('/tmp/run')) subject.next(deepFrozen(e));
 * ```
 */
export function conformanceEvents(dir: string): AnnealEvent[] {
  const path = `${dir}/last.safetensors`;
  const norms = { 'fc.weight': { grad: 0.5, weight: 2, update: 0.002 }, 'fc.bias': { grad: 0.1, weight: 0, update: 0.001 } };
  return [
    { type: 'run:start', epochs: 2, batchesPerEpoch: 3, startEpoch: 1, startBatch: 0, step: 0, resumed: false },
    { type: 'warning', code: 'CONFORMANCE', message: 'a warning raised while the backend was built', step: 0 },
    { type: 'epoch:start', epoch: 1, step: 0 },
    { type: 'batch:start', epoch: 1, batch: 0, step: 0 },
    { type: 'batch:end', epoch: 1, batch: 0, step: 0, loss: 1.1, lr: 0.1, hyperparameters: { 'hp.momentum': 0.9 } },
    { type: 'batch:end', epoch: 1, batch: 1, step: 1, loss: 0.9, lr: 0.1, hyperparameters: { 'hp.momentum': 0.9 }, norms, globalGradNorm: 0.51 },
    { type: 'error', code: 'NONFINITE_LOSS', message: 'step 3: the loss is NaN', step: 2, epoch: 1, tensor: 'x' },
    { type: 'warning', code: 'NONFINITE_LOSS_SKIPPED', message: 'batch 3 of epoch 1 gave a non-finite loss and was skipped', step: 2 },
    { type: 'batch:end', epoch: 1, batch: 2, step: 2, loss: NaN, lr: NaN, hyperparameters: {}, skipped: true },
    { type: 'validation:end', epoch: 1, step: 3, metrics: pass(0.8, 0.5) },
    { type: 'epoch:end', epoch: 1, step: 3, train: pass(1, 0.25, 2), val: pass(0.8, 0.5), hyperparameters: { lr: 0.1, 'hp.momentum': 0.9 }, durationMs: 12 },
    { type: 'checkpoint:start', path, epoch: 1, step: 3, reason: 'epoch' },
    { type: 'checkpoint:saved', path, epoch: 1, step: 3, reason: 'epoch' },
    { type: 'epoch:start', epoch: 2, step: 3 },
    { type: 'batch:end', epoch: 2, batch: 0, step: 3, loss: 0.7, lr: 0.05, hyperparameters: {} },
    { type: 'batch:end', epoch: 2, batch: 1, step: 4, loss: Infinity, lr: 0.05, hyperparameters: {} },
    { type: 'batch:end', epoch: 2, batch: 2, step: 5, loss: 0.6, lr: 0, hyperparameters: {}, norms: {}, globalGradNorm: 0 },
    { type: 'epoch:end', epoch: 2, step: 6, train: { loss: loss(NaN, 0), metrics: { accuracy: NaN, top5: NaN } }, hyperparameters: {}, durationMs: 0 },
    { type: 'early-stop', epoch: 2, step: 6, by: 'early-stopping', reason: 'val.loss did not improve for 1 epoch(s)' },
    { type: 'checkpoint:start', path, epoch: 2, step: 6, reason: 'end' },
    { type: 'checkpoint:saved', path, epoch: 2, step: 6, reason: 'end' },
    { type: 'run:end', epochs: 2, steps: 6, stopped: true, reason: 'val.loss did not improve for 1 epoch(s)', durationMs: 40 },
    { type: 'run:start', epochs: 3, batchesPerEpoch: 3, startEpoch: 2, startBatch: 2, step: 5, resumed: true },
    { type: 'batch:end', epoch: 2, batch: 2, step: 5, loss: 0.6, lr: 0.05, hyperparameters: {} },
    { type: 'epoch:end', epoch: 2, step: 6, train: pass(0.65, 0.75), val: pass(0.6, 0.75), hyperparameters: { lr: 0.05 }, durationMs: 3 },
    { type: 'run:end', epochs: 3, steps: 6, stopped: false, durationMs: 5 },
  ];
}

/** Every event type (the catalog above has at least one of each). */
export const ANNEAL_EVENT_TYPES: readonly AnnealEventType[] = [
  'run:start',
  'run:end',
  'epoch:start',
  'batch:start',
  'batch:end',
  'validation:end',
  'epoch:end',
  'checkpoint:start',
  'checkpoint:saved',
  'early-stop',
  'warning',
  'error',
];
