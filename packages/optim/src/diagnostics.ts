import type { GraphBuilder } from '@anneal/onnx';
import { optimNames } from './naming.js';

/** Which diagnostic a stats output carries. */
export type StatKind = 'grad_norm' | 'weight_norm' | 'update_norm' | 'global_grad_norm' | 'lr';

/** A scalar diagnostics output of the update. */
export interface StatOutput {
  readonly name: string;
  readonly kind: StatKind;
  /** The parameter, for per-parameter stats. */
  readonly param?: string;
  /** The parameter group, for per-group stats (`lr`). */
  readonly group?: string;
}

/**
 * Emits the per-parameter diagnostics (0-d float outputs):
 * - `stats.grad_norm.<p>`: L2 norm of the raw gradient (before clipping and weight decay);
 * - `stats.weight_norm.<p>`: L2 norm of the OLD (pre-update) weight, the one the gradient was
 *   taken at (as LARS/LAMB trust ratios use it), so `update_norm / weight_norm` is the update ratio;
 * - `stats.update_norm.<p>`: `||p_new - p_old||`.
 * Costs 4 nodes per parameter (Sqrt on the shared sum of squares, ReduceL2, Sub, ReduceL2).
 *
 * @example
 * emitParamStats(b, 'w', { gradSumSquares: ss, oldValue: 'w', newValue: 'new.w' });
 */
export function emitParamStats(b: GraphBuilder, param: string, t: { gradSumSquares: string; oldValue: string; newValue: string }): StatOutput[] {
  const gradNorm = b.op('Sqrt', [t.gradSumSquares], {}, { output: optimNames.gradNorm(param) });
  const weightNorm = b.op('ReduceL2', [t.oldValue], { keepdims: 0 }, { output: optimNames.weightNorm(param) });
  const delta = b.op('Sub', [t.newValue, t.oldValue]);
  const updateNorm = b.op('ReduceL2', [delta], { keepdims: 0 }, { output: optimNames.updateNorm(param) });
  return [
    { name: gradNorm, kind: 'grad_norm', param },
    { name: weightNorm, kind: 'weight_norm', param },
    { name: updateNorm, kind: 'update_norm', param },
  ];
}
