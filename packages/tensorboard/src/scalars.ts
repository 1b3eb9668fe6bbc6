import type { EventOf } from '@anneal/core';

/** Which per-step values {@link batchScalars} gives. */
export interface BatchScalarOptions {
  /** Per-tensor norms on steps that computed them: `grad_norm/<tensor>`, `weight_norm/<tensor>`, `update_ratio/<tensor>` (default false). */
  readonly norms?: boolean;
}

/**
 * The TensorBoard step of a `batch:end`: the updates applied once the batch is done
 * (`step + 1`), so the values of an epoch's last batch and the epoch's own values (at
 * `epoch:end`'s `step`, the updates applied in the run so far) share one x.
 */
export function batchStep(e: EventOf<'batch:end'>): number {
  return e.step + 1;
}

/**
 * The scalars of one step, by tag: `train/loss` (the batch loss), `lr`, `hp/<name>` for every
 * scheduled hyperparameter input (`hp.momentum` -> `hp/momentum`), `train/grad_norm` (the global
 * gradient norm, on steps that computed norms) and, with `norms`, the per-tensor norms. A skipped
 * batch (its loss was not finite and no update was applied) has none.
 *
 * @example
 * batchScalars({ type: 'batch:end', epoch: 0, batch: 0, step: 0, loss: 2.3, lr: 0.1, hyperparameters: { 'hp.momentum': 0.9 } });
 * // { 'train/loss': 2.3, lr: 0.1, 'hp/momentum': 0.9 }
 */
export function batchScalars(e: EventOf<'batch:end'>, options: BatchScalarOptions = {}): Record<string, number> {
  if (e.skipped) return {};
  const out: Record<string, number> = { 'train/loss': e.loss, lr: e.lr };
  for (const [name, value] of Object.entries(e.hyperparameters)) out[`hp/${name.replace(/^hp\./, '')}`] = value;
  if (e.globalGradNorm !== undefined) out['train/grad_norm'] = e.globalGradNorm;
  if (options.norms && e.norms) {
    for (const [tensor, n] of Object.entries(e.norms)) {
      out[`grad_norm/${tensor}`] = n.grad;
      out[`weight_norm/${tensor}`] = n.weight;
      if (n.weight > 0) out[`update_ratio/${tensor}`] = n.update / n.weight;
    }
  }
  return out;
}

/**
 * The scalars of one epoch, by tag: `train/loss_mean` and `train/loss_std` (over the epoch's batch
 * losses), `train/<metric>`, and with validation `val/loss` (mean) and `val/<metric>`.
 *
 * @example
 * epochScalars(epochEnd); // { 'train/loss_mean': 0.41, 'train/loss_std': 0.08, 'train/accuracy': 0.9, 'val/loss': 0.45, 'val/accuracy': 0.88 }
 */
export function epochScalars(e: EventOf<'epoch:end'>): Record<string, number> {
  const out: Record<string, number> = { 'train/loss_mean': e.train.loss.mean, 'train/loss_std': e.train.loss.std };
  for (const [name, value] of Object.entries(e.train.metrics)) out[`train/${name}`] = value;
  if (e.val) {
    out['val/loss'] = e.val.loss.mean;
    for (const [name, value] of Object.entries(e.val.metrics)) out[`val/${name}`] = value;
  }
  return out;
}
