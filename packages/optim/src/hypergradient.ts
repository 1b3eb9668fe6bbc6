import { OptimConfigError } from './errors.js';
import type { Term } from './linear-combination.js';
import type { GroupParam, GroupUpdate, GroupUpdateContext, HyperparameterDefault } from './optimizer.js';
import type { ScalarOps } from './scalar-ops.js';

/**
 * Default hypergradient learning rates β, the values Baydin et al. (ICLR 2018) ran their MNIST
 * logistic-regression and MLP experiments with: 1e-3 for SGD-HD and SGDN-HD, 1e-7 for Adam-HD
 * (their CIFAR-10 VGG runs used 1e-8 for Adam-HD). Adam's direction is normalized, so its
 * hypergradient `g·u` is about `|g|₁`, much larger than SGD's `g·g`; hence the far smaller β.
 * β multiplies a dot product summed over a whole group, so very wide models may want a smaller one.
 */
export const HYPERGRADIENT_LR_DEFAULTS = { sgd: 1e-3, adam: 1e-7 } as const;

/** Group state slots of the hypergradient optimizers: `state.lr.<group>` and `state.scheduled_lr.<group>`. */
export const HYPERGRADIENT_GROUP_SLOTS = ['lr', 'scheduled_lr'] as const;

/** The `hp.hypergradient_lr` input (β) with its default; throws when β is negative or not finite. */
export function hypergradientHyperparameter(id: string, value: number): HyperparameterDefault {
  if (!(Number.isFinite(value) && value >= 0)) throw new OptimConfigError(`${id}.hypergradientLr`, `must be a finite number >= 0 (0 turns adaptation off), got ${value}`);
  return { key: 'hypergradient_lr', value, description: 'hypergradient learning rate β: the learned lr moves by β·(current gradient · previous update direction) per step' };
}

/**
 * The gradient a hypergradient optimizer applies: the clipped gradient plus the L2 term `wd·p`.
 * Built from memoized nodes, so the group emitter and the parameter emitter share one tensor.
 */
export function effectiveGradient(s: ScalarOps, value: string, grad: Term, weightDecay: string | undefined): Term {
  if (!weightDecay) return grad;
  const clipped = grad.scale ? s.apply('Mul', [grad.tensor, grad.scale]) : grad.tensor;
  return { tensor: s.apply('Add', [clipped, s.apply('Mul', [value, weightDecay])]) };
}

/** How a hypergradient optimizer reads one parameter in its group emitter. */
export interface HypergradientTerms {
  /** The gradient the step applies (see {@link effectiveGradient}). */
  readonly gradient: Term;
  /** State tensor holding the previous update direction `d` (the previous step moved the parameter by `-α·d`); zero before the first step. */
  readonly previous: string;
}

/**
 * Emits a group's learned learning rate (Baydin et al. 2018): with `h_t = Σ g_t · d_{t-1}` over
 * the group's parameters (the current gradient against the previous update direction),
 * `α_t = α_{t-1}·(lr_t / lr_{t-1}) + β·h_t`, where `lr_t` is this step's `hp.lr.<group>`.
 *
 * - Step 1 (`hp.step` < 1.5) starts from `α_0 = lr_1`, so the configured lr is the initial α.
 * - A constant `hp.lr` (no schedule) gives the paper's rule `α_t = α_{t-1} + β·h_t` exactly.
 * - A schedule on lr multiplies the learned α by its step-to-step ratio: without adaptation
 *   (β = 0) α follows the schedule exactly; with it, warmup, decay and restarts still act on α.
 *   When the previous lr was 0 the ratio counts as 1 (α then starts from 0 and is learned).
 *
 * Writes `new.state.lr.<group>` (α_t, the rate this step applies) and
 * `new.state.scheduled_lr.<group>` (lr_t) and returns α_t for the group's parameters.
 */
export function emitHypergradientLr(ctx: GroupUpdateContext, terms: (p: GroupParam) => HypergradientTerms): GroupUpdate {
  const { builder: b, scalars: s } = ctx;
  const dots = ctx.params.map((p) => {
    const { gradient, previous } = terms(p);
    const dot = b.op('ReduceSum', [b.op('Mul', [gradient.tensor, previous])], { keepdims: 0 });
    return gradient.scale ? b.op('Mul', [dot, gradient.scale]) : dot;
  });
  const h = dots.length === 1 ? dots[0]! : b.op('Sum', dots);
  const previousLr = ctx.state.scheduled_lr!;
  const ratio = s.where(s.apply('Greater', [previousLr, s.constant(0)]), s.div(ctx.lr, previousLr), s.constant(1));
  const carried = s.where(s.less(ctx.hp('step'), s.constant(1.5)), ctx.lr, s.mul(ctx.state.lr!, ratio));
  const alpha = b.op('Add', [carried, b.op('Mul', [ctx.hp('hypergradient_lr'), h])], {}, { output: ctx.outputs.state.lr });
  b.op('Identity', [ctx.lr], {}, { output: ctx.outputs.state.scheduled_lr });
  return { lr: alpha };
}
