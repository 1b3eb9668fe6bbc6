import { OptimConfigError } from './errors.js';
import { combine, scaleTerms, type Term } from './linear-combination.js';
import type { HyperparameterDefault, Optimizer, ParamUpdateContext } from './optimizer.js';
import { exclusionOption, isExcluded, normOfCombination, trustRatio, type LayerwiseExclusion } from './trust-ratio.js';

/** Options of {@link lars}. `lr` and weight decay are per parameter group (see `OptimizerUpdateConfig`). */
export interface LarsOptions {
  /** Momentum factor in [0, 1) (default 0.9). */
  momentum?: number;
  /** Trust coefficient η > 0 of the layer-wise rate (default 0.001). */
  trustCoefficient?: number;
  /** Added to `||g'||` in the trust ratio (default 0: no `hp.eps` input and no node). */
  eps?: number;
  /** Nesterov momentum: step by `momentum*v + lr*λ*g'` instead of `v` (default false). */
  nesterov?: boolean;
  /** Parameters left out of the trust ratio and weight decay (default `'vectors'`: rank <= 1). */
  exclude?: LayerwiseExclusion;
}

function larsHyperparameters(momentum: number, trustCoefficient: number, eps: number): HyperparameterDefault[] {
  return [
    { key: 'momentum', value: momentum, description: 'momentum factor' },
    { key: 'trust_coefficient', value: trustCoefficient, description: 'trust coefficient η of the layer-wise learning rate' },
    ...(eps > 0 ? [{ key: 'eps', value: eps, description: "term added to ||g'|| in the trust ratio" }] : []),
  ];
}

/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman, Ginsburg 2017): SGD with momentum where
 * each parameter tensor's step is scaled by its own trust ratio. Per parameter tensor `w` with
 * gradient `g` and group weight decay `wd`:
 *
 * ```
 * g' = g + wd*w
 * λ  = η * ||w|| / (||g'|| + eps)      (λ = 1 when ||w|| = 0 or ||g'|| = 0)
 * v  = momentum*v + lr*λ*g'
 * w  = w - v                           (Nesterov: w - (momentum*v + lr*λ*g'))
 * ```
 *
 * The norm of the decayed gradient is the optax / flax form (`η||w||/||g + wd w||`), not the
 * paper's `η||w||/(||g|| + wd||w||)`. Excluded parameters (see {@link LayerwiseExclusion}) use
 * λ = 1 and no weight decay: plain momentum SGD with `v = momentum*v + lr*g`.
 * With momentum 0 it is layer-wise scaled SGD (the buffer still exists and equals the step).
 *
 * Inputs it adds: `hp.momentum`, `hp.trust_coefficient`, `hp.eps` (only when eps > 0).
 * State: `momentum_buffer` (holds the lr-scaled velocity `v`, not PyTorch SGD's buffer).
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: lars({ trustCoefficient: 0.001 }), lr: 5, weightDecay: 5e-4, params });
 */
export function lars(options: LarsOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0.9;
  const trustCoefficient = options.trustCoefficient ?? 0.001;
  const eps = options.eps ?? 0;
  const nesterov = options.nesterov ?? false;
  if (!(momentum >= 0 && momentum < 1)) throw new OptimConfigError('lars.momentum', `must be in [0, 1), got ${momentum}`);
  if (!(trustCoefficient > 0 && Number.isFinite(trustCoefficient))) throw new OptimConfigError('lars.trustCoefficient', `must be a finite number > 0, got ${trustCoefficient}`);
  if (!(eps >= 0 && Number.isFinite(eps))) throw new OptimConfigError('lars.eps', `must be a finite number >= 0, got ${eps}`);
  if (nesterov && momentum === 0) throw new OptimConfigError('lars.nesterov', 'Nesterov momentum requires momentum > 0; set momentum or turn nesterov off');
  const exclude = exclusionOption('lars', options.exclude);
  return {
    id: nesterov ? 'lars-nesterov' : 'lars',
    hyperparameters: larsHyperparameters(momentum, trustCoefficient, eps),
    stateSlots: () => ['momentum_buffer'],
    emit: (ctx) => emitLars(ctx, exclude, eps > 0, nesterov),
  };
}

function emitLars(ctx: ParamUpdateContext, exclude: LayerwiseExclusion, useEps: boolean, nesterov: boolean): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const excluded = isExcluded(ctx.param, exclude);
  let grad: readonly Term[] = ctx.weightDecay && !excluded ? [ctx.grad, { tensor: p, scale: ctx.weightDecay }] : [ctx.grad];
  let stepScale = ctx.lr;
  if (!excluded) {
    const gradNorm = normOfCombination(b, s, grad);
    grad = gradNorm.terms;
    const weightNorm = b.op('ReduceL2', [p], { keepdims: 0 });
    const trust = trustRatio(b, s, weightNorm, gradNorm.norm, { coefficient: ctx.hp('trust_coefficient'), eps: useEps ? ctx.hp('eps') : undefined });
    stepScale = b.op('Mul', [ctx.lr, trust]);
  }
  const mom = ctx.hp('momentum');
  const step = scaleTerms(s, grad, stepScale);
  const v = combine(b, s, [{ tensor: ctx.state.momentum_buffer!, scale: mom }, ...step], ctx.outputs.state.momentum_buffer);
  if (nesterov) combine(b, s, [{ tensor: p }, { tensor: v, scale: s.neg(mom) }, ...scaleTerms(s, grad, s.neg(stepScale))], ctx.outputs.param);
  else b.op('Sub', [p, v], {}, { output: ctx.outputs.param });
}
