import type { GraphBuilder } from '@anneal/onnx';
import { OptimConfigError } from './errors.js';
import { combine, type Term } from './linear-combination.js';
import type { TrainableParam } from './optimizer.js';
import type { ScalarOps } from './scalar-ops.js';

/**
 * Which parameters the layer-wise optimizers (LARS, LAMB) leave out of the trust ratio and of
 * weight decay. `'vectors'`: every parameter whose `dims` have rank <= 1 (biases, normalization
 * scales and shifts) gets trust ratio 1 and no weight decay, as in the papers' practice.
 * `'none'`: every parameter is adapted and decayed. A parameter with unknown `dims` is never excluded.
 */
export type LayerwiseExclusion = 'none' | 'vectors';

/** Validates an `exclude` option (`<id>.exclude` in errors) and returns it, `'vectors'` by default. */
export function exclusionOption(id: string, exclude: LayerwiseExclusion | undefined): LayerwiseExclusion {
  const value = exclude ?? 'vectors';
  if (value !== 'none' && value !== 'vectors') throw new OptimConfigError(`${id}.exclude`, `must be 'none' or 'vectors', got '${String(value)}'`);
  return value;
}

/**
 * Whether a parameter is excluded from the trust ratio and weight decay: decided at emit time
 * from its static rank, so an excluded parameter costs no norm nodes at all.
 *
 * @example
 * isExcluded({ name: 'fc.bias', grad: 'g', dims: [10] }, 'vectors'); // true
 * isExcluded({ name: 'fc.weight', grad: 'g' }, 'vectors');            // false (dims unknown)
 */
export function isExcluded(param: TrainableParam, exclude: LayerwiseExclusion): boolean {
  return exclude === 'vectors' && param.dims !== undefined && param.dims.length <= 1;
}

/**
 * L2 norm (0-d) of the linear combination `terms`, and the combination to use afterwards. A single
 * term keeps its tensor: its norm is `|scale| * ||tensor||`, a scalar product, so the caller can
 * still fold the scale into its final update. Several terms are summed into one tensor first.
 */
export function normOfCombination(b: GraphBuilder, s: ScalarOps, terms: readonly Term[]): { norm: string; terms: readonly Term[] } {
  if (terms.length === 1) {
    const t = terms[0]!;
    const raw = b.op('ReduceL2', [t.tensor], { keepdims: 0 });
    return { norm: t.scale ? b.op('Mul', [raw, s.apply('Abs', [t.scale])]) : raw, terms };
  }
  const sum = combine(b, s, terms);
  return { norm: b.op('ReduceL2', [sum], { keepdims: 0 }), terms: [{ tensor: sum }] };
}

/**
 * The layer-wise trust ratio `coefficient * ||w|| / (||u|| + eps)`, replaced by exactly 1 when
 * `||w||` = 0 or `||u||` = 0 (a branch-free `Where`; the division's 0/0 lands in the unselected
 * branch). `coefficient` and `eps` are 0-d tensors; absent means 1 and 0.
 *
 * @example
 * const trust = trustRatio(b, s, weightNorm, gradNorm, { coefficient: ctx.hp('trust_coefficient') });
 */
export function trustRatio(b: GraphBuilder, s: ScalarOps, weightNorm: string, updateNorm: string, options: { coefficient?: string; eps?: string } = {}): string {
  const zero = s.constant(0);
  const denom = options.eps ? b.op('Add', [updateNorm, options.eps]) : updateNorm;
  const ratio = b.op('Div', [options.coefficient ? b.op('Mul', [weightNorm, options.coefficient]) : weightNorm, denom]);
  const bothPositive = b.op('And', [b.op('Greater', [weightNorm, zero]), b.op('Greater', [updateNorm, zero])]);
  return b.op('Where', [bothPositive, ratio, s.constant(1)]);
}
