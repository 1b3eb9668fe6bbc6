import { adamFamily, type AdamOptions } from './adam.js';
import type { Optimizer } from './optimizer.js';

/**
 * AdamW with PyTorch's `torch.optim.AdamW` semantics: decoupled weight decay
 * `p = p * (1 - lr*wd)` applied before the Adam update (folded into the same final node).
 * Note that the group weight decay defaults to 0 here too (PyTorch's AdamW defaults to 0.01):
 * set `weightDecay` in the update config or per group.
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: adamw(), lr: 1e-3, weightDecay: 0.05, params });
 */
export function adamw(options: AdamOptions = {}): Optimizer {
  return adamFamily(options, true);
}
