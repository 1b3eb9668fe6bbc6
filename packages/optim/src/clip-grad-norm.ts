import type { GraphBuilder } from '@anneal/onnx';
import type { ScalarOps } from './scalar-ops.js';

/** Tensors computed by {@link emitGradNorms}. */
export interface GradNorms {
  /** Per-gradient sum of squares (0-d), in the order of the gradients passed. */
  readonly sumSquares: readonly string[];
  /** sqrt(sum over all gradients of their squared L2 norms), before clipping. */
  readonly globalNorm: string;
  /** `min(max_norm / (global_norm + 1e-6), 1)` when clipping; multiply gradients by it. */
  readonly clipCoef?: string;
}

/**
 * Global gradient norm and, given a `maxNorm` scalar input, the clip coefficient of
 * `torch.nn.utils.clip_grad_norm_` (norm type 2):
 * `total = sqrt(sum_i ||g_i||^2)`, `coef = min(max_norm / (total + 1e-6), 1)`.
 * The coefficient is not applied here: optimizers fold it into their scalar factors
 * (a huge `max_norm`, or Infinity, makes it exactly 1 = clipping off).
 *
 * @example
 * const { clipCoef } = emitGradNorms(b, s, ['grad.w', 'grad.b'], { maxNorm: 'hp.max_grad_norm' });
 */
export function emitGradNorms(b: GraphBuilder, s: ScalarOps, grads: readonly string[], options: { maxNorm?: string; globalNormOutput?: string } = {}): GradNorms {
  const sumSquares = grads.map((g) => b.op('ReduceSumSquare', [g], { keepdims: 0 }));
  const total = sumSquares.length === 1 ? sumSquares[0]! : b.op('Sum', sumSquares);
  const out = options.globalNormOutput ? { output: options.globalNormOutput } : {};
  const globalNorm = b.op('Sqrt', [total], {}, out);
  const clipCoef = options.maxNorm ? s.min(s.div(options.maxNorm, s.add(globalNorm, s.constant(1e-6))), s.constant(1)) : undefined;
  return { sumSquares, globalNorm, clipCoef };
}
